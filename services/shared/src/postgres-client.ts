import { Pool } from "pg";
import { Gauge } from "prom-client";
import { PostgresConfig } from "./common-config";
import { Logger } from "./logger";
import { errorMessage } from "./timeout";

export interface PostgresPoolOptions {
  logger: Logger;
  dependencyUp: Gauge<"dependency">;
  maxConnections: number;
  applicationName: string;
}

export interface PostgresHandle {
  pool: Pool;
  /** Records the outcome of a query in dependency_up and logs only the changes of state. */
  markUp(up: boolean, error?: unknown): void;
}

/** A pg pool that reconnects by itself (a broken client is dropped and the next query opens a new one). */
export function createPostgresPool(config: PostgresConfig, options: PostgresPoolOptions): PostgresHandle {
  const { logger, dependencyUp } = options;
  const pool = new Pool({
    ...(config.connectionString !== undefined
      ? { connectionString: config.connectionString }
      : { host: config.host, port: config.port, user: config.user, database: config.database }),
    ...(config.password !== undefined ? { password: config.password } : {}),
    max: options.maxConnections,
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName,
  });
  let up: boolean | undefined;
  const markUp = (nowUp: boolean, error?: unknown): void => {
    dependencyUp.set({ dependency: "postgres" }, nowUp ? 1 : 0);
    if (up === nowUp) return;
    up = nowUp;
    if (nowUp) logger.info("postgres connected");
    else logger.warn("postgres unavailable", { err: error === undefined ? "unknown" : errorMessage(error) });
  };
  // An idle client losing its connection emits here; without a listener the process would crash.
  pool.on("error", (error) => markUp(false, error));
  return { pool, markUp };
}
