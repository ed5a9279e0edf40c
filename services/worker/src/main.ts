import { createHttpService, createServiceRuntime, loadConfigOrExit, runService } from "../../shared/src/bootstrap";
import { closeServer, listen } from "../../shared/src/http-server";
import { createPostgresPool } from "../../shared/src/postgres-client";
import { closeRedis, createRedisClient, redisReady } from "../../shared/src/redis-client";
import { errorMessage, withTimeout } from "../../shared/src/timeout";
import { loadWorkerConfig } from "./config";
import { Consumer } from "./consumer";
import { VoteStore } from "./vote-store";
import { WorkQueue } from "./work-queue";
import { createWorkerMetrics, registerQueueGauges } from "./worker-metrics";

/** Kept from the shutdown deadline for returning the batch, closing connections and flushing logs. */
const SHUTDOWN_RESERVE_MS = 1_500;

async function main(): Promise<void> {
  const config = loadConfigOrExit("worker", () => loadWorkerConfig(process.env));
  const runtime = createServiceRuntime("worker", ["redis", "postgres"], config);
  const { metrics, logger } = runtime;
  const dependencyUp = metrics.dependencyUp;

  const redis = createRedisClient(config.redis, { logger, dependencyUp, commandTimeoutMs: 2_000, connectionName: `worker:${config.workerId}` });
  const blocking = createRedisClient(config.redis, {
    logger,
    dependencyUp,
    commandTimeoutMs: config.idleBlockMs + 2_000,
    connectionName: `worker:${config.workerId}:wait`,
    reportState: false,
  });
  const postgres = createPostgresPool(config.postgres, { logger, dependencyUp, maxConnections: 2, applicationName: `worker:${config.workerId}` });
  const queue = new WorkQueue(redis, blocking, config.workerId, config.heartbeatTtlMs);
  const store = new VoteStore(postgres.pool);
  const workerMetrics = createWorkerMetrics(metrics.registry);
  registerQueueGauges(metrics.registry, () => queue.stats());

  const consumer = new Consumer({
    queue,
    store,
    metrics: workerMetrics,
    logger,
    batchSize: config.batchSize,
    idleBlockMs: config.idleBlockMs,
    onRedis: (up) => dependencyUp.set({ dependency: "redis" }, up ? 1 : 0),
    onPostgres: postgres.markUp,
  });

  const recoverOrphans = async (): Promise<void> => {
    const recovered = await queue.recoverOrphans();
    for (const [workerId, messages] of recovered) {
      if (messages > 0) logger.warn("returned the batch of a dead worker to the queue", { deadWorker: workerId, messages });
      else logger.debug("forgot a dead worker that held nothing", { deadWorker: workerId });
    }
  };
  const every = (ms: number, task: () => Promise<unknown>, what: string): NodeJS.Timeout =>
    setInterval(() => void task().catch((error: unknown) => logger.debug(`${what} failed`, { err: errorMessage(error) })), ms);
  const heartbeatTimer = every(Math.floor(config.heartbeatTtlMs / 3), () => queue.heartbeat(), "heartbeat");
  const recoveryTimer = every(config.recoveryIntervalMs, recoverOrphans, "recovery");

  const server = createHttpService({
    runtime,
    config,
    routes: {},
    dependencies: [
      { dependency: "redis", ping: () => queue.ping() },
      { dependency: "postgres", ping: () => store.ping() },
    ],
    stop: async (deadline, server) => {
      const finished = await consumer.stop(deadline - SHUTDOWN_RESERVE_MS, () => blocking.disconnect());
      clearInterval(heartbeatTimer);
      clearInterval(recoveryTimer);
      try {
        const returned = await queue.giveBack();
        if (returned > 0) logger.info("returned the unfinished batch to the queue", { messages: returned });
        await queue.leave();
      } catch (error) {
        logger.warn("could not return the batch; another worker recovers it when the heartbeat expires", { err: errorMessage(error) });
      }
      await closeServer(server, 500);
      await closeRedis(redis);
      // end() waits for a query still blocked in Postgres: then only briefly, the batch is back in Redis.
      const closeWithinMs = finished ? Math.max(0, deadline - Date.now() - 500) : 200;
      await withTimeout(postgres.pool.end(), closeWithinMs, "closing postgres").catch(() => undefined);
    },
  });

  const port = await listen(server, config.port, config.host);
  logger.info("worker listening", { port, workerId: config.workerId, batchSize: config.batchSize });
  if (!(await redisReady(redis, 5_000))) logger.warn("redis not reachable yet; the worker keeps retrying");
  await queue.heartbeat().catch(() => undefined);
  await recoverOrphans().catch((error: unknown) => logger.warn("initial recovery failed; retrying periodically", { err: errorMessage(error) }));
  consumer.start();
}

runService("worker", main);
