import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SERVICE_LABEL } from "../../render";
import { PINS, type PinnedComponent } from "../../config/versions";
import { buildGraph, loadStack, reveal, type Graph } from "../stacks/harness";

/**
 * A Docker healthcheck runs inside the image, so it may use only what the pinned image ships.
 * From the images' Dockerfiles at the pinned tags: Loki's is distroless from 3.5.8 on (no shell, no
 * wget: docs/sources/setup/upgrade/_index.md of grafana/loki, "Removal of BusyBox Shell"; cmd/loki/
 * Dockerfile at v3.7.6) and has `loki -health` from 3.7.0 (cmd/loki/health.go); Alloy's is Ubuntu (bash).
 */
interface ImageTools {
  /** Programs a CMD healthcheck may start (CMD-SHELL needs /bin/sh). */
  programs: string[];
  shell: boolean;
}
/**
 * Known to fail until stacks/docker/loki.ts checks Loki with
 * ["CMD", "/usr/bin/loki", "-health", "-health.url=http://127.0.0.1:3100/ready"]; remove the entry then.
 */
const PENDING: Partial<Record<PinnedComponent, string>> = {};

const IMAGE_TOOLS: Partial<Record<PinnedComponent, ImageTools>> = {
  loki: { programs: ["/usr/bin/loki", "loki"], shell: false },
  alloy: { programs: ["bash", "/bin/bash"], shell: true },
};

/** Whether a Docker healthcheck test can run in an image with these tools. */
export function healthcheckProblem(test: string[], tools: ImageTools): string | undefined {
  const [kind, program] = test;
  if (kind === "CMD-SHELL") return tools.shell ? undefined : `CMD-SHELL needs /bin/sh, which the image does not have`;
  if (kind === "CMD") return tools.programs.includes(program) ? undefined : `${program} is not in the image (it has ${tools.programs.join(", ")})`;
  return `unknown healthcheck kind ${kind}`;
}

describe("Docker healthchecks use only what each pinned image ships", () => {
  let graph: Graph;
  before(async () => {
    const { config, secrets } = loadStack("dev");
    graph = await buildGraph(config, secrets, "voteobs-dev");
  });

  for (const [component, tools] of Object.entries(IMAGE_TOOLS) as Array<[PinnedComponent, ImageTools]>) {
    it(`${component} (${PINS[component].image})`, { todo: PENDING[component] }, () => {
      const container = graph.ofType("docker:index/container:Container").find((r) => (reveal<{ labels?: Array<{ label: string; value: string }> }>(r.inputs).labels ?? []).some((l) => l.label === SERVICE_LABEL && l.value === component));
      assert.ok(container, `no ${component} container`);
      const test = reveal<{ healthcheck?: { tests?: string[] } }>(container.inputs).healthcheck?.tests ?? [];
      assert.equal(healthcheckProblem(test, tools), undefined, `${component} healthcheck ${JSON.stringify(test)}`);
    });
  }

  it("the check fails on a shell healthcheck in a shell-less image", () => {
    assert.match(healthcheckProblem(["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:3100/ready || exit 1"], IMAGE_TOOLS.loki!)!, /needs \/bin\/sh/);
    assert.equal(healthcheckProblem(["CMD", "/usr/bin/loki", "-health", "-health.url=http://127.0.0.1:3100/ready"], IMAGE_TOOLS.loki!), undefined);
  });
});
