import { randomBytes } from "node:crypto";
import { VoteLedger, type VoteOption, type VoteOutcome } from "./vote-ledger";

export interface TrafficOptions {
  voteUrl: string;
  /** Also load the result page. Defaults to none. */
  resultUrl?: string;
  /** Votes POSTed per second. */
  votesPerSecond: number;
  /** GET / of vote (and of result) per second. Defaults to a quarter of the votes. */
  pageViewsPerSecond?: number;
  /** Distinct voter ids (cookies) the votes come from. Defaults to 500. */
  voters?: number;
  /** Per request. Defaults to 5 s. */
  timeoutMs?: number;
}

export interface TrafficCounts {
  /** Answers to vote POSTs by status class ("2xx", "5xx", ..., "error" for no answer). */
  votes: Record<string, number>;
  pages: Record<string, number>;
}

/**
 * Steady, bounded traffic to 127.0.0.1: votes from a fixed set of voters (one request in flight
 * per voter, so each voter's votes arrive in order) and page views. Every vote lands in a ledger.
 */
export interface Traffic {
  readonly ledger: VoteLedger;
  counts(): TrafficCounts;
  /** Stops sending and waits for the requests in flight. */
  stop(): Promise<void>;
}

const TICK_MS = 50;

export function startTraffic(options: TrafficOptions): Traffic {
  const ledger = new VoteLedger();
  const run = randomBytes(4).toString("hex");
  const voterIds = Array.from({ length: options.voters ?? 500 }, (_, i) => `voter-${run}-${i}`);
  const busy = new Set<string>();
  const inFlight = new Set<Promise<unknown>>();
  const counts: TrafficCounts = { votes: {}, pages: {} };
  const timeoutMs = options.timeoutMs ?? 5_000;
  const pageRate = options.pageViewsPerSecond ?? options.votesPerSecond / 4;
  let nextVoter = 0;
  let voteCredit = 0;
  let pageCredit = 0;

  const track = (promise: Promise<unknown>) => {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
  };
  const tally = (bucket: Record<string, number>, status: number | "error") => {
    const key = status === "error" ? "error" : `${Math.floor(status / 100)}xx`;
    bucket[key] = (bucket[key] ?? 0) + 1;
  };

  const vote = async (voterId: string): Promise<void> => {
    const option: VoteOption = Math.random() < 0.5 ? "a" : "b";
    let outcome: VoteOutcome = "uncertain";
    try {
      const response = await fetch(`${options.voteUrl}/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: `voter_id=${voterId}` },
        body: `vote=${option}`,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      tally(counts.votes, response.status);
      outcome = response.status < 300 ? "acknowledged" : response.status < 500 ? "rejected" : "uncertain";
    } catch {
      tally(counts.votes, "error");
    } finally {
      ledger.record(voterId, option, outcome);
      busy.delete(voterId);
    }
  };

  const view = async (url: string): Promise<void> => {
    try {
      const response = await fetch(`${url}/`, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer();
      tally(counts.pages, response.status);
    } catch {
      tally(counts.pages, "error");
    }
  };

  const timer = setInterval(() => {
    // Credit that could not be spent (every voter waiting) is capped: no burst once the app recovers.
    voteCredit = Math.min(voteCredit + (options.votesPerSecond * TICK_MS) / 1000, Math.max(1, options.votesPerSecond / 10));
    pageCredit += (pageRate * TICK_MS) / 1000;
    for (; voteCredit >= 1; voteCredit--) {
      const voterId = freeVoter();
      if (voterId === undefined) break; // every voter waits for an answer: the app is slower than the rate
      busy.add(voterId);
      track(vote(voterId));
    }
    for (; pageCredit >= 1; pageCredit--) {
      track(view(options.voteUrl));
      if (options.resultUrl !== undefined) track(view(options.resultUrl));
    }
  }, TICK_MS);

  function freeVoter(): string | undefined {
    for (let i = 0; i < voterIds.length; i++) {
      const candidate = voterIds[(nextVoter + i) % voterIds.length];
      if (!busy.has(candidate)) {
        nextVoter = (nextVoter + i + 1) % voterIds.length;
        return candidate;
      }
    }
    return undefined;
  }

  return {
    ledger,
    counts: () => ({ votes: { ...counts.votes }, pages: { ...counts.pages } }),
    async stop() {
      clearInterval(timer);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
