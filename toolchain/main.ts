import { runMain } from "../config/errors";
import { buildTool } from "./build";
import { checkGo, GoMissingError } from "./go";
import { TOOLS, toolchainDir } from "./index";
import { buildKubernetesSchemas, KUBERNETES_SCHEMA_PIN } from "./kubernetes-schemas";

/**
 * `npm run toolchain`: builds every pinned upstream tool of config/versions.ts from its Go module
 * with this machine's go, into the per-user cache, reusing what is already built there, then the
 * Kubernetes JSON schemas kubeconform validates the k8s stack against.
 * `--json` prints `{"<tool>": {"version": "<x.y.z>", "path": "<absolute path>"}}` on stdout.
 */
runMain(async () => {
  const json = process.argv.includes("--json");
  const log = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  let goVersion: string;
  try {
    goVersion = checkGo(process.env);
  } catch (error) {
    if (error instanceof GoMissingError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const began = Date.now();
  log(`toolchain: ${TOOLS.length} pinned tools in ${toolchainDir()} (${goVersion})`);
  const listing: Record<string, { version: string; path: string }> = {};
  let index = 0;
  for (const tool of TOOLS) {
    index++;
    const label = `[${index}/${TOOLS.length}] ${tool.name} ${tool.release}`;
    const start = Date.now();
    const ticker = startTicker(json, label, start);
    try {
      const result = await buildTool(tool, process.env);
      ticker.stop();
      log(result.cached ? `${label}: cached` : `${label}: built in ${seconds(start)} (${result.method}, ${tool.go.module}@${tool.go.version})`);
      listing[tool.name] = { version: tool.release, path: result.path };
    } catch (error) {
      ticker.stop();
      log(`${label}: FAILED after ${seconds(start)}`);
      throw error;
    }
  }
  {
    const label = `[schemas] Kubernetes ${KUBERNETES_SCHEMA_PIN.release} JSON schemas (kubeconform)`;
    const start = Date.now();
    const ticker = startTicker(json, label, start);
    try {
      const result = await buildKubernetesSchemas(process.env);
      ticker.stop();
      log(result.cached ? `${label}: cached` : `${label}: ${result.files} kinds written in ${seconds(start)} (${KUBERNETES_SCHEMA_PIN.go.module}@${KUBERNETES_SCHEMA_PIN.go.version})`);
      listing["kubernetes-schemas"] = { version: KUBERNETES_SCHEMA_PIN.release, path: result.dir };
    } catch (error) {
      ticker.stop();
      log(`${label}: FAILED after ${seconds(start)}`);
      throw error;
    }
  }
  log(`toolchain ready in ${seconds(began)}`);
  if (json) process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
  return 0;
});

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

/** On a terminal, the line of the tool being built shows its elapsed time, updated every second. */
function startTicker(json: boolean, label: string, start: number): { stop(): void } {
  const stream = json ? process.stderr : process.stdout;
  if (!stream.isTTY) {
    stream.write(`${label}: building...\n`);
    return { stop: () => undefined };
  }
  const draw = () => stream.write(`\r${label}: building... ${seconds(start)}`);
  draw();
  const timer = setInterval(draw, 1_000);
  return {
    stop() {
      clearInterval(timer);
      stream.write("\r\x1b[2K");
    },
  };
}
