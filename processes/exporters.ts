import { nodeExporterFlags, postgresExporterFlags, redisExporterFlags } from "../render/exporter-flags";
import { toolPath } from "../toolchain";
import { ExitInfo, ManagedProcess, startManagedProcess, waitForReady } from "./managed-process";
import { getFreePort } from "./ports";

/** One Prometheus exporter on 127.0.0.1, ready when its /metrics answers. */
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
  /** Defaults to the pinned toolchain build. */
  binary?: string;
  /** Defaults to 15 s. */
  readyTimeoutMs?: number;
}

/** One exporter of the pinned toolchain on 127.0.0.1, with the flags every target passes it. */
async function startExporter(name: string, command: string, args: (port: number) => string[], env: NodeJS.ProcessEnv | undefined, options: ExporterOptions): Promise<Exporter> {
  const port = options.port ?? (await getFreePort());
  const url = `http://127.0.0.1:${port}`;
  const child = startManagedProcess({ name: `${name}:${port}`, command: options.binary ?? command, args: args(port), env });
  await waitForReady(child, "/metrics", async () => (await fetch(`${url}/metrics`)).ok, options.readyTimeoutMs ?? 15_000);
  return { port, url, process: child, stop: (timeoutMs) => child.stop(timeoutMs) };
}

/**
 * redis_exporter watching one Redis; the checked keys export the queue length the queue alerts read.
 * `passwordFile` holds render/redis.ts redisExporterPasswordFile() for a Redis that requires a password.
 */
export function startRedisExporter(redisUrl: string, options: ExporterOptions & { passwordFile?: string } = {}): Promise<Exporter> {
  return startExporter("redis-exporter", toolPath("redis_exporter"), (port) => [`--redis.addr=${redisUrl}`, ...redisExporterFlags(`127.0.0.1:${port}`, undefined, options.passwordFile)], undefined, options);
}

/** Where postgres_exporter connects, as the stacks give it: host:port/database, user, password file. */
export interface PostgresSource {
  /** e.g. "127.0.0.1:5432/postgres?sslmode=disable" */
  uri: string;
  user: string;
  /** Defaults to none (a trust-auth cluster). */
  passwordFile?: string;
}

/** postgres_exporter watching one Postgres, through DATA_SOURCE_URI/USER/PASS_FILE as on Docker and Kubernetes. */
export function startPostgresExporter(source: PostgresSource, options: ExporterOptions = {}): Promise<Exporter> {
  const env = { PATH: process.env.PATH, DATA_SOURCE_URI: source.uri, DATA_SOURCE_USER: source.user, ...(source.passwordFile ? { DATA_SOURCE_PASS_FILE: source.passwordFile } : {}) };
  return startExporter("postgres-exporter", toolPath("postgres_exporter"), (port) => postgresExporterFlags(`127.0.0.1:${port}`), env, options);
}

/** node_exporter for this machine (the host CPU, memory and filesystem panels). */
export function startNodeExporter(options: ExporterOptions = {}): Promise<Exporter> {
  return startExporter("node-exporter", toolPath("node_exporter"), (port) => nodeExporterFlags(`127.0.0.1:${port}`), undefined, options);
}
