import { chmodSync, createWriteStream, mkdirSync, rmSync, statSync, writeFileSync, type WriteStream } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { loadStackFile } from "../config/load";
import type { StackConfig } from "../config/schema";
import { renderAll, type RenderedFiles, type Topology } from "../render";
import { appEnvironment } from "../render/app-environment";
import { remoteWriteFlags } from "../render/remote-write";
import { startAlertmanager, type AlertmanagerServer } from "../processes/alertmanager";
import { startNodeExporter, startPostgresExporter, startRedisExporter, type Exporter } from "../processes/exporters";
import { getFreePort } from "../processes/ports";
import { startPostgres, type PostgresServer } from "../processes/postgres";
import { loadRulesOnceAlertmanagerKnown, startPrometheus, type PrometheusServer } from "../processes/prometheus";
import { startRedis, type RedisServer } from "../processes/redis";
import type { ServiceName } from "../processes/service";
import { startInbox, type Inbox } from "./inbox";
import { alertResendDelay, localOverlay } from "./profiles";
import { startSlackReceiver, type SlackReceiver } from "./receivers/slack";
import { startSmtpReceiver, type SmtpReceiver } from "./receivers/smtp";
import { startWebhookReceiver, type WebhookReceiver } from "./receivers/webhook";
import { postgresBinDir } from "../setup/debian";
import { ensureAppSecrets, localMailAccount, writeAlertmanagerSecrets, writePrometheusStoreSecrets, writeRedisExporterPasswords } from "./secrets";
import type { LocalState } from "./state-file";
import { superviseService, type SupervisedService, type SupervisorEvent } from "./supervisor";
import { waitForTargetsUp } from "./targets";
import { LOCAL_COMPONENTS, localTopology, type LocalComponent, type LocalPorts } from "./topology";

export const REPO_ROOT = resolve(__dirname, "..");
export const DEV_STACK_FILE = join(REPO_ROOT, "Pulumi.dev.yaml");

/** Ports of the stand-ins and the inbox page, beside the components' own. */
export type LocalEndpoint = LocalComponent | "inbox" | "slack" | "smtp" | "deadMansSwitch";

export interface LocalStackOptions {
  /** Rendered files, secrets, data and logs all live here. */
  stateDir: string;
  /** Defaults to the dev stack (Pulumi.dev.yaml). */
  stackFile?: string;
  /** Config overlays on top of the stack file, e.g. the time-scaled profile. */
  overlays?: Record<string, unknown>[];
  /** Fixed ports; every other one is a free port picked at start. */
  ports?: Partial<Record<LocalEndpoint, number>>;
  /** Called as each step starts and ends (progress output). */
  onProgress?: (event: ProgressEvent) => void;
  /** Called when a supervised service crashes or restarts. */
  onServiceEvent?: (event: SupervisorEvent) => void;
}

export type ProgressEvent = { step: StartStep; status: "started" | "done"; detail?: string };

/** The steps of a start, in order; the progress bar counts them. */
export const START_STEPS = [
  "receivers",
  "render",
  "redis",
  "postgres",
  "redis-exporter",
  "postgres-exporter",
  "node-exporter",
  "vote",
  "worker",
  "result",
  "alertmanager",
  "prometheus",
  "rules",
  "targets",
] as const;
export type StartStep = (typeof START_STEPS)[number];

export interface LocalStack {
  readonly stateDir: string;
  readonly config: StackConfig;
  readonly topology: Topology;
  readonly files: RenderedFiles;
  readonly ports: LocalPorts;
  readonly urls: LocalState["urls"];
  readonly redis: RedisServer;
  readonly postgres: PostgresServer;
  readonly services: Record<"vote" | "worker" | "result", SupervisedService>;
  readonly exporters: { redis: Exporter; postgres: Exporter; node: Exporter };
  readonly alertmanager: AlertmanagerServer;
  readonly prometheus: PrometheusServer;
  readonly receivers: { slack: SlackReceiver; smtp: SmtpReceiver; deadMansSwitch: WebhookReceiver };
  readonly inbox: Inbox;
  /** Stops every process and server, last started first; never throws. */
  stop(): Promise<void>;
}

/** Folders the local target places rendered files in: only components it runs. */
const PLACED = ["prometheus/", "alertmanager/"];
/** Rule files: placed only once Prometheus knows its Alertmanager (see loadRulesOnceAlertmanagerKnown). */
const RULES = "prometheus/rules/";

/**
 * Starts the whole local target: stand-in receivers, render with the local topology, Redis and
 * Postgres, exporters, our three services (supervised), Alertmanager and Prometheus, then waits
 * until Prometheus scrapes every target. On any failure, whatever started is stopped again.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stateDir = resolve(options.stateDir);
  const stackFile = options.stackFile ?? DEV_STACK_FILE;
  const overlays = options.overlays ?? [];
  const progress = options.onProgress ?? (() => undefined);
  const stoppers: Array<() => Promise<unknown>> = [];
  const stopAll = async (): Promise<void> => {
    while (stoppers.length > 0) await stoppers.pop()!().catch(() => undefined);
  };
  const step = async <T>(name: StartStep, run: () => Promise<T>, detail?: (value: T) => string): Promise<T> => {
    progress({ step: name, status: "started" });
    const value = await run();
    progress({ step: name, status: "done", detail: detail?.(value) });
    return value;
  };

  try {
    mkdirSync(stateDir, { recursive: true });
    allowPostgresUser(stateDir);
    const baseConfig = loadStackFile(stackFile, overlays).config;
    const mail = localMailAccount(baseConfig);

    const receivers = await step(
      "receivers",
      async () => {
        const slack = await startSlackReceiver(options.ports?.slack ?? 0);
        stoppers.push(() => slack.close());
        const smtp = await startSmtpReceiver({ port: options.ports?.smtp, auth: mail });
        stoppers.push(() => smtp.close());
        const deadMansSwitch = await startWebhookReceiver({ port: options.ports?.deadMansSwitch });
        stoppers.push(() => deadMansSwitch.close());
        return { slack, smtp, deadMansSwitch };
      },
      (r) => `Slack on :${r.slack.port}, SMTP on :${r.smtp.port}, dead man's switch on :${r.deadMansSwitch.port}`,
    );

    const { config, topology, files, ports, appSecrets } = await step(
      "render",
      async () => {
        const ports = await pickPorts(options.ports ?? {});
        const overlay = localOverlay(baseConfig, { smtpSmarthost: receivers.smtp.smarthost, deadMansSwitchUrl: receivers.deadMansSwitch.url });
        const config = loadStackFile(stackFile, [...overlays, overlay]).config;
        const topology = localTopology(ports, stateDir);
        const files = renderAll(config, topology);
        // Rule files of an earlier run must not be there when Prometheus starts either.
        rmSync(join(stateDir, RULES), { recursive: true, force: true });
        placeRenderedFiles(stateDir, files, (path) => !path.startsWith(RULES));
        writeAlertmanagerSecrets(topology.paths.alertmanagerSecrets, config, receivers.slack.url, mail);
        writePrometheusStoreSecrets(topology.paths.prometheusSecrets, config);
        const appSecrets = ensureAppSecrets(topology.app.secretFiles);
        return { config, topology, files, ports, appSecrets };
      },
      () => `rendered into ${stateDir}`,
    );

    const data = (name: string) => join(stateDir, "data", name);
    // Each component is registered for stopping as soon as it runs, so a failure of its sibling started in parallel leaves nothing behind.
    const stopped = <T extends { stop(): Promise<unknown> }>(component: T): T => {
      stoppers.push(() => component.stop());
      return component;
    };
    const [redis, postgres] = await Promise.all([
      step("redis", async () => stopped(await startRedis({ dataDir: data("redis"), port: ports.redis, persistence: "aof", password: appSecrets.redisPassword })), (r) => `127.0.0.1:${r.port} (password in ${topology.app.secretFiles.redisPassword})`),
      step("postgres", async () => stopped(await startPostgres({ baseDir: data("postgres"), port: ports.postgres, binDir: postgresBinDir(), durable: true, database: topology.app.postgres.database, password: appSecrets.postgresPassword })), (p) => `${p.host}:${p.port} (password in ${topology.app.secretFiles.postgresPassword})`),
    ]);

    const exporterList = await Promise.all([
      step("redis-exporter", async () => stopped(await startRedisExporter(redis.url, { port: ports["redis-exporter"], passwordFile: writeRedisExporterPasswords(dirname(topology.app.secretFiles.redisPassword), redis.url, appSecrets.redisPassword) })), (e) => `127.0.0.1:${e.port}`),
      step(
        "postgres-exporter",
        async () => stopped(await startPostgresExporter({ uri: `127.0.0.1:${postgres.port}/${postgres.database}?sslmode=disable`, user: postgres.user, passwordFile: topology.app.secretFiles.postgresPassword }, { port: ports["postgres-exporter"] })),
        (e) => `127.0.0.1:${e.port}`,
      ),
      step("node-exporter", async () => stopped(await startNodeExporter({ port: ports["node-exporter"] })), (e) => `127.0.0.1:${e.port}`),
    ]);
    const exporters = { redis: exporterList[0], postgres: exporterList[1], node: exporterList[2] };

    const logs = openServiceLogs(join(stateDir, "logs"));
    stoppers.push(() => logs.close());
    const serviceEnv = appEnvironment(config, topology.app);
    const supervise = (name: "vote" | "worker" | "result") =>
      step(
        name,
        async () => stopped(await superviseService({ name, port: ports[name], env: serviceEnv[name], waitForReadiness: true, onLine: logs.writer(name), onEvent: options.onServiceEvent })),
        (s) => `127.0.0.1:${s.port}`,
      );
    const [vote, worker, result] = await Promise.all([supervise("vote"), supervise("worker"), supervise("result")]);

    const alertmanager = await step(
      "alertmanager",
      () => startAlertmanager({ configFile: join(stateDir, "alertmanager/alertmanager.yml"), dataDir: data("alertmanager"), port: ports.alertmanager }),
      (a) => `127.0.0.1:${a.port}`,
    );
    stoppers.push(() => alertmanager.stop());

    const prometheus = await step(
      "prometheus",
      () =>
        startPrometheus({
          configFile: join(stateDir, "prometheus/prometheus.yml"),
          dataDir: data("prometheus"),
          port: ports.prometheus,
          alertResendDelay: alertResendDelay(config),
          // As the stacks run it: remote-write 2.0 sends metadata only with it in the WAL.
          extraArgs: remoteWriteFlags(config),
        }),
      (p) => `127.0.0.1:${p.port}`,
    );
    stoppers.push(() => prometheus.stop());

    await step(
      "rules",
      () => loadRulesOnceAlertmanagerKnown(prometheus, () => placeRenderedFiles(stateDir, files, (path) => path.startsWith(RULES))),
      (alertmanagers) => `loaded once Prometheus knew ${alertmanagers.join(", ")}`,
    );

    await step("targets", () => waitForTargetsUp(prometheus.url, 30_000), (n) => `${n} scrape targets up`);

    const inbox = await startInbox(receivers, options.ports?.inbox ?? 0);
    stoppers.push(() => inbox.close());

    return {
      stateDir,
      config,
      topology,
      files,
      ports,
      urls: {
        vote: vote.url,
        result: result.url,
        prometheus: prometheus.url,
        alertmanager: alertmanager.url,
        inbox: inbox.url,
        slackMessages: `${inbox.url}/slack`,
        emails: `${inbox.url}/email`,
        deadMansSwitch: `${inbox.url}/deadmansswitch`,
      },
      redis,
      postgres,
      services: { vote, worker, result },
      exporters,
      alertmanager,
      prometheus,
      receivers,
      inbox,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * As root, Postgres runs as the postgres user, which must be able to traverse the state folder to
 * reach its data (a mkdtemp folder is 0700).
 */
function allowPostgresUser(stateDir: string): void {
  if (process.getuid?.() !== 0) return;
  const mode = statSync(stateDir).mode & 0o777;
  if ((mode & 0o001) === 0) chmodSync(stateDir, mode | 0o001);
}

/** The given ports, and a free one for every other component. */
async function pickPorts(fixed: Partial<Record<LocalEndpoint, number>>): Promise<LocalPorts> {
  const ports = {} as LocalPorts;
  for (const component of LOCAL_COMPONENTS) ports[component] = fixed[component] ?? (await getFreePort());
  return ports;
}

/** Writes the files of the components this target runs that `which` selects; rule files and templates are replaced as a whole. */
function placeRenderedFiles(stateDir: string, files: RenderedFiles, which: (path: string) => boolean): void {
  if (which(RULES)) rmSync(join(stateDir, RULES), { recursive: true, force: true });
  if (which("alertmanager/templates/")) rmSync(join(stateDir, "alertmanager/templates"), { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    if (!PLACED.some((folder) => path.startsWith(folder)) || !which(path)) continue;
    mkdirSync(dirname(join(stateDir, path)), { recursive: true });
    writeFileSync(join(stateDir, path), text);
  }
}

/** One append-only log file per service under `dir` (the local stand-in for Loki). */
function openServiceLogs(dir: string): { writer(name: ServiceName): (line: string) => void; close(): Promise<void> } {
  mkdirSync(dir, { recursive: true });
  const streams = new Map<ServiceName, WriteStream>();
  return {
    writer(name) {
      const stream = createWriteStream(join(dir, `${name}.log`), { flags: "a" });
      streams.set(name, stream);
      return (line) => stream.write(`${line}\n`);
    },
    async close() {
      await Promise.all([...streams.values()].map((s) => new Promise((resolve) => s.end(resolve))));
    },
  };
}
