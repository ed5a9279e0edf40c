import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** A program the local target runs, and the Debian package that provides it. */
interface Requirement {
  debianPackage: string;
  /** True when the program is installed. */
  present(): boolean;
}

const onPath = (command: string) => (): boolean => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

const REQUIREMENTS: readonly Requirement[] = [
  { debianPackage: "redis-server", present: onPath("redis-server") },
  { debianPackage: "postgresql", present: () => postgresBinDir() !== undefined },
];

/** Every Debian package the local target needs, for documentation and `.ci/run`. */
export const LOCAL_PACKAGES: readonly string[] = REQUIREMENTS.map((r) => r.debianPackage);

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

export function missingPackages(): string[] {
  return REQUIREMENTS.filter((r) => !r.present()).map((r) => r.debianPackage);
}

export function installCommand(packages: readonly string[]): string {
  return `apt-get install -y ${packages.join(" ")}`;
}

export class MissingPackagesError extends Error {
  constructor(readonly packages: readonly string[]) {
    super(
      `the local target needs Debian packages that are not installed: ${packages.join(", ")}\n` +
        `install them with:\n\n  sudo apt-get update && sudo ${installCommand(packages)}\n\n` +
        "or, as root on Debian, let `npm run local -- --install` run that line for you.",
    );
  }
}

/** Whether this machine can install packages itself: root on Debian (or a derivative) with apt-get. */
export function canInstall(): boolean {
  return process.getuid?.() === 0 && existsSync("/etc/debian_version") && onPath("apt-get")();
}

/**
 * Fails with one message naming the exact install line, unless `install` is true and this is a root
 * Debian machine: then runs `apt-get update` and `apt-get install -y` for the missing packages.
 */
export function ensurePackages(install: boolean, log: (line: string) => void): void {
  const missing = missingPackages();
  if (missing.length === 0) return;
  if (!install || !canInstall()) throw new MissingPackagesError(missing);
  log(`installing ${missing.join(" ")} (apt-get)...`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update"], { stdio: "inherit", env });
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { stdio: "inherit", env });
  const still = missingPackages();
  if (still.length > 0) throw new MissingPackagesError(still);
}
