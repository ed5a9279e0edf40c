import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * The Debian packages the project runs: Redis and PostgreSQL are Debian's servers on the local target
 * and in the tests (every other upstream program is built by `npm run toolchain`), wrk drives the bench.
 * `npm test` and `npm run local` install the missing ones first (setup/main.ts).
 */

export type Purpose = "local" | "test" | "bench";

interface DebianPackage {
  name: string;
  /** True when the program is installed. */
  present(): boolean;
  neededFor: readonly Purpose[];
}

const onPath = (command: string) => (): boolean => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

const DEBIAN_PACKAGES: readonly DebianPackage[] = [
  { name: "redis-server", present: onPath("redis-server"), neededFor: ["local", "test", "bench"] },
  { name: "postgresql", present: () => postgresBinDir() !== undefined, neededFor: ["local", "test", "bench"] },
  { name: "wrk", present: onPath("wrk"), neededFor: ["bench"] },
];

/** Names of the packages a purpose needs. */
export function packagesFor(purpose: Purpose): string[] {
  return DEBIAN_PACKAGES.filter((p) => p.neededFor.includes(purpose)).map((p) => p.name);
}

/** PG_BIN_DIR when set, else the newest /usr/lib/postgresql/<version>/bin holding `postgres`. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) return existsSync(join(fromEnv, "postgres")) ? fromEnv : undefined;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? join(root, versions[0], "bin") : undefined;
}

export function missingPackages(purpose: Purpose): string[] {
  return DEBIAN_PACKAGES.filter((p) => p.neededFor.includes(purpose) && !p.present()).map((p) => p.name);
}

const isRoot = () => process.getuid?.() === 0;

/** The install line for this user: apt-get as root, through sudo otherwise. */
export function installCommand(packages: readonly string[]): string {
  const sudo = isRoot() ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

export class MissingPackagesError extends Error {
  constructor(readonly packages: readonly string[]) {
    super(`Debian packages that are needed are not installed: ${packages.join(", ")}\ninstall them with:\n\n  ${installCommand(packages)}\n`);
  }
}

/**
 * Installs the missing packages of a purpose with apt-get (through sudo when not root), after one
 * `apt-get update`; fails with the exact install line where there is no apt-get.
 */
export function ensurePackages(purpose: Purpose, log: (line: string) => void): void {
  const missing = missingPackages(purpose);
  if (missing.length === 0) {
    log(`setup: Debian packages ✓ (${packagesFor(purpose).join(", ")})`);
    return;
  }
  if (!existsSync("/etc/debian_version") || !onPath("apt-get")()) throw new MissingPackagesError(missing);
  const sudo = isRoot() ? [] : ["sudo"];
  if (sudo.length > 0 && !onPath("sudo")()) throw new MissingPackagesError(missing);
  const began = Date.now();
  log(`setup: installing ${missing.join(", ")} with ${sudo.length > 0 ? "sudo " : ""}apt-get...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => (sudo.length > 0 ? execFileSync("sudo", ["--preserve-env=DEBIAN_FRONTEND", "apt-get", ...args], { stdio: "inherit", env }) : execFileSync("apt-get", args, { stdio: "inherit", env }));
  apt(["update", "-qq"]);
  apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]);
  const still = missingPackages(purpose);
  if (still.length > 0) throw new MissingPackagesError(still);
  log(`setup: Debian packages installed in ${((Date.now() - began) / 1000).toFixed(1)}s`);
}
