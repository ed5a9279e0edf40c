import type { SecretRef, StackConfig } from "./schema";

/**
 * One secret the stack needs. Rendered configs never hold a secret value: they point at a file
 * named `fileName` in the component's secrets folder, which each target fills from `ref`.
 */
export interface SecretUse {
  /** File name inside the component's secrets folder, e.g. "slack-webhook-url". */
  fileName: string;
  /** Component that reads the file. */
  component: "alertmanager" | "grafana" | "postgres" | "redis";
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
