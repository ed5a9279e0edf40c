import { createHttpRecorder, createServiceRuntime, handleLifecycle, loadConfigOrExit } from "../../shared/src/bootstrap";
import { closeServer, createServiceServer, listen } from "../../shared/src/http-server";
import { createPostgresPool } from "../../shared/src/postgres-client";
import { checkReadiness } from "../../shared/src/readiness";
import { loadResultConfig } from "./config";
import { resultRoutes } from "./routes";
import { SseHub } from "./sse-hub";
import { TallyPoller, tallyJson } from "./tally";

const READY_TIMEOUT_MS = 1_000;

async function main(): Promise<void> {
  const config = loadConfigOrExit("result", () => loadResultConfig(process.env));
  const { metrics, logger, closeLogger } = createServiceRuntime("result", ["postgres"], config);
  const postgres = createPostgresPool(config.postgres, {
    logger,
    dependencyUp: metrics.dependencyUp,
    maxConnections: 3,
    applicationName: "result",
  });
  const poller = new TallyPoller({ pool: postgres.pool, registry: metrics.registry, pollMs: config.pollMs, onPostgres: postgres.markUp });
  const hub = new SseHub(metrics.registry);
  poller.onChange((tally) => hub.broadcast(tallyJson(tally, config.options)));

  const routes = resultRoutes({ options: config.options, currentTally: () => poller.current, hub });
  const server = createServiceServer({
    routes,
    httpMetrics: createHttpRecorder(config, metrics, routes),
    registry: metrics.registry,
    logger,
    readiness: () =>
      checkReadiness([{ dependency: "postgres", ping: () => postgres.pool.query("SELECT 1") }], READY_TIMEOUT_MS, metrics.dependencyUp),
  });

  handleLifecycle({
    logger,
    closeLogger,
    lokiFlushTimeoutMs: config.lokiFlushTimeoutMs,
    timeoutMs: config.shutdownTimeoutMs,
    stop: async (deadline) => {
      poller.stop();
      hub.closeAll();
      await closeServer(server, Math.max(0, deadline - Date.now() - 1_000));
      await postgres.pool.end().catch(() => undefined);
    },
  });
  const port = await listen(server, config.port, config.host);
  logger.info("result listening", { port, pollMs: config.pollMs });
  poller.start();
}

void main().catch((error: unknown) => {
  process.stderr.write(`result: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
