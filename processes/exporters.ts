import { writeFile } from "node:fs/promises";
import { QUEUE_KEY } from "../queries/queue";
import { ExitInfo, ManagedProcess, startManagedProcess, waitForReady } from "./managed-process";
import { getFreePort } from "./ports";

/** One Prometheus exporter (Debian package) on 127.0.0.1, ready when its /metrics answers. */
export interface Exporter {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  stop(timeoutMs?: number): Promise<ExitInfo>;
}

export interface ExporterOptions {
  /** Defaults to a free port. */
  port?: number;
  /** Defaults to the Debian binary name. */
  binary?: string;
  /** Defaults to 15 s. */
  readyTimeoutMs?: number;
}

export const EXPORTER_BINARIES = {
  redis: "prometheus-redis-exporter",
  postgres: "prometheus-postgres-exporter",
  node: "prometheus-node-exporter",
} as const;

async function startExporter(name: string, command: string, args: (port: number) => string[], env: NodeJS.ProcessEnv | undefined, options: ExporterOptions): Promise<Exporter> {
  const port = options.port ?? (await getFreePort());
  const url = `http://127.0.0.1:${port}`;
  const child = startManagedProcess({ name: `${name}:${port}`, command: options.binary ?? command, args: args(port), env });
  await waitForReady(child, "/metrics", async () => (await fetch(`${url}/metrics`)).ok, options.readyTimeoutMs ?? 15_000);
  return { port, url, process: child, stop: (timeoutMs) => child.stop(timeoutMs) };
}

/**
 * redis_exporter watching one Redis. `--check-single-keys` exports the length of the vote queue
 * as `redis_key_size{key="votes"}`, which the queue alerts read.
 */
export function startRedisExporter(redisUrl: string, options: ExporterOptions = {}): Promise<Exporter> {
  return startExporter(
    "redis-exporter",
    EXPORTER_BINARIES.redis,
    (port) => [`-redis.addr=${redisUrl}`, `-web.listen-address=127.0.0.1:${port}`, `-check-single-keys=db0=${QUEUE_KEY}`],
    undefined,
    options,
  );
}

/**
 * Debian's postgres_exporter (0.11) has no built-in postmaster collector (0.12+ has), so the start
 * time the crash-loop and restart queries read comes from this custom query, as upstream's example.
 */
const POSTMASTER_QUERY = `pg_postmaster:
  query: "SELECT extract(epoch from pg_postmaster_start_time()) AS start_time_seconds"
  master: true
  metrics:
    - start_time_seconds:
        usage: "GAUGE"
        description: "Time at which postmaster started"
`;

/**
 * postgres_exporter watching one Postgres, connection string in DATA_SOURCE_NAME as the exporter
 * expects; `queriesFile` is where the postmaster query is written.
 */
export async function startPostgresExporter(dataSourceName: string, queriesFile: string, options: ExporterOptions = {}): Promise<Exporter> {
  await writeFile(queriesFile, POSTMASTER_QUERY);
  return startExporter(
    "postgres-exporter",
    EXPORTER_BINARIES.postgres,
    (port) => [`--web.listen-address=127.0.0.1:${port}`, `--extend.query-path=${queriesFile}`, "--log.level=warn"],
    { PATH: process.env.PATH, DATA_SOURCE_NAME: dataSourceName },
    options,
  );
}

/** node_exporter for this machine (the host CPU, memory and filesystem panels). */
export function startNodeExporter(options: ExporterOptions = {}): Promise<Exporter> {
  return startExporter("node-exporter", EXPORTER_BINARIES.node, (port) => [`--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], undefined, options);
}
