import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GoBuild } from "../config/versions";
import { downloadModule, goEnv, runGo, type ModuleInfo } from "./go";
import { toolBinary, toolchainDir, toolFolder, type Tool } from "./index";

/** What a finished build leaves beside the binary; a build is reused while it matches. */
interface BuildRecord {
  /** The table entry the binary was built from; any change to it rebuilds. */
  definition: string;
  module: string;
  version: string;
  release: string;
  packagePath: string;
  ldflags: string;
  method: "go install" | "wrapper module";
}

export type BuildResult = { tool: Tool; path: string; cached: boolean; method: BuildRecord["method"] };

const definitionOf = (tool: Tool) => JSON.stringify({ release: tool.release, packagePath: tool.packagePath, go: tool.go });

/** The build already in the cache, when it was made from the tool's current table entry. */
export function cachedBuild(tool: Tool, baseEnv: NodeJS.ProcessEnv): BuildResult | undefined {
  const binary = toolBinary(tool, baseEnv);
  const existing = readRecord(join(toolFolder(tool, baseEnv), "build.json"));
  return existing && existsSync(binary) && existing.definition === definitionOf(tool) ? { tool, path: binary, cached: true, method: existing.method } : undefined;
}

/** Builds one pinned tool into its cache folder, or reuses the build already there. */
export async function buildTool(tool: Tool, baseEnv: NodeJS.ProcessEnv): Promise<BuildResult> {
  const cached = cachedBuild(tool, baseEnv);
  if (cached !== undefined) return cached;
  const env = goEnv(baseEnv);
  const folder = toolFolder(tool, baseEnv);
  const binary = toolBinary(tool, baseEnv);
  const recordFile = join(folder, "build.json");
  const definition = definitionOf(tool);

  const info = await downloadModule(tool.go.module, tool.go.version, env);
  const ldflags = stampFlags(tool, info);
  const upstreamMod = readFileSync(info.GoMod, "utf8");
  const directives = replaceAndExclude(upstreamMod);
  const method: BuildRecord["method"] = tool.go.wrapper !== undefined || tool.go.stubAssets !== undefined || directives.length > 0 ? "wrapper module" : "go install";
  const staging = `${folder}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const target = join(staging, tool.name);
    if (method === "go install") {
      await go(["install", "-trimpath", `-ldflags=${ldflags}`, `${packageOf(tool)}@${tool.go.version}`], { env: { ...env, GOBIN: staging } });
    } else {
      const dir = prepareWrapper(tool, info, upstreamMod, directives, baseEnv);
      await go(["mod", "tidy"], { cwd: dir, env });
      await go(["build", "-trimpath", `-ldflags=${ldflags}`, "-o", target, packageOf(tool)], { cwd: dir, env });
    }
    if (!existsSync(target)) throw new Error(`the go command reported success but left no ${tool.name} binary`);
    mkdirSync(folder, { recursive: true });
    renameSync(target, binary);
    const record: BuildRecord = { definition, module: tool.go.module, version: tool.go.version, release: tool.release, packagePath: tool.packagePath, ldflags, method };
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return { tool, path: binary, cached: false, method };
}

function readRecord(file: string): BuildRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as BuildRecord;
  } catch {
    return undefined;
  }
}

async function go(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const result = await runGo(args, options);
  if (result.code !== 0) throw new Error(`go ${args.join(" ")} failed:\n${result.output.trim().split("\n").slice(-15).join("\n")}`);
}

function packageOf(tool: Tool): string {
  return tool.packagePath === "" ? tool.go.module : `${tool.go.module}/${tool.packagePath}`;
}

/** -X flags for the upstream stamp variables: the release, the tagged commit and its date. */
function stampFlags(tool: Tool, info: ModuleInfo): string {
  const stamp = tool.go.stamp;
  if (stamp === undefined) return "-s -w";
  const values: Array<[string | undefined, string]> = [
    [stamp.version, tool.release],
    [stamp.revision, info.Origin?.Hash ?? "unknown"],
    [stamp.branch, "HEAD"],
    [stamp.user, "voteobs-toolchain"],
    [stamp.date, promuDate(info.Time)],
  ];
  return ["-s", "-w", ...values.filter(([variable]) => variable !== undefined).map(([variable, value]) => `-X ${variable}=${value}`)].join(" ");
}

/** promu's date format (20060102-15:04:05), from the tag's time so rebuilds are identical. */
function promuDate(time: string | undefined): string {
  if (time === undefined) return "unknown";
  const d = new Date(time);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/** The replace and exclude directives of a go.mod (single-line and block forms), as written. */
export function replaceAndExclude(goMod: string): string[] {
  const out: string[] = [];
  const lines = goMod.split("\n").map((l) => l.replace(/\/\/.*$/, "").trim());
  for (let i = 0; i < lines.length; i++) {
    const match = /^(replace|exclude)\s*(\()?\s*(.*)$/.exec(lines[i]);
    if (!match) continue;
    if (match[2] === "(") {
      for (i++; i < lines.length && lines[i] !== ")"; i++) if (lines[i] !== "") out.push(`${match[1]} ${lines[i]}`);
    } else if (match[3] !== "") {
      out.push(`${match[1]} ${match[3]}`);
    }
  }
  return out;
}

/**
 * A wrapper module that requires the pinned module and lists its programs as tools, with the
 * upstream replace/exclude directives (a go install @version cannot honour them) and, when the
 * module embeds assets it does not carry, a replace by a copy holding placeholder pages there.
 */
function prepareWrapper(tool: Tool, info: ModuleInfo, upstreamMod: string, directives: string[], baseEnv: NodeJS.ProcessEnv): string {
  const dir = join(toolchainDir(baseEnv), ".build", `${tool.pin}-${tool.go.version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const directive of directives) {
    if (/=>\s*\.{0,2}\//.test(directive)) throw new Error(`${tool.go.module}@${tool.go.version} has a go.mod directive pointing into its own tree (${directive}); the toolchain cannot build it from the module alone`);
  }
  const goDirective = /^go\s+(\S+)/m.exec(upstreamMod)?.[1] ?? "1.26";
  const replaced = tool.go.stubAssets !== undefined ? [`replace ${tool.go.module} => ./src`] : [];
  if (tool.go.stubAssets !== undefined) copyWithStubs(info.Dir, join(dir, "src"), tool.go);
  const programs = Object.values(tool.go.programs).map((path) => (path === "" ? tool.go.module : `${tool.go.module}/${path}`));
  const goMod = [
    `// Generated by npm run toolchain: builds ${tool.go.module} ${tool.go.version}.`,
    `// ${tool.go.wrapper ?? "the upstream go.mod has replace or exclude directives, which go install @version cannot honour"}`,
    `module voteobs.invalid/toolchain/${tool.pin}`,
    "",
    `go ${goDirective}`,
    "",
    `require ${tool.go.module} ${tool.go.version}`,
    "",
    ...programs.map((p) => `tool ${p}`),
    ...(directives.length + replaced.length > 0 ? ["", ...directives, ...replaced] : []),
    "",
  ].join("\n");
  writeFileSync(join(dir, "go.mod"), goMod);
  return dir;
}

function copyWithStubs(from: string, to: string, build: GoBuild): void {
  cpSync(from, to, { recursive: true });
  chmodRecursive(to);
  for (const folder of build.stubAssets ?? []) {
    mkdirSync(join(to, folder), { recursive: true });
    writeFileSync(
      join(to, folder, "index.html"),
      "<!doctype html><title>No web UI in this build</title><p>This binary was built from its Go module by voteobs' <code>npm run toolchain</code>, which does not build the npm web UI. The HTTP API is complete.</p>\n",
    );
  }
}

/** The module cache is read-only; the copy must be writable to add the stubs and to be removed. */
function chmodRecursive(path: string): void {
  chmodSync(path, 0o755);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chmodRecursive(child);
    else chmodSync(child, 0o644);
  }
}
