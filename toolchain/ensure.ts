import { buildTool, cachedBuild } from "./build";
import { checkGo } from "./go";
import { TOOLS, toolchainDir } from "./index";

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
    const ticker = startTicker(stream, label, start);
    try {
      const result = await buildTool(tool, process.env);
      ticker.stop();
      built++;
      log(`${label}: built in ${seconds(start)} (${result.method}, ${tool.go.module}@${tool.go.version})`);
      listing[tool.name] = { version: tool.release, path: result.path };
    } catch (error) {
      ticker.stop();
      log(`${label}: FAILED after ${seconds(start)}`);
      throw error;
    }
  }
  log(`toolchain ready in ${seconds(began)} (${built} built, ${TOOLS.length - built} cached)`);
  return listing;
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
