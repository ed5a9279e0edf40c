import { Command, Option } from "commander";
import { rmSync } from "node:fs";
import { relative, resolve } from "node:path";
import { runMain } from "../config/errors";
import { formatReport } from "../status/format";
import { collectStatus } from "../status/lights";
import { TIME_SCALED_PROFILE } from "./profiles";
import { startProgress } from "./progress";
import { MissingPackagesError, missingPackages } from "../setup/debian";
import { DEV_STACK_FILE, startLocalStack, type LocalEndpoint, type LocalStack } from "./stack";
import { DEFAULT_STATE_DIR, readRunningState, removeStateFile, writeStateFile } from "./state-file";
import type { SupervisorEvent } from "./supervisor";
import { startTraffic, type Traffic } from "./traffic";

interface MainOptions {
  stateDir: string;
  stack: string;
  fast?: boolean;
  fresh?: boolean;
  traffic: number;
  once?: boolean;
  votePort?: number;
  resultPort?: number;
  prometheusPort?: number;
  alertmanagerPort?: number;
  inboxPort?: number;
}

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`invalid port ${JSON.stringify(value)}: expected 1-65535`);
  return n;
};
const portOption = (name: string, what: string) => new Option(`--${name}-port <port>`, `${what} port (default: a free port)`).env(`VOTEOBS_${name.toUpperCase()}_PORT`).argParser(port);

const program = new Command("local")
  .description("Run the whole stack on this machine as processes on 127.0.0.1: the rendered configs of the dev stack, real Prometheus, Alertmanager, Redis, Postgres, exporters and our services, with local stand-ins for Slack and the mail server.")
  .addOption(new Option("--state-dir <dir>", "rendered files, secrets, data and logs").default(DEFAULT_STATE_DIR).env("VOTEOBS_STATE_DIR"))
  .addOption(new Option("--stack <file>", "stack file to render").default(DEV_STACK_FILE))
  .addOption(new Option("--fast", "time-scaled profile: scrape every second, alerts within seconds (as the end-to-end tests)").env("VOTEOBS_FAST"))
  .addOption(new Option("--fresh", "delete the state folder first (votes, metrics, notification log)"))
  .addOption(new Option("--traffic <votes-per-second>", "send steady votes and page views to the app").default(0).argParser(Number))
  .addOption(new Option("--once", "start, print the URLs and the status, then stop (a smoke test)"))
  .addOption(portOption("vote", "vote app"))
  .addOption(portOption("result", "result app"))
  .addOption(portOption("prometheus", "Prometheus"))
  .addOption(portOption("alertmanager", "Alertmanager"))
  .addOption(portOption("inbox", "inbox page (received Slack messages and emails)"))
  .parse();

runMain(async () => {
  const options = program.opts<MainOptions>();
  const stateDir = resolve(options.stateDir);
  // `npm run local` installs them first (setup/main.ts); started directly, say what is missing.
  const missing = missingPackages("local");
  if (missing.length > 0) throw new MissingPackagesError(missing);

  const running = readRunningState(stateDir);
  if (running !== undefined) throw new Error(`a local stack already runs from ${stateDir} (pid ${running.pid}); stop it with Ctrl-C there, or pass another --state-dir`);
  if (options.fresh) rmSync(stateDir, { recursive: true, force: true });

  const stopRequested = watchSignals();
  const progress = startProgress();
  const overlays = options.fast ? [TIME_SCALED_PROFILE as Record<string, unknown>] : [];
  const ports: Partial<Record<LocalEndpoint, number>> = {
    vote: options.votePort,
    result: options.resultPort,
    prometheus: options.prometheusPort,
    alertmanager: options.alertmanagerPort,
    inbox: options.inboxPort,
  };
  const began = Date.now();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ stateDir, stackFile: resolve(options.stack), overlays, ports, onProgress: progress.onProgress, onServiceEvent: (e) => progress.log(describeEvent(e)) });
  } catch (error) {
    progress.done();
    if (stopRequested.requested) return 130; // the children got the terminal's Ctrl-C too; their failure is no news
    throw error;
  }
  progress.done();

  writeStateFile({ pid: process.pid, startedAt: new Date().toISOString(), stateDir, stackFile: resolve(options.stack), overlays, urls: stack.urls });
  let traffic: Traffic | undefined;
  if (!stopRequested.requested) {
    console.log(await urlsText(stack, (Date.now() - began) / 1000, options.fast === true));
    if (options.traffic > 0) {
      traffic = startTraffic({ voteUrl: stack.urls.vote, resultUrl: stack.urls.result, votesPerSecond: options.traffic });
      console.log(`Sending ${options.traffic} votes per second (--traffic).`);
    }
    const report = await collectStatus(stack.config, { prometheusUrl: stack.urls.prometheus, alertmanagerUrl: stack.urls.alertmanager });
    console.log(`\n${formatReport(report, process.stdout.isTTY === true)}\n`);
    if (!options.once) {
      console.log("Running. `npm run status` shows the lights again; Ctrl-C stops everything.");
      await stopRequested.promise;
    }
  }

  console.log("\nStopping...");
  await traffic?.stop();
  await stack.stop();
  removeStateFile(stateDir);
  console.log("Stopped; nothing left running. Data stays in", stateDir);
  return 0;
});

/** A repeat of the signal within this is the same Ctrl-C (tsx's CLI relays it again to its child). */
const SAME_SIGNAL_MS = 1_000;

/**
 * Resolves on the first SIGINT/SIGTERM/SIGHUP. A second one, a moment later, exits at once (every
 * child is killed on exit); one arriving within a second is the first one relayed again and ignored.
 */
function watchSignals(): { promise: Promise<void>; readonly requested: boolean } {
  let firstAt: number | undefined;
  let resolveStop: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (resolveStop = resolve));
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        resolveStop();
      } else if (Date.now() - firstAt > SAME_SIGNAL_MS) {
        console.error("\nStopping at once.");
        process.exit(130);
      }
    });
  }
  return {
    promise,
    get requested() {
      return firstAt !== undefined;
    },
  };
}

function describeEvent(event: SupervisorEvent): string {
  switch (event.kind) {
    case "crashed":
      return `! ${event.name} exited (${event.signal ?? `code ${event.code}`}); restarting in ${(event.restartInMs / 1000).toFixed(1)}s`;
    case "restarted":
      return `✓ ${event.name} restarted (${event.restarts} restart${event.restarts === 1 ? "" : "s"} so far)`;
    case "restart-failed":
      return `! ${event.name} failed to restart: ${event.error}`;
  }
}

/**
 * Whether a web UI answers at `url`. Prometheus and Alertmanager built from their Go modules (npm run
 * toolchain) have none: Prometheus answers 500, Alertmanager the toolchain's placeholder page.
 */
async function hasWebUi(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return response.ok && !(await response.text()).includes("No web UI in this build");
  } catch {
    return false;
  }
}

/** The banner: every link in it answers a GET (test/e2e/local-command.test.ts fetches each one). */
async function urlsText(stack: LocalStack, seconds: number, fast: boolean): Promise<string> {
  const fromHere = relative(process.cwd(), `${stack.stateDir}/logs`);
  const logs = fromHere.startsWith("..") ? `${stack.stateDir}/logs` : fromHere;
  const [prometheusUi, alertmanagerUi] = await Promise.all([hasWebUi(`${stack.urls.prometheus}/query`), hasWebUi(stack.urls.alertmanager)]);
  const errors = stack.config.alerts.voteErrorRatio;
  return [
    "",
    `voteobs runs locally (${seconds.toFixed(1)}s${fast ? ", time-scaled profile" : ""}); state in ${stack.stateDir}`,
    "",
    `  vote           ${stack.urls.vote}`,
    `  result         ${stack.urls.result}`,
    prometheusUi ? `  Prometheus     ${stack.urls.prometheus}/alerts` : `  Prometheus     ${stack.urls.prometheus}/api/v1/alerts   (HTTP API: this build has no web UI)`,
    alertmanagerUi ? `  Alertmanager   ${stack.urls.alertmanager}` : `  Alertmanager   ${stack.urls.alertmanager}/api/v2/alerts   (HTTP API: this build has no web UI)`,
    `  inbox          ${stack.urls.inbox}   (what Slack and email received)`,
    `  Slack (JSON)   ${stack.urls.slackMessages}`,
    `  email (JSON)   ${stack.urls.emails}`,
    `  dead man's sw. ${stack.urls.deadMansSwitch}`,
    `  service logs   ${logs}/{vote,worker,result}.log`,
    "",
    "Grafana and Loki are not part of the local target (they deploy with `npm run up`): the lights are",
    "`npm run status`, the notifications the inbox page, the logs the files above. The dashboard and",
    "log links inside the notifications point at the Grafana of grafana.externalUrl.",
    "",
    "The seed's scenario: make 30% of vote requests fail, then stop it:",
    `  curl -X PUT -d '{"errorRatio":0.3}' ${stack.urls.vote}/-/fault`,
    `  curl -X PUT -d '{"errorRatio":0}' ${stack.urls.vote}/-/fault`,
    `(with traffic: --traffic 20; VoteHighErrorRate fires after ${errors.for} above ${errors.threshold * 100}%${fast ? "" : "; --fast makes that seconds"})`,
  ].join("\n");
}
