import Redis from "ioredis";
import { Gauge } from "prom-client";
import { RedisConfig } from "./common-config";
import { Logger } from "./logger";
import { errorMessage } from "./timeout";

export interface RedisClientOptions {
  logger: Logger;
  dependencyUp: Gauge<"dependency">;
  /** A command not answered within this is rejected (the caller answers 503 or retries). */
  commandTimeoutMs: number;
  /** Batch commands issued in the same tick into one write (vote's hot path). */
  autoPipelining?: boolean;
  connectionName: string;
  /** Mirror this connection's state in dependency_up and the logs. Defaults to true. */
  reportState?: boolean;
}

/**
 * An ioredis client that fails fast instead of queueing while Redis is away: no offline queue,
 * no retry or resend of a command, a short command timeout, and reconnection with capped backoff.
 * Its connection state is mirrored in dependency_up{dependency="redis"} and logged on each change
 * (error messages only: ioredis attaches the failed command, AUTH and its password included, to the error).
 */
export function createRedisClient(config: RedisConfig, options: RedisClientOptions): Redis {
  const { logger, dependencyUp } = options;
  const client = new Redis(config.url, {
    // AUTH as the default user; a refused password is an error event like a refused connection.
    ...(config.password !== undefined ? { password: config.password } : {}),
    connectionName: options.connectionName,
    enableOfflineQueue: false,
    enableReadyCheck: true,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs,
    connectTimeout: 2_000,
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 6), 2_000) + Math.floor(Math.random() * 100),
  });
  let up: boolean | undefined;
  const mark = (nowUp: boolean, error?: unknown): void => {
    dependencyUp.set({ dependency: "redis" }, nowUp ? 1 : 0);
    if (up === nowUp) return;
    up = nowUp;
    if (nowUp) logger.info("redis connected");
    else logger.warn("redis unavailable", { err: error === undefined ? "connection closed" : errorMessage(error) });
  };
  let lastError: unknown;
  client.on("error", (error: unknown) => {
    lastError = error;
  });
  if (options.reportState === false) return client;
  client.on("ready", () => mark(true));
  client.on("close", () => mark(false, lastError));
  return client;
}

/** Closes the connection politely, or cuts it when Redis does not answer in time. */
export async function closeRedis(client: Redis, timeoutMs = 1_000): Promise<void> {
  if (client.status === "end") return;
  const cut = setTimeout(() => client.disconnect(), timeoutMs);
  try {
    if (client.status === "ready") await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  } finally {
    clearTimeout(cut);
  }
}

/** Resolves true once the client is connected and ready, false after `timeoutMs` (it keeps trying). */
export function redisReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      resolve(false);
    }, timeoutMs);
    client.once("ready", onReady);
  });
}
