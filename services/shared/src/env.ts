import { readFileSync } from "node:fs";

/** A configuration problem, reported as one line naming the variable and what is allowed. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

function present(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function invalid(name: string, value: string, allowed: string): ConfigError {
  return new ConfigError(`invalid ${name}=${JSON.stringify(value)}: expected ${allowed}`);
}

export function readString(env: Env, name: string, fallback: string): string {
  return present(env, name) ?? fallback;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  return present(env, name);
}

export function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

export function readPort(env: Env, name: string, fallback: number): number {
  return readInteger(env, name, fallback, 0, 65535);
}

export function readRatio(env: Env, name: string, fallback: number): number {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!isRatio(value)) throw invalid(name, raw, "a number from 0 to 1");
  return value;
}

export function isRatio(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1;
}

export function readChoice<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = present(env, name);
  if (raw === undefined) return fallback;
  const match = choices.find((choice) => choice === raw.toLowerCase());
  if (match === undefined) throw invalid(name, raw, `one of ${choices.join(", ")}`);
  return match;
}

/** The URL as it may be shown in an error: whatever stands between `//` and `@` (user and password) masked. */
function redactCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

export function readUrl(env: Env, name: string, protocols: readonly string[], fallback?: string): string | undefined {
  const raw = present(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  const allowed = `a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalid(name, redactCredentials(raw), allowed);
  }
  if (!protocols.includes(url.protocol)) throw invalid(name, redactCredentials(raw), allowed);
  return raw;
}

/** Reads a secret from a file (Docker and Kubernetes secrets), dropping the trailing newline. */
export function readSecretFile(env: Env, name: string): string | undefined {
  const path = present(env, name);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new ConfigError(`invalid ${name}=${JSON.stringify(path)}: expected a readable file (${reason})`);
  }
}
