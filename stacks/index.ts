import * as pulumi from "@pulumi/pulumi";
import type { ResolvedSecret } from "../config/load";
import type { StackConfig } from "../config/schema";
import { renderAll, topologyFor, type RenderedFiles } from "../render";
import { DockerStack } from "./docker/stack";
import { KubernetesStack } from "./kubernetes/stack";

export { DockerStack } from "./docker/stack";
export { KubernetesStack } from "./kubernetes/stack";

/** What `pulumi stack output` shows. */
export interface StackOutputs {
  target: StackConfig["target"];
  grafanaUrl: pulumi.Output<string>;
  voteUrl: pulumi.Output<string>;
  resultUrl: pulumi.Output<string>;
  alertmanagerUrl: pulumi.Output<string>;
  /** Enabled receivers: name, type and the severities each is paged for. */
  receivers: Array<{ name: string; type: "slack" | "email"; severities: string[] }>;
  grafanaAdminUser: string;
  /** A secret output: `pulumi stack output grafanaAdminPassword --show-secrets`. */
  grafanaAdminPassword: pulumi.Output<string>;
}

export interface DeployOptions {
  /** Name of the root component. Defaults to "voteobs". */
  name?: string;
  /** Prefix of Docker container, network and volume names. Defaults to "voteobs". */
  namePrefix?: string;
  /** Options of the root component (providers, transformations). */
  opts?: pulumi.ComponentResourceOptions;
}

/** The files a stack deploys: the same render `npm run render` writes to generated/<stack>/. */
export function renderedFilesFor(config: StackConfig): RenderedFiles {
  return renderAll(config, topologyFor(config));
}

/**
 * Deploys the stack to the target the config names: renders every file from the config and
 * hands the text and the secrets to the target's root component, which only places them.
 */
export function deployStack(config: StackConfig, secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>, options: DeployOptions = {}): StackOutputs {
  const name = options.name ?? "voteobs";
  const files = renderedFilesFor(config);
  const stack =
    config.target === "kubernetes"
      ? new KubernetesStack(name, { config, files, secrets }, options.opts)
      : new DockerStack(name, { config, files, secrets, namePrefix: options.namePrefix }, options.opts);
  return {
    target: config.target,
    grafanaUrl: pulumi.output(stack.grafanaUrl),
    voteUrl: pulumi.output(stack.voteUrl),
    resultUrl: pulumi.output(stack.resultUrl),
    alertmanagerUrl: pulumi.output(stack.alertmanagerUrl),
    receivers: config.alerting.receivers.filter((r) => r.enabled).map((r) => ({ name: r.name, type: r.type, severities: [...r.severities] })),
    grafanaAdminUser: config.grafana.adminUser,
    grafanaAdminPassword: pulumi.secret(stack.grafanaAdminPassword),
  };
}
