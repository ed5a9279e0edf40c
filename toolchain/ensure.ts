import { buildTool, cachedBuild } from "./build";
import { checkGo } from "./go";
import { TOOLS, toolchainDir } from "./index";
import { buildKubernetesSchemas, KUBERNETES_SCHEMA_PIN } from "./kubernetes-schemas";

export type ToolListing = Record<string, { version: string; path: string }>;

/**
 * Builds every pinned tool that is not built yet (each progress line with its elapsed time; on a
 * terminal the line of the tool being built ticks every second) and lists them all.
 */
export async function ensureToolchain(log: (line: string) => void, stream: NodeJS.WriteStream): Promise<ToolListing> {
  const goVersion = checkGo(process.env);
  const began = Date.now();
  log(`toolchain: ${TOOLS.length} pinned tools in ${toolchainDir()} (${goVersion})`);
  const listing: ToolListing = {};
  let index = 0;
  let built = 0;
  for (const tool of TOOLS) {
    index++;
    const label = `[${index}/${TOOLS.length}] ${tool.name} ${tool.release}`;
    const start = Date.now();
    const cached = cachedBuild(tool, process.env);
    if (cached !== undefined) {
      log(`${label}: cached`);
      listing[tool.name] = { version: tool.release, path: cached.path };
      continue;
    }
    const result = await withProgress(stream, log, label, () => buildTool(tool, process.env));
    built++;
    log(`${label}: built in ${seconds(start)} (${result.method}, ${tool.go.module}@${tool.go.version})`);
    listing[tool.name] = { version: tool.release, path: result.path };
  }
  const label = `[schemas] Kubernetes ${KUBERNETES_SCHEMA_PIN.release} JSON schemas (kubeconform)`;
  const start = Date.now();
  const schemas = await withProgress(stream, log, label, () => buildKubernetesSchemas(process.env));
  log(schemas.cached ? `${label}: cached` : `${label}: ${schemas.files} kinds written in ${seconds(start)} (${KUBERNETES_SCHEMA_PIN.go.module}@${KUBERNETES_SCHEMA_PIN.go.version})`);
  listing["kubernetes-schemas"] = { version: KUBERNETES_SCHEMA_PIN.release, path: schemas.dir };
  log(`toolchain ready in ${seconds(began)} (${built} built, ${TOOLS.length - built} cached)`);
  return listing;
}

/** Runs one build step with its ticking line; a failure is logged with its elapsed time and rethrown. */
async function withProgress<T>(stream: NodeJS.WriteStream, log: (line: string) => void, label: string, run: () => Promise<T>): Promise<T> {
  const start = Date.now();
  const ticker = startTicker(stream, label, start);
  let value: T;
  try {
    value = await run();
  } catch (error) {
    ticker.stop();
    log(`${label}: FAILED after ${seconds(start)}`);
    throw error;
  }
  ticker.stop();
  return value;
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

/** On a terminal, the line of the tool being built shows its elapsed time, updated every second. */
function startTicker(stream: NodeJS.WriteStream, label: string, start: number): { stop(): void } {
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
