import { createHttpService, createServiceRuntime, loadConfigOrExit, runService } from "../../shared/src/bootstrap";
import { closeServer, listen } from "../../shared/src/http-server";
import { closeRedis, createRedisClient } from "../../shared/src/redis-client";
import { loadVoteConfig } from "./config";
import { FaultInjector } from "./fault-injection";
import { renderVotePages } from "./page";
import { voteRoutes } from "./routes";
import { VoteQueue } from "./vote-queue";

async function main(): Promise<void> {
  const config = loadConfigOrExit("vote", () => loadVoteConfig(process.env));
  const runtime = createServiceRuntime("vote", ["redis"], config);
  const { metrics, logger } = runtime;

  const redis = createRedisClient(config.redis, {
    logger,
    dependencyUp: metrics.dependencyUp,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    autoPipelining: true,
    connectionName: "vote",
  });
  const queue = new VoteQueue(redis, metrics.registry);
  const faults = new FaultInjector(config.faultInjection, metrics.registry);
  const routes = voteRoutes({ pages: renderVotePages(config.options), queue, faults, logger });
  const server = createHttpService({
    runtime,
    config,
    routes,
    dependencies: [{ dependency: "redis", ping: () => queue.ping() }],
    stop: async (deadline, server) => {
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

runService("vote", main);
