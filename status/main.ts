import { Command } from "commander";
import { resolve } from "node:path";
import { loadStackFile } from "../config/load";
import { DEFAULT_STATE_DIR, readRunningState } from "../local/state-file";
import { runMain } from "../config/errors";
import { formatReport } from "./format";
import { collectStatus } from "./lights";
import { trimSlash } from "../queries/links";

interface StatusOptions {
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  stack?: string;
  stateDir: string;
  json?: boolean;
}

const program = new Command("status")
  .description(
    "Traffic light per service (up, error ratio, p95 latency, queue depth, restarts, CPU, memory) and the firing alerts, " +
      "read from Prometheus and Alertmanager. Exits 1 when anything is red.",
  )
  .option("--prometheus-url <url>", "Prometheus to query (default: the running `npm run local` stack)")
  .option("--alertmanager-url <url>", "Alertmanager to read firing alerts from (default: the running local stack; without one, Prometheus' alerts)")
  .option("--stack <file>", "stack file whose windows the values are read over (default: the one the local stack runs, else Pulumi.dev.yaml); the colours come from the alerts' states in Prometheus (ALERTS)")
  .option("--state-dir <dir>", "state folder of `npm run local`", DEFAULT_STATE_DIR)
  .option("--json", "print the report as JSON for scripts")
  .parse();

runMain(async () => {
  const options = program.opts<StatusOptions>();
  const state = readRunningState(resolve(options.stateDir));
  const prometheusUrl = options.prometheusUrl ?? state?.urls.prometheus;
  if (prometheusUrl === undefined) {
    throw new Error(`no local stack is running (no live state file in ${options.stateDir}); start one with \`npm run local\` or pass --prometheus-url`);
  }
  const alertmanagerUrl = options.alertmanagerUrl ?? (options.prometheusUrl === undefined ? state?.urls.alertmanager : undefined);
  const { config } =
    options.stack !== undefined ? loadStackFile(resolve(options.stack)) : state !== undefined ? loadStackFile(state.stackFile, state.overlays) : loadStackFile(resolve(__dirname, "..", "Pulumi.dev.yaml"));

  const report = await collectStatus(config, { prometheusUrl: trimSlash(prometheusUrl), alertmanagerUrl: alertmanagerUrl === undefined ? undefined : trimSlash(alertmanagerUrl) });
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report, process.stdout.isTTY === true)}\n`);
  return report.light === "red" ? 1 : 0;
});
