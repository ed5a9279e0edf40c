import { join } from "node:path";
import { loadStackFile } from "../../config/load";
import type { StackConfig } from "../../config/schema";
import { dockerTopology, renderAll, type RenderedFiles, type Topology } from "../../render";

export const ROOT = join(__dirname, "../..");

/** The dev stack's config, optionally with overlays (deepest last). */
export function devConfig(...overlays: Record<string, unknown>[]): StackConfig {
  return loadStackFile(join(ROOT, "Pulumi.dev.yaml"), overlays).config;
}

/** The Docker topology with every file path moved under `root`, so real tools can read the render. */
export function topologyUnder(root: string, base: Topology = dockerTopology()): Topology {
  return {
    ...base,
    paths: {
      prometheusRules: join(root, "prometheus/rules"),
      prometheusSecrets: join(root, "prometheus/secrets"),
      alertmanagerTemplates: join(root, "alertmanager/templates"),
      alertmanagerSecrets: join(root, "alertmanager/secrets"),
      lokiData: join(root, "loki/data"),
      grafanaDashboards: join(root, "grafana/dashboards"),
      grafanaSecrets: join(root, "grafana/secrets"),
    },
  };
}

export function renderDev(...overlays: Record<string, unknown>[]): RenderedFiles {
  return renderAll(devConfig(...overlays), dockerTopology());
}
