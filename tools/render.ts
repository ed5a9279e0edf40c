import { Command } from "commander";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { loadStackFile } from "../config/load";
import { configWarnings } from "../config/warnings";
import { renderAll, topologyFor, type RenderedFiles } from "../render";
import { runMain } from "../config/errors";
import { GENERATED, stackFile, stackNames } from "./stacks";

/** Renders a stack file exactly as `pulumi up` would deploy it, with the warnings `pulumi up` would print. */
function renderStack(stack: string): { files: RenderedFiles; warnings: string[] } {
  const { config } = loadStackFile(stackFile(stack));
  return { files: renderAll(config, topologyFor(config, stack)), warnings: configWarnings(config) };
}

/** Files currently under a folder, keyed by relative path. */
export function readTree(folder: string): RenderedFiles {
  const out: RenderedFiles = {};
  if (!existsSync(folder)) return out;
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(folder, path)] = readFileSync(path, "utf8");
    }
  };
  walk(folder);
  return out;
}

/** Paths that differ between a render and a folder: changed, missing or stale. */
function drift(expected: RenderedFiles, actual: RenderedFiles): string[] {
  const paths = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...paths].sort().filter((path) => expected[path] !== actual[path]);
}

function writeTree(folder: string, files: RenderedFiles): void {
  rmSync(folder, { recursive: true, force: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), text);
  }
}

if (require.main === module) {
  const program = new Command("render")
    .description("Render every stack's Prometheus, Alertmanager, Loki, Alloy and Grafana files into generated/<stack>/")
    .option("--check", "write nothing; exit 1 when generated/ differs from a fresh render")
    .option("--stack <name...>", "only these stacks (default: every Pulumi.<stack>.yaml)")
    .parse();
  const options = program.opts<{ check?: boolean; stack?: string[] }>();
  runMain(() => {
    let drifted = 0;
    for (const stack of options.stack ?? stackNames()) {
      const { files, warnings } = renderStack(stack);
      for (const warning of warnings) console.error(`warning: Pulumi.${stack}.yaml: ${warning}`);
      const folder = join(GENERATED, stack);
      if (options.check) {
        const paths = drift(files, readTree(folder));
        drifted += paths.length;
        for (const path of paths) console.error(`generated/${stack}/${path} differs from a fresh render`);
      } else {
        writeTree(folder, files);
        console.log(`generated/${stack}: ${Object.keys(files).length} files`);
      }
    }
    if (drifted > 0) console.error("run `npm run render` and commit generated/");
    return drifted > 0 ? 1 : 0;
  });
}
