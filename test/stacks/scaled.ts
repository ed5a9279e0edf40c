/**
 * A stack beyond one machine (issue 14), as the stack tests deploy it under the mocks: two
 * remote-write stores (basic auth with a Pulumi secret, bearer with a token file, one of them
 * remote-write 2.0), Loki on an S3-compatible bucket with its keys as Pulumi secrets, Grafana on the
 * store's query URL and, on Kubernetes, two Prometheus replicas. Plain data; no stack module.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../support/exec";
import { mockSecret } from "./harness";

/** The bearer token, read from a file at deploy time (a `{ file }` reference). */
export const VM_TOKEN = "vm-token-read-from-a-file";

/** The token file in a fresh temporary folder; call `cleanup` after the tests. */
export function writeTokenFile(): { path: string; cleanup: () => void } {
  const dir = tempDir("stacks-scaled");
  const path = join(dir.path, "vm-token");
  writeFileSync(path, `${VM_TOKEN}\n`);
  return { path, cleanup: dir.cleanup };
}

export const MIMIR_URL = "https://mimir.example.com/api/v1/push";
export const VM_URL = "http://vm.example.com:8428/api/v1/write";
export const METRICS_QUERY_URL = "https://mimir.example.com/prometheus";
export const S3_ENDPOINT = "http://minio.example.com:9000";

/** The overlay on Pulumi.dev.yaml (docker) or Pulumi.k8s.yaml (kubernetes). */
export function scaledOverlay(target: "docker" | "kubernetes", tokenFile: string, loki: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prometheus: {
      externalLabels: { cluster: "voting-prod" },
      remoteWrite: [
        { name: "mimir", kind: "mimir", url: MIMIR_URL, auth: { type: "basic", username: "voteobs", password: { secret: "mimirPassword" } }, headers: { "X-Scope-OrgID": "voting" } },
        { name: "vm", kind: "victoriametrics", url: VM_URL, protocol: "2.0", auth: { type: "bearer", token: { file: tokenFile } } },
      ],
    },
    loki: {
      storage: { type: "s3", bucket: "voteobs-logs", endpoint: S3_ENDPOINT, pathStyle: true, accessKeyId: { secret: "lokiS3AccessKeyId" }, secretAccessKey: { secret: "lokiS3SecretAccessKey" }, ...loki },
    },
    grafana: { metricsQueryUrl: METRICS_QUERY_URL },
    ...(target === "kubernetes" ? { kubernetes: { prometheusReplicas: 2 } } : {}),
  };
}

/** Every secret value of the scaled config, as the mocks resolve them. */
export const SCALED_SECRET_VALUES = [mockSecret("mimirPassword"), mockSecret("lokiS3AccessKeyId"), mockSecret("lokiS3SecretAccessKey"), VM_TOKEN];
