import { createHash } from "node:crypto";
import { posix } from "node:path";
import type { RenderedFiles } from "../render";
import { APP_SECRET_FILES, CONTAINER_PATHS } from "../render/topology/types";

/**
 * Where each rendered file goes inside its container, the same on Docker and Kubernetes. The
 * rendered configs name these paths themselves (rule files, templates, secrets, dashboards), so
 * both targets place them identically; only the addresses inside the files differ.
 */

/** Components that receive rendered files. */
export type ConfiguredComponent = "prometheus" | "alertmanager" | "loki" | "alloy" | "grafana";

/** Folders inside the containers. Each is one ConfigMap mount on Kubernetes (mounts never nest). */
export const FOLDERS = {
  prometheusConfig: "/etc/prometheus/config",
  prometheusRules: CONTAINER_PATHS.prometheusRules,
  /** Remote-write passwords and tokens, the files prometheus.yml names. */
  prometheusSecrets: CONTAINER_PATHS.prometheusSecrets,
  alertmanagerConfig: "/etc/alertmanager/config",
  alertmanagerTemplates: CONTAINER_PATHS.alertmanagerTemplates,
  alertmanagerSecrets: CONTAINER_PATHS.alertmanagerSecrets,
  lokiConfig: "/etc/loki/config",
  /** Docker only: the AWS shared credentials file with Loki's S3 keys (Kubernetes sets them from a Secret instead). */
  lokiSecrets: "/etc/loki/secrets",
  alloyConfig: "/etc/alloy/config",
  grafanaConfig: "/etc/grafana/config",
  grafanaDatasources: "/etc/grafana/provisioning/datasources",
  grafanaDashboardProviders: "/etc/grafana/provisioning/dashboards",
  grafanaDashboards: CONTAINER_PATHS.grafanaDashboards,
  grafanaSecrets: CONTAINER_PATHS.grafanaSecrets,
  /** Postgres password for postgres itself and postgres-exporter. */
  postgresSecrets: "/etc/voteobs/secrets",
  /** Redis password (and Redis' ACL, redis_exporter's password file): the folder the app services read it from too. */
  redisSecrets: posix.dirname(APP_SECRET_FILES.redisPassword),
} as const;
export type FolderKey = keyof typeof FOLDERS;

/** Main config file of each configured component, as its command line names it. */
export const CONFIG_FILES = {
  prometheus: `${FOLDERS.prometheusConfig}/prometheus.yml`,
  alertmanager: `${FOLDERS.alertmanagerConfig}/alertmanager.yml`,
  loki: `${FOLDERS.lokiConfig}/loki.yaml`,
  alloy: `${FOLDERS.alloyConfig}/config.alloy`,
  grafana: `${FOLDERS.grafanaConfig}/grafana.ini`,
} as const;

/** Rendered-path prefix → component and folder. Longest prefix first. */
const PLACEMENT: ReadonlyArray<{ prefix: string; component: ConfiguredComponent; folder: FolderKey; exact?: string }> = [
  { prefix: "prometheus/rules/", component: "prometheus", folder: "prometheusRules" },
  { prefix: "prometheus/", component: "prometheus", folder: "prometheusConfig", exact: "prometheus.yml" },
  { prefix: "alertmanager/templates/", component: "alertmanager", folder: "alertmanagerTemplates" },
  { prefix: "alertmanager/", component: "alertmanager", folder: "alertmanagerConfig", exact: "alertmanager.yml" },
  { prefix: "loki/", component: "loki", folder: "lokiConfig", exact: "loki.yaml" },
  { prefix: "alloy/", component: "alloy", folder: "alloyConfig", exact: "config.alloy" },
  { prefix: "grafana/provisioning/datasources/", component: "grafana", folder: "grafanaDatasources" },
  { prefix: "grafana/provisioning/dashboards/", component: "grafana", folder: "grafanaDashboardProviders" },
  { prefix: "grafana/dashboards/", component: "grafana", folder: "grafanaDashboards" },
  { prefix: "grafana/", component: "grafana", folder: "grafanaConfig", exact: "grafana.ini" },
];

/** One rendered file at its place in a container. */
export interface PlacedFile {
  /** Path under generated/<stack>/, e.g. "prometheus/rules/slo.yml". */
  rendered: string;
  component: ConfiguredComponent;
  folder: FolderKey;
  /** File name inside the folder. */
  name: string;
  /** Absolute path inside the container. */
  path: string;
  content: string;
}

/**
 * Places every rendered file. A rendered file without a place is an error: a new renderer
 * output must be given a place here rather than be silently left out of the deployment.
 */
export function placeRenderedFiles(files: RenderedFiles): PlacedFile[] {
  return Object.entries(files).map(([rendered, content]) => {
    const rule = PLACEMENT.find((p) => rendered.startsWith(p.prefix) && (p.exact === undefined ? !rendered.slice(p.prefix.length).includes("/") : rendered.slice(p.prefix.length) === p.exact));
    if (!rule) throw new Error(`rendered file ${rendered} has no place in a container; add it to PLACEMENT in stacks/files.ts`);
    const name = rendered.slice(rule.prefix.length);
    return { rendered, component: rule.component, folder: rule.folder, name, path: posix.join(FOLDERS[rule.folder], name), content };
  });
}

/** The placed files of one component. */
export function filesOf(placed: readonly PlacedFile[], component: ConfiguredComponent): PlacedFile[] {
  return placed.filter((f) => f.component === component);
}

/** Short, stable content hash (used to roll Kubernetes pods when their ConfigMaps change). */
export function contentHash(parts: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const key of Object.keys(parts).sort()) hash.update(`${key}\0${parts[key]}\0`);
  return hash.digest("hex").slice(0, 16);
}

/** Files of a component folder back under their rendered paths ("prometheus/" + "rules/slo.yml"). */
export function prefixed(folder: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [`${folder}${path}`, text]));
}
