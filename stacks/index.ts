import * as pulumi from "@pulumi/pulumi";
import type { ResolvedSecret } from "../config/load";
import type { StackConfig } from "../config/schema";
import { dockerStackLabel, renderAll, topologyFor, type RenderedFiles } from "../render";
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
  /**
   * The Pulumi stack being deployed. The Docker target names and labels everything after it
   * (dockerStackLabel), so two stacks share one engine. Defaults to `pulumi.getStack()`.
   */
  stack?: string;
  /** Prefix of Docker container, network and volume names. Defaults to `voteobs-<stack label>`. */
  namePrefix?: string;
  /** Options of the root component (providers, transformations). */
  opts?: pulumi.ComponentResourceOptions;
}

/**
 * The files a stack deploys: the same render `npm run render` writes to generated/<stack>/.
 * `stack` defaults to `pulumi.getStack()`.
 */
export function renderedFilesFor(config: StackConfig, stack: string = pulumi.getStack()): RenderedFiles {
  return renderAll(config, topologyFor(config, stack));
}

/**
 * Deploys the stack to the target the config names: renders every file from the config and
 * hands the text and the secrets to the target's root component, which only places them.
 */
export function deployStack(config: StackConfig, secrets: ReadonlyArray<ResolvedSecret<pulumi.Output<string>>>, options: DeployOptions = {}): StackOutputs {
  const name = options.name ?? "voteobs";
  const stackName = options.stack ?? pulumi.getStack();
  const files = renderedFilesFor(config, stackName);
  const stack =
    config.target === "kubernetes"
      ? new KubernetesStack(name, { config, files, secrets }, options.opts)
      : new DockerStack(name, { config, files, secrets, stack: dockerStackLabel(stackName), namePrefix: options.namePrefix }, options.opts);
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
