// The harness installs the Pulumi mocks; it must be imported before index.ts runs.
import { stackConfigFor } from "./harness";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";

const value = <T>(output: pulumi.Input<T>) => new Promise<T>((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));

/** Runs index.ts as `pulumi up` would, with the config of Pulumi.<stack>.yaml. */
function runProgram(all: Record<string, string>, secretKeys: string[]): Record<string, pulumi.Output<unknown> | unknown> {
  pulumi.runtime.setAllConfig(all, secretKeys);
  const path = require.resolve("../../index");
  delete require.cache[path];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path);
}

describe("index.ts, the composition root", () => {
  it("deploys the dev stack from Pulumi.dev.yaml and exports URLs, receivers and a secret admin password", async () => {
    const { all, secretKeys } = stackConfigFor("dev");
    const program = runProgram(all, secretKeys.map((k) => `voteobs:${k}`));
    assert.equal(program.target, "docker");
    assert.equal(await value(program.grafanaUrl as pulumi.Output<string>), "http://127.0.0.1:3000");
    assert.equal(await value(program.voteUrl as pulumi.Output<string>), "http://127.0.0.1:8080");
    assert.equal(await value(program.resultUrl as pulumi.Output<string>), "http://127.0.0.1:8081");
    assert.match(await value(program.alertmanagerUrl as pulumi.Output<string>), /^http:\/\/127\.0\.0\.1:3000\/alerting\/groups\?alertmanager=/);
    assert.deepEqual(program.receivers, [
      { name: "slack", type: "slack", severities: ["critical", "warning"] },
      { name: "email", type: "email", severities: ["critical"] },
    ]);
    assert.equal(program.grafanaAdminUser, "admin");
    assert.equal(await pulumi.isSecret(program.grafanaAdminPassword as pulumi.Output<string>), true);
  });

  it("warns, naming the setting, while alerts.runbookBaseUrl is the placeholder, and not once it is set", () => {
    const { all, secretKeys } = stackConfigFor("dev");
    const warnings: string[] = [];
    const original = pulumi.log.warn;
    pulumi.log.warn = async (message: string) => void warnings.push(message);
    try {
      const alerts = JSON.parse(all["voteobs:alerts"] ?? "{}") as Record<string, unknown>;
      delete alerts.runbookBaseUrl;
      runProgram({ ...all, "voteobs:alerts": JSON.stringify(alerts) }, secretKeys.map((k) => `voteobs:${k}`));
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.match(warnings[0], /voteobs:alerts → runbookBaseUrl is the placeholder https:\/\/github\.com\/voteobs\/voteobs\/.*pulumi config set --path 'voteobs:alerts\.runbookBaseUrl'/);
      warnings.length = 0;
      runProgram({ ...all, "voteobs:alerts": JSON.stringify({ ...alerts, runbookBaseUrl: "https://git.example.com/team/voting/blob/main/RUNBOOK.md" }) }, secretKeys.map((k) => `voteobs:${k}`));
      assert.deepEqual(warnings, []);
    } finally {
      pulumi.log.warn = original;
    }
  });

  it("turns a config mistake into one readable error, not a stack trace", () => {
    const { all, secretKeys } = stackConfigFor("dev");
    assert.throws(
      () => runProgram({ ...all, "voteobs:alerts": JSON.stringify({ voteErrorRatio: { threshold: 5 } }) }, secretKeys),
      (error: unknown) => error instanceof pulumi.RunError && /voteErrorRatio\.threshold: 5 is not a ratio/.test(error.message),
    );
  });

  it("names the secret to set when a receiver's secret is missing", () => {
    const { all } = stackConfigFor("dev");
    delete all["voteobs:slackWebhookUrl"];
    assert.throws(
      () => runProgram(all, []),
      (error: unknown) => error instanceof pulumi.RunError && error.message.includes("pulumi config set --secret slackWebhookUrl"),
    );
  });

  it("deploys the k8s stack to the kubernetes target", async () => {
    const { all, secretKeys } = stackConfigFor("k8s");
    const program = runProgram(all, secretKeys.map((k) => `voteobs:${k}`));
    assert.equal(program.target, "kubernetes");
    assert.equal(await value(program.grafanaUrl as pulumi.Output<string>), "http://grafana.voteobs.svc:3000");
    assert.equal(await value(program.voteUrl as pulumi.Output<string>), "http://vote.voteobs.svc");
    assert.deepEqual(program.receivers, [{ name: "slack", type: "slack", severities: ["critical", "warning"] }]);
  });
});
