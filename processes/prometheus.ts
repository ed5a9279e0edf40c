import { mkdir } from "node:fs/promises";
import { ExitInfo, ManagedProcess, startManagedProcess, waitForReady, relaunchable } from "./managed-process";
import { getFreePort } from "./ports";
import { toolPath } from "../toolchain";

export interface PrometheusOptions {
  /** The rendered prometheus.yml. */
  configFile: string;
  /** TSDB folder (blocks and WAL); kept across restarts. */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  /**
   * How often a firing alert is sent again to Alertmanager (`--rules.alert.resend-delay`).
   * Defaults to Prometheus' 1m; a time-scaled profile shortens it with everything else.
   */
  alertResendDelay?: string;
  /** Defaults to 15d. */
  retention?: string;
  /** Defaults to the pinned toolchain build (`npm run toolchain`). */
  binary?: string;
  /** Defaults to 30 s (WAL replay after a kill takes a moment). */
  readyTimeoutMs?: number;
  /**
   * Accept remote writes on /api/v1/write (`--web.enable-remote-write-receiver`), both protocol 1.0
   * and 2.0 messages: a stand-in for a long-term store. Defaults to off.
   */
  remoteWriteReceiver?: boolean;
  /** More flags, e.g. remoteWriteFlags(config) from render/remote-write.ts. Defaults to none. */
  extraArgs?: readonly string[];
  /** Added to this process' environment, e.g. POD_NAME for the replica external label. Defaults to none. */
  env?: Record<string, string>;
}

/** The protobuf messages a receiver accepts (`--web.remote-write-receiver.accepted-protobuf-messages`, repeatable). */
const REMOTE_WRITE_RECEIVER_FLAGS = [
  "--web.enable-remote-write-receiver",
  "--web.remote-write-receiver.accepted-protobuf-messages=prometheus.WriteRequest",
  "--web.remote-write-receiver.accepted-protobuf-messages=io.prometheus.write.v2.Request",
] as const;

export interface PrometheusServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  /** SIGTERM (clean shutdown, head compacted), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL: only the WAL keeps the recent samples. */
  kill(): Promise<ExitInfo>;
  /** Starts again (after stop or kill) on the same port and TSDB; waits until /-/ready. */
  start(): Promise<void>;
  /** Re-reads prometheus.yml and the rule files (POST /-/reload, --web.enable-lifecycle). */
  reload(): Promise<void>;
  /** URLs of the Alertmanagers its notifier knows now (GET /api/v1/alertmanagers). */
  alertmanagers(): Promise<string[]>;
}

/** One Prometheus on 127.0.0.1 with the lifecycle API on, ready when /-/ready answers. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  await mkdir(options.dataDir, { recursive: true });
  const port = options.port ?? (await getFreePort());
  const url = `http://127.0.0.1:${port}`;
  const launch = async (): Promise<ManagedProcess> => {
    const child = startManagedProcess({
      name: `prometheus:${port}`,
      command: options.binary ?? toolPath("prometheus"),
      args: [
        `--config.file=${options.configFile}`,
        `--storage.tsdb.path=${options.dataDir}`,
        `--storage.tsdb.retention.time=${options.retention ?? "15d"}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${url}`,
        "--web.enable-lifecycle",
        `--rules.alert.resend-delay=${options.alertResendDelay ?? "1m"}`,
        "--log.level=warn",
        ...(options.remoteWriteReceiver ? REMOTE_WRITE_RECEIVER_FLAGS : []),
        ...(options.extraArgs ?? []),
      ],
      env: options.env ? { ...process.env, ...options.env } : undefined,
    });
    await waitForReady(child, "/-/ready", async () => (await fetch(`${url}/-/ready`)).ok, options.readyTimeoutMs ?? 30_000);
    return child;
  };
  const instance = await relaunchable(launch);
  return {
    port,
    url,
    get process() {
      return instance.process;
    },
    stop: instance.stop,
    kill: instance.kill,
    start: instance.start,
    async reload() {
      const response = await fetch(`${url}/-/reload`, { method: "POST" });
      if (!response.ok) throw new Error(`prometheus reload failed: ${response.status} ${await response.text()}`);
    },
    async alertmanagers() {
      const body = (await (await fetch(`${url}/api/v1/alertmanagers`, { signal: AbortSignal.timeout(5_000) })).json()) as { data: { activeAlertmanagers: Array<{ url: string }> } };
      return body.data.activeAlertmanagers.map((a) => a.url);
    },
  };
}

/**
 * Loads the rule files into a running Prometheus only once its notifier knows an Alertmanager:
 * `place` writes them (prometheus.yml already names them; a missing rule file is no error), then
 * the config is reloaded. Prometheus evaluates rules from its start while it learns its
 * Alertmanagers a moment later (service discovery); an alert evaluated in between is handed to
 * no Alertmanager, dropped without a trace, and sent again only after --rules.alert.resend-delay
 * (the first Watchdog was lost for a minute). Returns the Alertmanagers it knew.
 */
export async function loadRulesOnceAlertmanagerKnown(prometheus: PrometheusServer, place: () => void, timeoutMs = 15_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let known = await prometheus.alertmanagers();
  while (known.length === 0) {
    if (Date.now() > deadline) throw new Error(`prometheus:${prometheus.port} discovered no Alertmanager within ${timeoutMs / 1000}s; rules not loaded`);
    await new Promise((done) => setTimeout(done, 50));
    known = await prometheus.alertmanagers();
  }
  place();
  await prometheus.reload();
  return known;
}
