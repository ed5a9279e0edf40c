import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { PINS, TEST_PINS, type GoBuild } from "../config/versions";

/**
 * The pinned upstream programs the tests, the bench and `npm run local` run, built from their Go
 * modules by `npm run toolchain` (toolchain/main.ts) into a per-user cache shared by every clone.
 */

export interface Tool {
  /** Program name, e.g. "promtool". */
  name: string;
  /** The release it reports, e.g. "3.16.0" (the stacks deploy the same one). */
  release: string;
  /** The entry of config/versions.ts it belongs to, e.g. "prometheus". */
  pin: string;
  go: GoBuild;
  /** Package path inside the module ("" is the module root). */
  packagePath: string;
}

/** Every program of every pin with a Go build, in table order. */
export const TOOLS: readonly Tool[] = [...Object.entries(PINS), ...Object.entries(TEST_PINS)].flatMap(([pin, entry]) => {
  const go = "go" in entry ? (entry.go as GoBuild) : undefined;
  if (go === undefined) return [];
  return Object.entries(go.programs).map(([name, packagePath]) => ({ name, release: entry.release, pin, go, packagePath }));
});

export type ToolName = "prometheus" | "promtool" | "alertmanager" | "amtool" | "node_exporter" | "redis_exporter" | "postgres_exporter" | "kubeconform" | "actionlint";

export function tool(name: ToolName): Tool {
  const found = TOOLS.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no pinned tool ${name} in config/versions.ts`);
  return found;
}

/** `$VOTEOBS_TOOLCHAIN_DIR`, else `$XDG_CACHE_HOME/voteobs/toolchain`, else `~/.cache/voteobs/toolchain`. */
export function toolchainDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.VOTEOBS_TOOLCHAIN_DIR) return env.VOTEOBS_TOOLCHAIN_DIR;
  const cache = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : join(homedir(), ".cache");
  return join(cache, "voteobs", "toolchain");
}

/** Folder of one built tool: `<toolchainDir>/<tool>-<release>/`. */
export function toolFolder(t: Tool, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolchainDir(env), `${t.name}-${t.release}`);
}

/** Absolute path of a tool's binary, whether built or not. */
export function toolBinary(t: Tool, env: NodeJS.ProcessEnv = process.env): string {
  return join(toolFolder(t, env), t.name);
}

class ToolMissingError extends Error {
  constructor(readonly tool: Tool, readonly path: string) {
    super(`${tool.name} ${tool.release} is not built (expected ${path}); run \`npm run toolchain\` (it builds every pinned tool from its Go module, once per machine)`);
  }
}

/** The path of a pinned tool's binary; a clear error naming `npm run toolchain` when it is not built. */
export function toolPath(name: ToolName, env: NodeJS.ProcessEnv = process.env): string {
  const t = tool(name);
  const path = toolBinary(t, env);
  if (!existsSync(path)) throw new ToolMissingError(t, path);
  return path;
}
