import { createHttpRecorder, createServiceRuntime, handleLifecycle, loadConfigOrExit } from "../../shared/src/bootstrap";
import { closeServer, createServiceServer, listen } from "../../shared/src/http-server";
import { checkReadiness } from "../../shared/src/readiness";
import { closeRedis, createRedisClient } from "../../shared/src/redis-client";
import { loadVoteConfig } from "./config";
import { FaultInjector } from "./fault-injection";
import { renderVotePages } from "./page";
import { voteRoutes } from "./routes";
import { VoteQueue } from "./vote-queue";

const READY_TIMEOUT_MS = 1_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit("vote", () => loadVoteConfig(process.env));
  const { metrics, logger, closeLogger } = createServiceRuntime("vote", ["redis"], config);

  const redis = createRedisClient(config.redisUrl, {
    logger,
    dependencyUp: metrics.dependencyUp,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    autoPipelining: true,
    connectionName: "vote",
  });
  const queue = new VoteQueue(redis, metrics.registry);
  const faults = new FaultInjector(config.faultInjection, metrics.registry);
  const routes = voteRoutes({ pages: renderVotePages(config.options), queue, faults, logger });
  const server = createServiceServer({
    routes,
    httpMetrics: createHttpRecorder(config, metrics, routes),
    registry: metrics.registry,
    logger,
    readiness: () => checkReadiness([{ dependency: "redis", ping: () => queue.ping() }], READY_TIMEOUT_MS, metrics.dependencyUp),
  });

  handleLifecycle({
    logger,
    closeLogger,
    lokiFlushTimeoutMs: config.lokiFlushTimeoutMs,
    timeoutMs: config.shutdownTimeoutMs,
    stop: async (deadline) => {
      await closeServer(server, Math.max(0, deadline - Date.now() - 1_000));
      await closeRedis(redis);
    },
  });
  const port = await listen(server, config.port, config.host);
  logger.info("vote listening", {
    port,
    httpMetrics: config.httpMetrics,
    faultInjection: config.faultInjection.enabled,
    errorRatio: faults.errorRatio,
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`vote: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
