import { Env, readChoice, readInteger, readPort, readSecretFile, readString, readUrl, ConfigError } from "./env";

const LOG_LEVELS = ["error", "warn", "info", "http", "verbose", "debug", "silly"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings every service shares: HTTP port, logging, metrics switch, shutdown deadline. */
export interface CommonConfig {
  port: number;
  /** Address to listen on; 0.0.0.0 in containers, 127.0.0.1 for local runs. */
  host: string;
  logLevel: LogLevel;
  /** Loki base URL; when unset, logs go to stdout only (Alloy ships them on Docker/Kubernetes). */
  lokiUrl: string | undefined;
  lokiBufferLines: number;
  lokiFlushTimeoutMs: number;
  /** METRICS=off removes the HTTP metrics middleware (benchmark baseline); /metrics stays served. */
  httpMetrics: boolean;
  shutdownTimeoutMs: number;
  /**
   * After SIGTERM, how long /readyz answers 503 while requests are still served, before the server
   * closes; part of shutdownTimeoutMs. 0 on a host; the images set 5000.
   */
  shutdownDrainMs: number;
  /** Idle keep-alive connections are closed after this; above the 60 s of nginx-ingress and AWS ALB. */
  httpKeepAliveTimeoutMs: number;
}

/** What the shutdown keeps, after the drain, for closing connections and flushing logs. */
const SHUTDOWN_RESERVE_AFTER_DRAIN_MS = 2_000;

export function readCommonConfig(env: Env, defaultPort: number): CommonConfig {
  const shutdownTimeoutMs = readInteger(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 100, 600_000);
  const shutdownDrainMs = readInteger(env, "SHUTDOWN_DRAIN_MS", 0, 0, 600_000);
  if (shutdownDrainMs > 0 && shutdownDrainMs + SHUTDOWN_RESERVE_AFTER_DRAIN_MS > shutdownTimeoutMs) {
    throw new ConfigError(
      `invalid SHUTDOWN_DRAIN_MS=${shutdownDrainMs} with SHUTDOWN_TIMEOUT_MS=${shutdownTimeoutMs}: ` +
        `expected SHUTDOWN_DRAIN_MS to be at least ${SHUTDOWN_RESERVE_AFTER_DRAIN_MS} below SHUTDOWN_TIMEOUT_MS (the drain is part of the shutdown deadline)`,
    );
  }
  return {
    port: readPort(env, "PORT", defaultPort),
    host: readString(env, "HOST", "0.0.0.0"),
    logLevel: readChoice(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    lokiUrl: readUrl(env, "LOKI_URL", ["http:", "https:"]),
    lokiBufferLines: readInteger(env, "LOKI_BUFFER_LINES", 10_000, 10, 1_000_000),
    lokiFlushTimeoutMs: readInteger(env, "LOKI_FLUSH_TIMEOUT_MS", 2_000, 0, 60_000),
    httpMetrics: readChoice(env, "METRICS", ["on", "off"] as const, "on") === "on",
    shutdownTimeoutMs,
    shutdownDrainMs,
    httpKeepAliveTimeoutMs: readInteger(env, "HTTP_KEEP_ALIVE_TIMEOUT_MS", 65_000, 1_000, 3_600_000),
  };
}

export interface RedisConfig {
  url: string;
  /** For AUTH as the default user; never logged. */
  password: string | undefined;
}

/** REDIS_URL, and the password from a secret file (REDIS_PASSWORD_FILE) or REDIS_PASSWORD, not both. */
export function readRedisConfig(env: Env): RedisConfig {
  const url = readUrl(env, "REDIS_URL", ["redis:", "rediss:"], "redis://127.0.0.1:6379") as string;
  // Not trimmed: a password may legitimately start or end with spaces.
  const inlinePassword = env["REDIS_PASSWORD"] === undefined || env["REDIS_PASSWORD"] === "" ? undefined : env["REDIS_PASSWORD"];
  const filePassword = readSecretFile(env, "REDIS_PASSWORD_FILE");
  if (inlinePassword !== undefined && filePassword !== undefined) {
    throw new ConfigError("invalid REDIS_PASSWORD and REDIS_PASSWORD_FILE: expected only one of them to be set");
  }
  if (filePassword === "") {
    throw new ConfigError(`invalid REDIS_PASSWORD_FILE=${JSON.stringify(env["REDIS_PASSWORD_FILE"]?.trim())}: expected a file holding the password (it is empty)`);
  }
  const password = inlinePassword ?? filePassword;
  // The URL is not quoted: it carries the password it is refused for.
  if (password !== undefined && new URL(url).password !== "") {
    throw new ConfigError("invalid REDIS_URL: expected no password in it when REDIS_PASSWORD or REDIS_PASSWORD_FILE is set");
  }
  return { url, password };
}

export interface PostgresConfig {
  connectionString: string | undefined;
  host: string;
  port: number;
  user: string;
  database: string;
  password: string | undefined;
}

/** DATABASE_URL wins; otherwise the libpq-style PG* variables, password from PGPASSWORD or a secret file. */
export function readPostgresConfig(env: Env): PostgresConfig {
  // Not trimmed: a password may legitimately start or end with spaces.
  const inlinePassword = env["PGPASSWORD"] === undefined || env["PGPASSWORD"] === "" ? undefined : env["PGPASSWORD"];
  const filePassword = readSecretFile(env, "POSTGRES_PASSWORD_FILE");
  if (inlinePassword !== undefined && filePassword !== undefined) {
    throw new ConfigError("invalid PGPASSWORD and POSTGRES_PASSWORD_FILE: expected only one of them to be set");
  }
  return {
    connectionString: readUrl(env, "DATABASE_URL", ["postgres:", "postgresql:"]),
    host: readString(env, "PGHOST", "127.0.0.1"),
    port: readPort(env, "PGPORT", 5432),
    user: readString(env, "PGUSER", "postgres"),
    database: readString(env, "PGDATABASE", "postgres"),
    password: inlinePassword ?? filePassword,
  };
}

export interface VoteOptions {
  a: string;
  b: string;
}

export function readVoteOptions(env: Env): VoteOptions {
  const a = readString(env, "OPTION_A", "Cats");
  const b = readString(env, "OPTION_B", "Dogs");
  for (const [name, value] of [["OPTION_A", a], ["OPTION_B", b]] as const) {
    if (value.length > 64) throw new ConfigError(`invalid ${name}=${JSON.stringify(value)}: expected at most 64 characters`);
  }
  return { a, b };
}
