import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./config/errors";
import { loadFromPulumi, type DeployConfig } from "./config/load";
import { configWarnings } from "./config/warnings";
import { deployStack } from "./stacks";

/**
 * The composition root of `pulumi up`: read and validate the stack's config (config/load.ts is
 * the only reader), then deploy to the target it names (docker: the local engine; kubernetes:
 * the cluster of the current kubeconfig context).
 */
const voteobs = new pulumi.Config("voteobs");

function load(): DeployConfig<pulumi.Output<string>> {
  try {
    return loadFromPulumi({ all: pulumi.runtime.allConfig(), requireSecret: (key) => voteobs.requireSecret(key) });
  } catch (error) {
    // A config mistake is the user's to fix: print the list of problems, not a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

const { config, secrets } = load();
// Valid but not what anyone should ship unknowingly (a placeholder runbook, ...): one warning each.
for (const warning of configWarnings(config)) pulumi.log.warn(warning);
// Docker names are per stack, so two stacks can share one engine: voteobs-dev-prometheus.
const stackLabel = pulumi.getStack().toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 32) || "stack";
const outputs = deployStack(config, secrets, { namePrefix: `voteobs-${stackLabel}` });

export const target = outputs.target;
export const grafanaUrl = outputs.grafanaUrl;
export const voteUrl = outputs.voteUrl;
export const resultUrl = outputs.resultUrl;
export const alertmanagerUrl = outputs.alertmanagerUrl;
export const receivers = outputs.receivers;
export const grafanaAdminUser = outputs.grafanaAdminUser;
export const grafanaAdminPassword = outputs.grafanaAdminPassword;
