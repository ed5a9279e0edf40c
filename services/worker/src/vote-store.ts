import { Pool } from "pg";

const CREATE_TABLE = "CREATE TABLE IF NOT EXISTS votes (id VARCHAR(255) NOT NULL UNIQUE, vote VARCHAR(255) NOT NULL)";

// One statement is one transaction: the whole batch is stored, or none of it.
const UPSERT_BATCH = {
  name: "voteobs-upsert-votes",
  text:
    "INSERT INTO votes (id, vote) SELECT * FROM unnest($1::varchar[], $2::varchar[]) " +
    "ON CONFLICT (id) DO UPDATE SET vote = EXCLUDED.vote",
};

/** Errors caused by the data itself (SQLSTATE classes 22 and 23): retrying the same rows cannot help. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("22") || code.startsWith("23"));
}

/** Error code of a query on a table that does not exist (yet, or any more). */
export function isMissingTable(error: unknown): boolean {
  return (error as { code?: unknown }).code === "42P01";
}

/** The votes table: one row per voter, the last vote wins. */
export class VoteStore {
  constructor(private readonly pool: Pool) {}

  async ensureSchema(): Promise<void> {
    await this.pool.query(CREATE_TABLE);
  }

  /** Upserts one vote per voter (the caller keeps only each voter's last vote of the batch). */
  async upsert(latestVotes: ReadonlyMap<string, string>): Promise<void> {
    if (latestVotes.size === 0) return;
    await this.pool.query({ ...UPSERT_BATCH, values: [[...latestVotes.keys()], [...latestVotes.values()]] });
  }

  ping(): Promise<unknown> {
    return this.pool.query("SELECT 1");
  }
}
