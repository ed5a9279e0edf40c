import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ResolvedSecret } from "../config/load";
import { GRAFANA_ADMIN_PASSWORD_FILE, POSTGRES_PASSWORD_FILE, REDIS_PASSWORD_FILE } from "../config/secrets";

/** A secret the stack places as a file; its value is always a Pulumi secret. */
export interface SecretFile {
  /** File name in the component's secrets folder, e.g. "slack-slack-webhook-url". */
  fileName: string;
  component: "alertmanager" | "grafana" | "postgres" | "redis";
  value: pulumi.Output<string>;
  /** True when the stack generated the value (RandomPassword kept in the Pulumi state). */
  generated: boolean;
}

/**
 * Turns the secrets config/load.ts resolved into Pulumi secrets: a config secret stays one, the
 * text of a secret file becomes one, and a missing value (Grafana admin, Postgres, Redis) is generated
 * once with RandomPassword and kept in the state. Every value is wrapped with `pulumi.secret`
 * explicitly, so its secrecy never depends on a provider marking its outputs.
 */
export function materializeSecrets(secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>, namePrefix: string, parent: pulumi.Resource): SecretFile[] {
  return secrets.map((secret) => {
    if (secret.value === undefined) {
      const password = new random.RandomPassword(
        `${namePrefix}-${secret.fileName}`,
        // Letters and digits only: the value lands in URLs, INI files and libpq settings unquoted.
        { length: 32, special: false, minLower: 2, minUpper: 2, minNumeric: 2 },
        { parent, additionalSecretOutputs: ["result"] },
      );
      return { fileName: secret.fileName, component: secret.component, value: pulumi.secret(password.result), generated: true };
    }
    return { fileName: secret.fileName, component: secret.component, value: pulumi.secret(pulumi.output(secret.value)), generated: false };
  });
}

/** The secret files one component reads, keyed by file name. */
export function secretFilesOf(secrets: readonly SecretFile[], component: SecretFile["component"]): Record<string, pulumi.Output<string>> {
  return Object.fromEntries(secrets.filter((s) => s.component === component).map((s) => [s.fileName, s.value]));
}

/** A secret a stack cannot run without (config/secrets.ts always declares these). */
export function requireSecretFile(secrets: readonly SecretFile[], fileName: typeof GRAFANA_ADMIN_PASSWORD_FILE | typeof POSTGRES_PASSWORD_FILE | typeof REDIS_PASSWORD_FILE): pulumi.Output<string> {
  const found = secrets.find((s) => s.fileName === fileName);
  if (!found) throw new Error(`no ${fileName} secret: config/secrets.ts always declares it`);
  return found.value;
}
