import { alertDefinition } from "../alert-rules";
import { COMPONENTS } from "../config/components";
import type { StackConfig } from "../config/schema";
import {
  postgresCommitRate,
  postgresConnections,
  postgresDatabaseBytes,
  postgresMaxConnections,
  postgresRollbackRate,
  redisCommandsRate,
  redisConnectedClients,
  redisMemoryMaxBytes,
  redisMemoryUsedBytes,
} from "../queries/datastores";
import { errorLogRateOf } from "../queries/logql";
import { batchDurationQuantile, deadLetters, drainRate, ingestRate, oldestMessageAge, processedRateByResult, queueDepth, queueDepthByList } from "../queries/queue";
import { roundedUp } from "../queries/reduce";
import { datastoreUp, dependencyReachable } from "../queries/targets";
import { LOG_WINDOW, LOKI, RATE_WINDOW, lokiQuery, promQuery } from "./datasources";
import { finish, newDashboard, type RenderedDashboard } from "./dashboard";
import { linkTo, logsOfSeries } from "./links";
import { row, stateTimelinePanel, statPanel, timeSeries, valueTexts } from "./panels";
import { COLORS, stepsFor } from "./thresholds";
import { SERVICE, serviceVariable } from "./variables";

/**
 * Between the vote app and Postgres: the Redis queue (depth, in vs out, oldest vote), the worker
 * (results, dead letters, batch time, errors), and the health of Redis and Postgres.
 */
export function internalHealthDashboard(config: StackConfig): RenderedDashboard {
  const { queue, deadLetters: dead } = config.alerts;
  const upDown = valueTexts({ 0: { text: "down", color: COLORS.critical }, 1: { text: "up", color: COLORS.ok } });
  const workerLogs = linkTo("Logs of worker", "logs", "worker");

  const builder = newDashboard("internalHealth", "voteobs / Internal health", "The queue between vote and worker, the worker itself, and the Redis and Postgres behind them.")
    .withVariable(serviceVariable(COMPONENTS, { all: true }))
    .withRow(row("The queue"))
    .withPanel(
      timeSeries({
        title: "Votes waiting",
        description: `The Redis list \`votes\` as redis_exporter sees it, and the worker's own count per list (pending, processing, dead_letter). Orange line: VoteQueueBacklog's depth (${queue.depth}), which fires when the queue also grows faster than ${queue.growthPerMinute} votes/min for ${queue.for}.`,
        targets: [promQuery("A", queueDepth(), { legend: "votes (redis)" }), promQuery("B", queueDepthByList(), { legend: "{{queue}} (worker)" })],
        unit: "short",
        min: 0,
        lines: stepsFor(alertDefinition(config, "VoteQueueBacklog")),
        w: 8,
        h: 8,
        links: [workerLogs],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Ingest vs drain",
        description: "Votes per second pushed by vote, and stored by the worker. A lasting gap is the backlog growing.",
        targets: [promQuery("A", ingestRate(RATE_WINDOW), { legend: "pushed by vote" }), promQuery("B", drainRate(RATE_WINDOW), { legend: "stored by worker" })],
        unit: "short",
        min: 0,
        w: 8,
        h: 8,
        links: [workerLogs],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Oldest waiting vote",
        description: "Age of the vote that has waited longest: how late the results are.",
        targets: [promQuery("A", oldestMessageAge(), { legend: "oldest" })],
        unit: "s",
        min: 0,
        w: 8,
        h: 8,
        links: [workerLogs],
      }),
    )
    .withRow(row("The worker"))
    .withPanel(
      timeSeries({
        title: "Votes handled by result",
        description: "stored: upserted into Postgres; retried: returned to the queue after a failed batch (worker errors); dead_letter: malformed, moved aside.",
        targets: [promQuery("A", processedRateByResult(RATE_WINDOW), { legend: "{{result}}" })],
        unit: "short",
        min: 0,
        stacked: true,
        w: 8,
        h: 8,
        links: [workerLogs],
      }),
    )
    .withPanel(
      statPanel({
        title: `Dead letters (${dead.window})`,
        description: `Malformed votes moved to \`votes:dead\` in the last ${dead.window}; orange from the first one (VoteDeadLetters).`,
        targets: [promQuery("A", roundedUp(deadLetters(dead.window)), { instant: true })],
        unit: "short",
        decimals: 0,
        steps: stepsFor(alertDefinition(config, "VoteDeadLetters")),
        w: 4,
        h: 8,
        links: [workerLogs],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Batch duration p95",
        description: "Time the worker takes for one batch: pop from Redis, upsert into Postgres, acknowledge.",
        targets: [promQuery("A", batchDurationQuantile(0.95, RATE_WINDOW), { legend: "p95" })],
        unit: "s",
        min: 0,
        w: 6,
        h: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Worker error lines",
        description: "Lines the worker logged at level error or fatal (from Loki).",
        targets: [lokiQuery("A", errorLogRateOf("worker", LOG_WINDOW), "{{service}}")],
        unit: "short",
        min: 0,
        bars: true,
        datasource: LOKI,
        w: 6,
        h: 8,
        links: [workerLogs],
      }),
    )
    .withRow(row("Dependencies of $service"))
    .withPanel(
      stateTimelinePanel({
        title: "Can each service reach its dependencies?",
        description: "Each service's own view of Redis and Postgres (dependency_up); a red band is DependencyUnreachable's condition.",
        targets: [promQuery("A", dependencyReachable(`~${SERVICE}`), { legend: "{{service}} → {{dependency}}" })],
        mappings: [upDown],
        w: 24,
        h: 6,
        links: [logsOfSeries()],
      }),
    );

  builder.withRow(row("Redis"));
  builder
    .withPanel(upStat("redis", "RedisDown"))
    .withPanel(timeSeries({ title: "Redis clients", description: "Connections open to Redis.", targets: [promQuery("A", redisConnectedClients(), { legend: "clients" })], unit: "short", min: 0, w: 6, h: 6 }))
    .withPanel(
      timeSeries({
        title: "Redis memory",
        description: "Memory Redis uses, and its maxmemory (0: no limit but the container's).",
        targets: [promQuery("A", redisMemoryUsedBytes(), { legend: "used" }), promQuery("B", redisMemoryMaxBytes(), { legend: "maxmemory" })],
        unit: "bytes",
        min: 0,
        dashed: "maxmemory",
        w: 7,
        h: 6,
      }),
    )
    .withPanel(timeSeries({ title: "Redis commands", description: "Commands per second Redis executes.", targets: [promQuery("A", redisCommandsRate(RATE_WINDOW), { legend: "commands/s" })], unit: "ops", min: 0, w: 7, h: 6 }));

  builder.withRow(row("Postgres"));
  builder
    .withPanel(upStat("postgres", "PostgresDown"))
    .withPanel(
      timeSeries({
        title: "Postgres connections",
        description: "Open connections, and max_connections.",
        targets: [promQuery("A", postgresConnections(), { legend: "open" }), promQuery("B", postgresMaxConnections(), { legend: "max_connections" })],
        unit: "short",
        min: 0,
        dashed: "max_connections",
        w: 6,
        h: 6,
      }),
    )
    .withPanel(
      timeSeries({
        title: "Postgres transactions",
        description: "Commits and rollbacks per second; rollbacks are failed upserts.",
        targets: [promQuery("A", postgresCommitRate(RATE_WINDOW), { legend: "commits" }), promQuery("B", postgresRollbackRate(RATE_WINDOW), { legend: "rollbacks" })],
        unit: "ops",
        min: 0,
        w: 7,
        h: 6,
      }),
    )
    .withPanel(timeSeries({ title: "Postgres database size", description: "Size of each database.", targets: [promQuery("A", postgresDatabaseBytes(), { legend: "{{datname}}" })], unit: "bytes", min: 0, w: 7, h: 6 }));

  return finish(builder);

  function upStat(service: "redis" | "postgres", alert: string) {
    return statPanel({
      title: `${service === "redis" ? "Redis" : "Postgres"} up`,
      description: `Whether the exporter reaches ${service}; red when it cannot (${alert}).`,
      targets: [promQuery("A", datastoreUp(service), { instant: true })],
      unit: "none",
      steps: stepsFor(alertDefinition(config, alert)),
      mappings: [upDown],
      tile: true,
      w: 4,
      h: 6,
      links: [linkTo(`Logs of ${service}`, "logs", service)],
    });
  }
}
