import { VoteMessage } from "../../shared/src/queue-keys";

export type ParsedMessage = { ok: true; vote: VoteMessage } | { ok: false; reason: string };

/** The column is VARCHAR(255) and PostgreSQL text cannot hold NUL: anything else would fail the whole batch. */
function isStorableId(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0 || value.includes("\u0000")) return false;
  return value.length <= 255 || [...value].length <= 255;
}

/** Checks one queue message; a message that fails goes to the dead-letter list instead of being retried. */
export function parseVoteMessage(raw: string): ParsedMessage {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "not a JSON object" };
  const { voter_id: voterId, vote, ts } = value as Record<string, unknown>;
  if (!isStorableId(voterId)) return { ok: false, reason: "voter_id must be a string of 1 to 255 characters without NUL" };
  if (vote !== "a" && vote !== "b") return { ok: false, reason: 'vote must be "a" or "b"' };
  if (ts !== undefined && (typeof ts !== "number" || !Number.isFinite(ts))) return { ok: false, reason: "ts must be a number (ms since epoch)" };
  return { ok: true, vote: ts === undefined ? { voter_id: voterId, vote } : { voter_id: voterId, vote, ts } };
}

/** One entry per voter, holding that voter's last vote in queue order (last vote wins). */
export function lastVotePerVoter(votes: readonly VoteMessage[]): Map<string, "a" | "b"> {
  const latest = new Map<string, "a" | "b">();
  for (const vote of votes) latest.set(vote.voter_id, vote.vote);
  return latest;
}
