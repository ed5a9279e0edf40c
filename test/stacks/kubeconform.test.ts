// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { autoName, buildGraph, loadStack, reveal, type Graph } from "./harness";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { toolPath } from "../../toolchain";
import { convertOpenApi, KUBERNETES_SCHEMA_PIN, kubeconformSchemaLocation, schemaFileName } from "../../toolchain/kubernetes-schemas";
import { run, tempDir } from "../support/exec";
import { scaledOverlay, writeTokenFile } from "./scaled";

/**
 * Every Kubernetes object of the k8s stack's resource graph, as the provider would send it to the
 * API server, validated by kubeconform against the OpenAPI schema of the pinned Kubernetes release
 * (toolchain/kubernetes-schemas.ts), unknown fields rejected.
 */

type K8sObject = { apiVersion: string; kind: string; metadata?: { name?: string; namespace?: string } } & Record<string, unknown>;

/** The objects of the graph: each Kubernetes resource's inputs, secrets revealed, auto-named ones named as the provider would. */
function objectsOf(graph: Graph): K8sObject[] {
  return graph.resources
    .filter((r) => r.type.startsWith("kubernetes:"))
    .map((r) => {
      const object = reveal<K8sObject>(r.inputs);
      return { ...object, metadata: { ...object.metadata, name: object.metadata?.name ?? autoName(r.name) } };
    });
}

interface Report {
  resources: Array<{ filename: string; kind: string; name: string; version: string; status: string; msg: string }>;
  summary: { valid: number; invalid: number; errors: number; skipped: number };
}

const dir = tempDir("kubeconform");
let count = 0;

/** Writes the objects as one multi-document file (JSON documents: no YAML 1.1 surprises such as `y`) and validates them. */
function kubeconform(objects: readonly unknown[]): { code: number; report: Report; output: string } {
  const file = join(dir.path, `objects-${++count}.yaml`);
  writeFileSync(file, objects.map((o) => JSON.stringify(o)).join("\n---\n"));
  const result = run(toolPath("kubeconform"), ["-strict", "-summary", "-output", "json", "-schema-location", kubeconformSchemaLocation(), file], { timeoutMs: 120_000 });
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`kubeconform printed no JSON report (exit ${result.code}):\n${result.stdout}${result.stderr}`);
  }
  return { code: result.code, report, output: result.stdout + result.stderr };
}

describe(`every object of the k8s stack is valid Kubernetes ${KUBERNETES_SCHEMA_PIN.release} (kubeconform -strict)`, () => {
  let objects: K8sObject[];
  after(dir.cleanup);

  before(async () => {
    const { config, secrets } = loadStack("k8s");
    objects = objectsOf(await buildGraph(config, secrets));
  });

  it("validates every object against its kind's schema, none skipped, none invalid", () => {
    assert.ok(objects.length > 50, `the graph holds the stack's objects (${objects.length})`);
    const { code, report } = kubeconform(objects);
    const problems = report.resources.filter((r) => r.status !== "statusValid").map((r) => `${r.kind} ${r.name}: ${r.msg}`);
    assert.deepEqual(problems, []);
    assert.equal(code, 0);
    assert.deepEqual(report.summary, { valid: objects.length, invalid: 0, errors: 0, skipped: 0 });
  });

  it("validates the stack beyond one machine too (two Prometheus replicas and their budget, remote-write Secret, Loki's S3 variables from a Secret)", async () => {
    const token = writeTokenFile();
    try {
      const { config, secrets } = loadStack("k8s", scaledOverlay("kubernetes", token.path));
      const scaled = objectsOf(await buildGraph(config, secrets));
      const names = new Set(scaled.map((o) => `${o.kind}/${o.metadata?.name}`));
      assert.ok(names.has("PodDisruptionBudget/prometheus"), "the objects the scaled config adds are among them");
      assert.ok(scaled.filter((o) => o.kind === "Secret").length > objects.filter((o) => o.kind === "Secret").length, "the stores' Secrets");
      const { code, report } = kubeconform(scaled);
      assert.deepEqual(report.resources.filter((r) => r.status !== "statusValid").map((r) => `${r.kind} ${r.name}: ${r.msg}`), []);
      assert.equal(code, 0);
      assert.deepEqual(report.summary, { valid: scaled.length, invalid: 0, errors: 0, skipped: 0 });
    } finally {
      token.cleanup();
    }
  });

  it("rejects an unknown field, a misspelt one and a kind it has no schema for", () => {
    const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata?.name === "vote") as K8sObject & { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    assert.ok(deployment, "the vote Deployment");
    const unknownField = structuredClone(deployment);
    unknownField.spec.template.spec.containers[0].imagePullPolicyy = "Always";
    const misplaced = structuredClone(deployment) as Record<string, unknown> & { spec: Record<string, unknown> };
    misplaced.spec.replica = 3;
    const noSchema = { apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "typo" } };
    const { code, report } = kubeconform([unknownField, misplaced, noSchema]);
    assert.notEqual(code, 0);
    assert.equal(report.summary.valid, 0, JSON.stringify(report.resources, null, 2));
    const messages = report.resources.map((r) => r.msg).join("\n");
    assert.match(messages, /additional properties 'imagePullPolicyy' not allowed/);
    assert.match(messages, /additional properties 'replica' not allowed/);
    assert.match(messages, /could not find schema for Deploymnet/);
  });
});

describe("the OpenAPI → JSON schema conversion (kubeconform's standalone-strict layout)", () => {
  it("names each file as kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json template does", () => {
    assert.equal(schemaFileName({ group: "", version: "v1", kind: "Service" }), "service-v1.json");
    assert.equal(schemaFileName({ group: "apps", version: "v1", kind: "StatefulSet" }), "statefulset-apps-v1.json");
    assert.equal(schemaFileName({ group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy" }), "networkpolicy-networking-v1.json");
    assert.equal(schemaFileName({ group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding" }), "clusterrolebinding-rbac-v1.json");
  });

  it("inlines references, closes every object with properties, pins kind and apiVersion, and reads IntOrString as either", () => {
    const files = convertOpenApi({
      definitions: {
        "io.k8s.api.demo.v1.Widget": {
          type: "object",
          properties: { apiVersion: { type: "string" }, kind: { type: "string" }, spec: { $ref: "#/definitions/io.k8s.api.demo.v1.WidgetSpec" }, labels: { type: "object", additionalProperties: { type: "string" } } },
          "x-kubernetes-group-version-kind": [{ group: "demo.k8s.io", version: "v1", kind: "Widget" }],
        },
        "io.k8s.api.demo.v1.WidgetSpec": { type: "object", properties: { port: { $ref: "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString" } } },
        "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" },
      },
    });
    assert.deepEqual([...files.keys()], ["widget-demo-v1.json"]);
    assert.deepEqual(files.get("widget-demo-v1.json"), {
      type: "object",
      additionalProperties: false,
      properties: {
        apiVersion: { type: "string", enum: ["demo.k8s.io/v1"] },
        kind: { type: "string", enum: ["Widget"] },
        spec: { type: "object", properties: { port: { oneOf: [{ type: "string" }, { type: "integer" }] } }, additionalProperties: false },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
      "x-kubernetes-group-version-kind": [{ group: "demo.k8s.io", version: "v1", kind: "Widget" }],
    });
  });
});
