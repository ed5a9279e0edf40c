import { createHttpService, createServiceRuntime, loadConfigOrExit, runService } from "../../shared/src/bootstrap";
import { closeServer, listen } from "../../shared/src/http-server";
import { createPostgresPool } from "../../shared/src/postgres-client";
import { loadResultConfig } from "./config";
import { resultRoutes } from "./routes";
import { SseHub } from "./sse-hub";
import { TallyPoller, tallyJson } from "./tally";

async function main(): Promise<void> {
  const config = loadConfigOrExit("result", () => loadResultConfig(process.env));
  const runtime = createServiceRuntime("result", ["postgres"], config);
  const { metrics, logger } = runtime;
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
  const server = createHttpService({
    runtime,
    config,
    routes,
    dependencies: [{ dependency: "postgres", ping: () => postgres.pool.query("SELECT 1") }],
    stop: async (deadline, server) => {
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

runService("result", main);
