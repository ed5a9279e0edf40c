import type { RemoteWriteEntry, SecretRef, StackConfig } from "./schema";

/**
 * One secret the stack needs. Rendered configs never hold a secret value: they point at a file
 * named `fileName` in the component's secrets folder, which each target fills from `ref`.
 */
export interface SecretUse {
  /** File name inside the component's secrets folder, e.g. "slack-webhook-url". */
  fileName: string;
  /** Component that reads the file. */
  component: "alertmanager" | "grafana" | "postgres" | "redis" | "prometheus" | "loki";
  /**
   * Set when the component reads the secret from this environment variable rather than from the
   * file (Loki's config expands only environment variables): Kubernetes sets it from the Secret
   * (`secretKeyRef`, key `fileName`); Docker, whose `docker inspect` shows every variable, leaves it
   * unset and places Loki's S3 keys as an AWS shared credentials file (stacks/docker/loki.ts).
   * Never rendered into a file.
   */
  env?: string;
  /** Where the value comes from; undefined means "generate one and keep it in the Pulumi state". */
  ref: SecretRef | undefined;
  /** Config path that declared it, for error messages. */
  path: string;
}

export function secretUses(config: StackConfig): SecretUse[] {
  const uses: SecretUse[] = [];
  config.alerting.receivers.forEach((receiver, index) => {
    if (!receiver.enabled) return;
    if (receiver.type === "slack") {
      uses.push({ fileName: slackWebhookFile(receiver.name), component: "alertmanager", ref: receiver.webhookUrl, path: `alerting.receivers[${index}].webhookUrl` });
    } else if (receiver.authPassword) {
      uses.push({ fileName: smtpPasswordFile(receiver.name), component: "alertmanager", ref: receiver.authPassword, path: `alerting.receivers[${index}].authPassword` });
    }
  });
  config.prometheus.remoteWrite.forEach((entry, index) => {
    const path = `prometheus.remoteWrite[${index}].auth`;
    if (entry.auth.type === "basic") uses.push({ fileName: remoteWritePasswordFile(entry), component: "prometheus", ref: entry.auth.password, path: `${path}.password` });
    if (entry.auth.type === "bearer") uses.push({ fileName: remoteWriteTokenFile(entry), component: "prometheus", ref: entry.auth.token, path: `${path}.token` });
  });
  const storage = config.loki.storage;
  if (storage.type === "s3" && storage.accessKeyId && storage.secretAccessKey) {
    uses.push({ fileName: S3_ACCESS_KEY_ID_FILE, component: "loki", ref: storage.accessKeyId, path: "loki.storage.accessKeyId", env: LOKI_S3_ENV.accessKeyId });
    uses.push({ fileName: S3_SECRET_ACCESS_KEY_FILE, component: "loki", ref: storage.secretAccessKey, path: "loki.storage.secretAccessKey", env: LOKI_S3_ENV.secretAccessKey });
  }
  uses.push({ fileName: GRAFANA_ADMIN_PASSWORD_FILE, component: "grafana", ref: config.grafana.adminPassword, path: "grafana.adminPassword" });
  uses.push({ fileName: POSTGRES_PASSWORD_FILE, component: "postgres", ref: config.app.postgresPassword, path: "app.postgresPassword" });
  uses.push({ fileName: REDIS_PASSWORD_FILE, component: "redis", ref: config.app.redisPassword, path: "app.redisPassword" });
  return uses;
}

export const slackWebhookFile = (receiver: string) => `${receiver}-slack-webhook-url`;
export const smtpPasswordFile = (receiver: string) => `${receiver}-smtp-password`;
export const GRAFANA_ADMIN_PASSWORD_FILE = "grafana-admin-password";
export const POSTGRES_PASSWORD_FILE = "postgres-password";
export const REDIS_PASSWORD_FILE = "redis-password";

/** The name a remote-write entry goes by in Prometheus and in its secret files. */
export const remoteWriteName = (entry: Pick<RemoteWriteEntry, "name" | "kind">) => entry.name ?? entry.kind;
export const remoteWritePasswordFile = (entry: Pick<RemoteWriteEntry, "name" | "kind">) => `${remoteWriteName(entry)}-remote-write-password`;
export const remoteWriteTokenFile = (entry: Pick<RemoteWriteEntry, "name" | "kind">) => `${remoteWriteName(entry)}-remote-write-token`;
const S3_ACCESS_KEY_ID_FILE = "s3-access-key-id";
const S3_SECRET_ACCESS_KEY_FILE = "s3-secret-access-key";
/** The environment variables Loki's config names for the S3 credentials (`-config.expand-env=true`). */
export const LOKI_S3_ENV = { accessKeyId: "LOKI_S3_ACCESS_KEY_ID", secretAccessKey: "LOKI_S3_SECRET_ACCESS_KEY" } as const;
