import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { secretUses, slackWebhookFile, smtpPasswordFile } from "../config/secrets";
import { redisExporterPasswordFile } from "../render/redis";
import type { StackConfig } from "../config/schema";

/** The mail account Alertmanager logs in with, shared by every email receiver of the local target. */
export interface LocalMailAccount {
  user: string;
  password: string;
}

/**
 * The account the local SMTP receiver accepts: the stack's own authUsername (first email receiver
 * that has one) with a password made up for this run, or none when no receiver authenticates.
 */
export function localMailAccount(config: StackConfig): LocalMailAccount | undefined {
  const withAuth = config.alerting.receivers.find((r) => r.type === "email" && r.enabled && r.authUsername !== undefined);
  if (withAuth?.type !== "email" || withAuth.authUsername === undefined) return undefined;
  return { user: withAuth.authUsername, password: randomBytes(16).toString("hex") };
}

/**
 * Writes the files Alertmanager's rendered config points at: each Slack receiver's webhook URL
 * (the local Slack stand-in) and each email receiver's SMTP password.
 */
export function writeAlertmanagerSecrets(secretsDir: string, config: StackConfig, slackUrl: string, mail: LocalMailAccount | undefined): void {
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(secretsDir, 0o700);
  for (const receiver of config.alerting.receivers.filter((r) => r.enabled)) {
    if (receiver.type === "slack") writeSecret(join(secretsDir, slackWebhookFile(receiver.name)), `${slackUrl}\n`);
    // No trailing newline: Alertmanager uses the password file's bytes as they are.
    else if (receiver.authUsername !== undefined && mail !== undefined) writeSecret(join(secretsDir, smtpPasswordFile(receiver.name)), mail.password);
  }
}

/**
 * The passwords of the local Postgres and Redis, at the paths the services' environment names:
 * generated on the first run and kept with the data they protect, so a restart finds them again.
 */
export function ensureAppSecrets(files: { postgresPassword: string; redisPassword: string }): { postgresPassword: string; redisPassword: string } {
  const ensure = (path: string): string => {
    if (existsSync(path)) return readFileSync(path, "utf8").trim();
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const value = randomBytes(24).toString("base64url");
    writeSecret(path, `${value}\n`);
    return value;
  };
  return { postgresPassword: ensure(files.postgresPassword), redisPassword: ensure(files.redisPassword) };
}

/** redis_exporter's password file (URL → password) beside the Redis password; returns its path. */
export function writeRedisExporterPasswords(secretsDir: string, redisUrl: string, password: string): string {
  const path = join(secretsDir, "redis-exporter-passwords.json");
  writeSecret(path, redisExporterPasswordFile(redisUrl, password));
  return path;
}

/**
 * Places the files prometheus.yml's remote_write names (remote-write passwords and tokens) in
 * Prometheus' secrets folder, as the stacks do: the text of each `{ file }` reference, trimmed as
 * config/load.ts trims it. The local target runs without Pulumi, so a `{ secret }` reference, or a
 * file it cannot read or finds empty, is served by a file already in the folder (by hand, a test);
 * without one the error names the field and the path to write. Returns the paths placed.
 */
export function writePrometheusStoreSecrets(secretsDir: string, config: StackConfig, readFile: (path: string) => string = (path) => readFileSync(path, "utf8")): string[] {
  const problems: string[] = [];
  const placed: string[] = [];
  for (const use of secretUses(config).filter((u) => u.component === "prometheus")) {
    const path = join(secretsDir, use.fileName);
    let unavailable: string;
    if (use.ref !== undefined && "file" in use.ref) {
      let text: string;
      try {
        text = readFile(use.ref.file).trim();
      } catch (error) {
        text = "";
        unavailable = `cannot read secret file ${use.ref.file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      }
      if (text !== "") {
        mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
        writeSecret(path, text);
        placed.push(path);
        continue;
      }
      unavailable ??= `file ${use.ref.file} is empty`;
    } else {
      unavailable = `the local target cannot read Pulumi secrets (${use.ref ? `{ secret: ${use.ref.secret} }` : "no reference"})`;
    }
    if (!existsSync(path)) problems.push(`${use.path}: ${unavailable}; write the value to ${path}, or give { file: "<path>" }`);
  }
  if (problems.length > 0) throw new Error(`remote-write secrets of the local Prometheus:\n  ${problems.join("\n  ")}`);
  return placed;
}

function writeSecret(path: string, value: string): void {
  writeFileSync(path, value, { mode: 0o600 });
  chmodSync(path, 0o600);
}
