import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ResolvedSecret } from "../config/load";
import { GRAFANA_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE, REDIS_PASSWORD_FILE, type SecretUse } from "../config/secrets";

/** A secret the stack places, as a file or (see `env`) an environment variable; its value is always a Pulumi secret. */
export interface SecretFile {
  /** File name in the component's secrets folder (or key of its Kubernetes Secret), e.g. "slack-slack-webhook-url". */
  fileName: string;
  component: SecretUse["component"];
  /** The environment variable the component reads it from instead of a file (Loki's S3 credentials). */
  env?: string;
  value: pulumi.Output<string>;
  /** True when the stack generated the value (RandomPassword kept in the Pulumi state). */
  generated: boolean;
}

/** The secrets the stack may generate when none is given; every other one (receivers, long-term stores) always has a value. */
const GENERATED_FILES: readonly string[] = [GRAFANA_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE, REDIS_PASSWORD_FILE];

/**
 * Turns the secrets config/load.ts resolved into Pulumi secrets: a config secret stays one, the
 * text of a secret file becomes one, and a missing value (Grafana admin, Postgres, Redis) is generated
 * once with RandomPassword and kept in the state. Every value is wrapped with `pulumi.secret`
 * explicitly, so its secrecy never depends on a provider marking its outputs.
 */
export function materializeSecrets(secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>, namePrefix: string, parent: pulumi.Resource): SecretFile[] {
  return secrets.map((secret) => {
    const base = { fileName: secret.fileName, component: secret.component, ...(secret.env ? { env: secret.env } : {}) };
    if (secret.value === undefined) {
      // config/load.ts resolves every given reference; only these three may be left to the stack.
      if (!GENERATED_FILES.includes(secret.fileName)) throw new Error(`no value for the ${secret.component} secret ${secret.fileName}: it is never generated (config/load.ts resolves it from its reference)`);
      const password = new random.RandomPassword(
        `${namePrefix}-${secret.fileName}`,
        // Letters and digits only: the value lands in URLs, INI files and libpq settings unquoted.
        { length: 32, special: false, minLower: 2, minUpper: 2, minNumeric: 2 },
        { parent, additionalSecretOutputs: ["result"] },
      );
      return { ...base, value: pulumi.secret(password.result), generated: true };
    }
    return { ...base, value: pulumi.secret(pulumi.output(secret.value)), generated: false };
  });
}

/** The secret files one component reads, keyed by file name (those it reads from its environment left out). */
export function secretFilesOf(secrets: readonly SecretFile[], component: SecretFile["component"]): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(secrets.filter((s) => s.component === component && s.env === undefined).map((s) => [s.fileName, s.value]));
}

/** A secret a component reads from an environment variable. */
export interface SecretEnv {
  /** The variable, e.g. LOKI_S3_ACCESS_KEY_ID. */
  name: string;
  /** Its key in the component's Kubernetes Secret (the secret's file name). */
  key: string;
  value: pulumi.Output<string>;
}

/** The secrets one component reads from its environment (config/secrets.ts SecretUse.env). */
export function secretEnvOf(secrets: readonly SecretFile[], component: SecretFile["component"]): SecretEnv[] {
  return secrets.filter((s) => s.component === component && s.env !== undefined).map((s) => ({ name: s.env!, key: s.fileName, value: s.value }));
}

/** A secret a stack cannot run without (config/secrets.ts always declares these). */
export function requireSecretFile(secrets: readonly SecretFile[], fileName: typeof GRAFANA_ADMIN_PASSWORD_FILE | typeof POSTGRES_PASSWORD_FILE | typeof REDIS_PASSWORD_FILE): pulumi.Output<string> {
  const found = secrets.find((s) => s.fileName === fileName);
  if (!found) throw new Error(`no ${fileName} secret: config/secrets.ts always declares it`);
  return found.value;
}
