export type VoteOption = "a" | "b";

/**
 * What the vote app answered to one POST:
 * - acknowledged: 2xx, the app said Redis accepted it: it must reach Postgres;
 * - rejected: 4xx, refused before anything was queued;
 * - uncertain: 5xx or no answer: usually not queued (fault injection, Redis down), but an answer
 *   lost after Redis accepted the vote is possible, so such a vote may or may not be stored.
 */
export type VoteOutcome = "acknowledged" | "rejected" | "uncertain";

interface Attempt {
  option: VoteOption;
  outcome: VoteOutcome;
}

export interface LedgerCheck {
  /** 2xx answers to POST /. */
  acknowledgedVotes: number;
  /** Distinct voters with at least one acknowledged vote. */
  acknowledgedVoters: number;
  /** Rows in Postgres for the voters of this ledger. */
  storedRows: number;
  /** Voters whose acknowledged vote is not in Postgres at all. */
  missing: string[];
  /** Voters whose row holds neither their last acknowledged vote nor a later uncertain one. */
  wrong: string[];
  /** Rows of voters that were never acknowledged and have no uncertain attempt with that vote. */
  unexpected: string[];
  /** Rows of never-acknowledged voters that hold one of their 5xx votes (Redis had accepted it after all). */
  storedWithoutAcknowledgement: number;
  /** Acknowledged voters whose row holds a later 5xx vote rather than the acknowledged one. */
  laterUncertainWon: number;
}

/**
 * Every vote a load generator sent, per voter and in order (one request in flight per voter), so
 * that Postgres can be checked against what was acknowledged: one row per voter, last vote wins.
 */
export class VoteLedger {
  private readonly attempts = new Map<string, Attempt[]>();

  record(voterId: string, option: VoteOption, outcome: VoteOutcome): void {
    const list = this.attempts.get(voterId) ?? [];
    list.push({ option, outcome });
    this.attempts.set(voterId, list);
  }

  get voters(): string[] {
    return [...this.attempts.keys()];
  }

  count(outcome: VoteOutcome): number {
    let n = 0;
    for (const list of this.attempts.values()) n += list.filter((a) => a.outcome === outcome).length;
    return n;
  }

  /** Compares the stored rows (voter id → vote) of this ledger's voters with what was acknowledged. */
  check(stored: ReadonlyMap<string, string>): LedgerCheck {
    const result: LedgerCheck = {
      acknowledgedVotes: this.count("acknowledged"),
      acknowledgedVoters: 0,
      storedRows: 0,
      missing: [],
      wrong: [],
      unexpected: [],
      storedWithoutAcknowledgement: 0,
      laterUncertainWon: 0,
    };
    for (const [voter, list] of this.attempts) {
      const row = stored.get(voter);
      if (row !== undefined) result.storedRows++;
      const lastAck = list.map((a) => a.outcome).lastIndexOf("acknowledged");
      // What the row may hold: the last acknowledged vote, or any uncertain vote sent after it.
      const allowed = new Set(list.slice(Math.max(0, lastAck)).filter((a, i) => (lastAck >= 0 && i === 0) || a.outcome === "uncertain").map((a) => a.option));
      if (lastAck >= 0) {
        result.acknowledgedVoters++;
        if (row === undefined) result.missing.push(voter);
        else if (!allowed.has(row as VoteOption)) result.wrong.push(voter);
        else if (row !== list[lastAck].option) result.laterUncertainWon++;
      } else if (row !== undefined) {
        if (!allowed.has(row as VoteOption)) result.unexpected.push(voter);
        else result.storedWithoutAcknowledgement++;
      }
    }
    return result;
  }
}
