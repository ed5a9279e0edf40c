import { Pool } from "pg";
import { Gauge, Registry } from "prom-client";
import { VoteOptions } from "../../shared/src/common-config";

export interface Tally {
  a: number;
  b: number;
}

/** The JSON of GET /api/results and of each server-sent event. */
export function tallyJson(tally: Tally, options: VoteOptions): string {
  return JSON.stringify({ a: tally.a, b: tally.b, total: tally.a + tally.b, options: { a: options.a, b: options.b } });
}

const COUNT_VOTES = "SELECT vote, COUNT(id)::int AS count FROM votes GROUP BY vote";

export interface TallyPollerOptions {
  pool: Pool;
  registry: Registry;
  pollMs: number;
  onPostgres(up: boolean, error?: unknown): void;
}

/** Reads the tally from Postgres every pollMs (never two reads at once) and tells listeners when it changed. */
export class TallyPoller {
  private tally: Tally | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners = new Set<(tally: Tally) => void>();
  private readonly gauge: Gauge<"option">;

  constructor(private readonly options: TallyPollerOptions) {
    this.gauge = new Gauge({
      name: "result_votes",
      help: "Current tally per option, as last read from Postgres.",
      labelNames: ["option"],
      registers: [options.registry],
    });
  }

  /** The last tally read, or undefined before the first successful read. */
  get current(): Tally | undefined {
    return this.tally;
  }

  onChange(listener: (tally: Tally) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    void this.poll();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Reads once now; resolves when done (used at start and by tests). */
  async poll(): Promise<void> {
    clearTimeout(this.timer);
    try {
      this.update(await this.read());
      this.options.onPostgres(true);
    } catch (error) {
      this.options.onPostgres(false, error);
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.poll(), this.options.pollMs);
  }

  private async read(): Promise<Tally> {
    try {
      const { rows } = await this.options.pool.query<{ vote: string; count: number }>(COUNT_VOTES);
      const tally: Tally = { a: 0, b: 0 };
      for (const row of rows) if (row.vote === "a" || row.vote === "b") tally[row.vote] = row.count;
      return tally;
    } catch (error) {
      // Until the worker stored its first vote there is no table: nobody has voted yet.
      if ((error as { code?: unknown }).code === "42P01") return { a: 0, b: 0 };
      throw error;
    }
  }

  private update(tally: Tally): void {
    const changed = this.tally === undefined || this.tally.a !== tally.a || this.tally.b !== tally.b;
    this.tally = tally;
    this.gauge.set({ option: "a" }, tally.a);
    this.gauge.set({ option: "b" }, tally.b);
    if (changed) for (const listener of this.listeners) listener(tally);
  }
}
