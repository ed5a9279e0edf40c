// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { buildGraph, loadStack, reveal, ROOT } from "./harness";
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "../../stacks/common";
import { appImages, hasRegistryHost, imagePlan } from "../../stacks/kubernetes/images";
import { containerOf } from "./k8s-objects";

/**
 * Issue 12 point 9: a rebuilt image rolls out. With a registry, `pulumi up` builds and pushes each
 * image and deploys it by digest; without one, the reused default tag is refused with what to set.
 */

const SERVICES = ["vote", "worker", "result"] as const;

describe("which repositories name a registry", () => {
  const cases: Array<[string, boolean]> = [
    ["voteobs", false],
    ["team/voteobs", false],
    ["registry.example.com/voteobs", true],
    ["localhost:5001/voteobs", true],
    ["localhost/voteobs", true],
    ["ghcr.io/acme/voteobs", true],
    ["registry:5000/voteobs", true],
  ];
  for (const [repository, registry] of cases) it(`${repository}: ${registry ? "a registry" : "no registry"}`, () => assert.equal(hasRegistryHost(repository), registry));
});

describe("how the app images reach the cluster", () => {
  const app = (overlay: Partial<typeof DEFAULTS.app>) => ({ ...DEFAULTS.app, ...overlay });

  it("a registry: build and push", () => assert.deepEqual(imagePlan(app({ imageRepository: "registry.example.com/voteobs" }), false), { kind: "build-and-push", repository: "registry.example.com/voteobs", tag: "dev" }));
  it("no registry, a tag of the user's: that tag", () => assert.deepEqual(imagePlan(app({ imageTag: "1a2b3c4" }), false), { kind: "tag", repository: "voteobs", tag: "1a2b3c4" }));
  it("no registry, the default tag: refused", () => assert.equal(imagePlan(app({}), false).kind, "refuse"));
  it("images given (CI): used as they are, whatever the config says", () => assert.deepEqual(imagePlan(app({}), true), { kind: "given" }));

  it("given images are deployed as given, nothing is built", () => {
    const parent = new pulumi.ComponentResource("test:index:Parent", "parent");
    const given = { vote: "ghcr.io/acme/vote@sha256:" + "a".repeat(64), worker: "ghcr.io/acme/worker:1a2b3c4", result: "ghcr.io/acme/result:1a2b3c4" };
    const { images, built } = appImages("x", DEFAULTS.app, given, parent);
    assert.deepEqual(images, given);
    assert.equal(built.length, 0);
  });
});

describe("the k8s stack's images", () => {
  it("refuses the default repository and tag, naming what to set", async () => {
    const { config, secrets } = loadStack("k8s", { app: { imageRepository: "voteobs" } });
    await assert.rejects(
      () => buildGraph(config, secrets),
      (error: unknown) => {
        assert.ok(error instanceof pulumi.ResourceError, String(error));
        assert.match(error.message, /voteobs:app → imageRepository: "voteobs" names no registry/);
        assert.match(error.message, /voteobs:app → imageTag/);
        assert.match(error.message, /registry\.example\.com\/voteobs/);
        return true;
      },
    );
  });

  it("with a registry, builds services/Dockerfile per service, pushes it and deploys the pushed digest", async () => {
    const { config, secrets } = loadStack("k8s");
    assert.equal(config.app.imageRepository, "localhost:5001/voteobs", "Pulumi.k8s.yaml: kind's local registry");
    const graph = await buildGraph(config, secrets);
    const built = graph.ofType("docker:index/image:Image").map((r) => ({ name: r.name, inputs: reveal<{ imageName: string; skipPush?: boolean; build: { context: string; dockerfile: string; args: Record<string, string> } }>(r.inputs) }));
    assert.deepEqual(built.map((b) => b.inputs.imageName).sort(), SERVICES.map((s) => `localhost:5001/voteobs/${s}:dev`).sort());
    for (const service of SERVICES) {
      const image = built.find((b) => b.inputs.imageName.includes(`/${service}:`))!.inputs;
      assert.notEqual(image.skipPush, true, `${service} is pushed`);
      assert.equal(image.build.context, join(ROOT, "services"));
      assert.equal(image.build.dockerfile, join(ROOT, "services/Dockerfile"));
      assert.deepEqual(image.build.args, { SERVICE: service });
      const container = containerOf(graph, service);
      assert.match(container.image, new RegExp(`^localhost:5001/voteobs/${service}@sha256:[0-9a-f]{64}$`), `${service} runs the pushed digest, so every push rolls out`);
    }
  });

  it("without a registry, a tag of the user's is deployed as it is and nothing is built", async () => {
    const { config, secrets } = loadStack("k8s", { app: { imageRepository: "voteobs", imageTag: "1a2b3c4" } });
    const graph = await buildGraph(config, secrets);
    assert.equal(graph.ofType("docker:index/image:Image").length, 0);
    for (const service of SERVICES) assert.equal(containerOf(graph, service).image, `voteobs/${service}:1a2b3c4`);
  });
});
