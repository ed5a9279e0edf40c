import { CommonConfig } from "./common-config";
import { ConfigError } from "./env";
import { createHttpMetrics, HttpRecorder, NO_HTTP_METRICS } from "./http-metrics";
import { Server } from "node:http";
import { createServiceServer, routeMethods, Routes, startDraining } from "./http-server";
import { checkDependencies, DependencyCheck } from "./dependency-check";
import { createLogger, Logger } from "./logger";
import { createServiceMetrics, Dependency, ServiceMetrics, ServiceName } from "./metrics";
import { delay, errorMessage } from "./timeout";

/** Exit code for a configuration error, distinct from a crash (1). */
const EXIT_CONFIG_ERROR = 2;

/** Runs the config loader; on a ConfigError prints one line to stderr and exits with code 2. */
export function loadConfigOrExit<T>(service: ServiceName, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: configuration error: ${error.message}\n`);
      process.exit(EXIT_CONFIG_ERROR);
    }
    throw error;
  }
}

/** The pieces every service is built from: metrics registry and logger. */
export interface ServiceRuntime {
  metrics: ServiceMetrics;
  logger: Logger;
  closeLogger(deadlineMs: number): Promise<void>;
}

export function createServiceRuntime(service: ServiceName, dependencies: readonly Dependency[], config: CommonConfig): ServiceRuntime {
  const metrics = createServiceMetrics(service, dependencies);
  const { logger, close } = createLogger({
    service,
    level: config.logLevel,
    loki:
      config.lokiUrl === undefined
        ? undefined
        : { url: config.lokiUrl, bufferLines: config.lokiBufferLines, onDrop: (lines) => metrics.logShippingDropped.inc(lines) },
  });
  return { metrics, logger, closeLogger: close };
}

/** The HTTP metrics for these routes, or a no-op recorder when METRICS=off. */
function createHttpRecorder(config: CommonConfig, metrics: ServiceMetrics, routes: Routes): HttpRecorder {
  return config.httpMetrics ? createHttpMetrics(metrics.registry, routeMethods(routes)) : NO_HTTP_METRICS;
}

export interface ShutdownOptions {
  logger: Logger;
  closeLogger(deadlineMs: number): Promise<void>;
  lokiFlushTimeoutMs: number;
  /** Past this, the process exits with code 1 whatever is still running. */
  timeoutMs: number;
  /** Stops the service: close servers, finish work, close connections. */
  stop(deadline: number): Promise<void>;
}

/**
 * On SIGTERM or SIGINT runs `stop` once, flushes the logs and exits 0; a hard deadline exits 1.
 * Uncaught errors are logged and end the process with 1 (a crash the supervisor restarts).
 */
function handleLifecycle(options: ShutdownOptions): void {
  const { logger } = options;
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    const deadline = Date.now() + options.timeoutMs;
    logger.info("shutting down", { signal, timeoutMs: options.timeoutMs });
    setTimeout(() => {
      logger.error("shutdown deadline passed, exiting", { timeoutMs: options.timeoutMs });
      process.exit(1);
    }, options.timeoutMs).unref();
    options
      .stop(deadline)
      .catch((error: unknown) => logger.error("shutdown step failed", { err: errorMessage(error) }))
      .then(() => logger.info("stopped"))
      .then(() => options.closeLogger(Math.min(options.lokiFlushTimeoutMs, Math.max(0, deadline - Date.now()))))
      .finally(() => process.exit(0));
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("unhandledRejection", (reason) => {
    logger.error("unhandled rejection", { err: errorMessage(reason) });
  });
  process.on("uncaughtException", (error) => {
    logger.error("uncaught exception, exiting", { err: errorMessage(error), stack: error.stack });
    void options.closeLogger(Math.min(options.lokiFlushTimeoutMs, 1_000)).finally(() => process.exit(1));
  });
}

/** How long GET /dependencies waits for each dependency's ping. */
const DEPENDENCY_PING_TIMEOUT_MS = 1_000;

export interface HttpServiceOptions {
  runtime: ServiceRuntime;
  config: CommonConfig;
  routes: Routes;
  /** Pinged by GET /dependencies, each within 1 s; their results also set `dependency_up`. */
  dependencies: readonly DependencyCheck[];
  /** Stops the service on SIGTERM/SIGINT, after the drain: close `server`, finish work, close connections. */
  stop(deadline: number, server: Server): Promise<void>;
}

/**
 * The HTTP side every service shares: routes plus /metrics, /healthz, /readyz and /dependencies,
 * HTTP metrics (unless METRICS=off), and the shutdown sequence: on SIGTERM /readyz answers 503 at
 * once, requests are still served for SHUTDOWN_DRAIN_MS, then `stop` runs. Listening is left to the caller.
 */
export function createHttpService(options: HttpServiceOptions): Server {
  const { runtime, config, routes } = options;
  const { metrics, logger } = runtime;
  const server = createServiceServer({
    routes,
    httpMetrics: createHttpRecorder(config, metrics, routes),
    registry: metrics.registry,
    logger,
    checkDependencies: () => checkDependencies(options.dependencies, DEPENDENCY_PING_TIMEOUT_MS, metrics.dependencyUp),
    keepAliveTimeoutMs: config.httpKeepAliveTimeoutMs,
  });
  handleLifecycle({
    logger,
    closeLogger: runtime.closeLogger,
    lokiFlushTimeoutMs: config.lokiFlushTimeoutMs,
    timeoutMs: config.shutdownTimeoutMs,
    stop: async (deadline) => {
      startDraining(server);
      if (config.shutdownDrainMs > 0) {
        logger.info("draining: /readyz answers 503, requests still served", { drainMs: config.shutdownDrainMs });
        await delay(config.shutdownDrainMs);
      }
      await options.stop(deadline, server);
    },
  });
  return server;
}

/** Runs a service's start-up; a failure prints its stack and exits 1. */
export function runService(service: ServiceName, main: () => Promise<void>): void {
  void main().catch((error: unknown) => {
    process.stderr.write(`${service}: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
