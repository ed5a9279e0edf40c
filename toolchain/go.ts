import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** The oldest Go that builds every pinned module (their go.mod files ask for 1.24 to 1.26). */
const MIN_GO = { major: 1, minor: 26 } as const;
const INSTALL_HINT = "install Go 1.26 or later (https://go.dev/doc/install; Debian: apt-get install golang-1.26 once your release has it) and make sure `go` is on PATH";

export class GoMissingError extends Error {}

/** `go version` of this machine, or a clear error with the install line when it is missing or too old. */
export function checkGo(env: NodeJS.ProcessEnv): string {
  const result = spawnSync("go", ["env", "GOVERSION"], { encoding: "utf8", env });
  if (result.error || result.status !== 0) throw new GoMissingError(`npm run toolchain builds the pinned tools with the go command, which is not available here (${result.error?.message ?? result.stderr.trim()}); ${INSTALL_HINT}`);
  const version = result.stdout.trim();
  const match = /^go(\d+)\.(\d+)/.exec(version);
  if (!match) throw new GoMissingError(`cannot read the Go version from ${JSON.stringify(version)}; ${INSTALL_HINT}`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  if (major < MIN_GO.major || (major === MIN_GO.major && minor < MIN_GO.minor)) {
    throw new GoMissingError(`${version} is too old to build the pinned tools (they need go${MIN_GO.major}.${MIN_GO.minor} or later); ${INSTALL_HINT}`);
  }
  return version;
}

/**
 * The environment of every go command here: modules on, no workspace, no cgo (as the upstream
 * release builds), and none of the caller's GOFLAGS, which could change what gets built.
 */
export function goEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, GO111MODULE: "on", GOWORK: "off", CGO_ENABLED: "0", GOFLAGS: "" };
}

export interface GoRun {
  code: number;
  output: string;
}

/** Runs a go command to completion, keeping its combined output for the error message. */
export function runGo(args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv }): Promise<GoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn("go", args, { cwd: options.cwd, env: options.env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** What `go mod download -json` tells of one module version. */
export interface ModuleInfo {
  Dir: string;
  GoMod: string;
  /** Path of the .info file, which holds the version's time. */
  Info: string;
  /** The tagged commit's time, read from the .info file. */
  Time?: string;
  Origin?: { Hash?: string };
  Error?: string;
}

export async function downloadModule(module: string, version: string, env: NodeJS.ProcessEnv): Promise<ModuleInfo> {
  const result = await runGo(["mod", "download", "-json", `${module}@${version}`], { env });
  let info: ModuleInfo | undefined;
  try {
    info = JSON.parse(result.output.slice(result.output.indexOf("{"))) as ModuleInfo;
  } catch {
    info = undefined;
  }
  if (result.code !== 0 || info === undefined || info.Error) throw new Error(`go mod download ${module}@${version} failed: ${info?.Error ?? result.output.trim()}`);
  try {
    info.Time = (JSON.parse(readFileSync(info.Info, "utf8")) as { Time?: string }).Time;
  } catch {
    info.Time = undefined;
  }
  return info;
}
