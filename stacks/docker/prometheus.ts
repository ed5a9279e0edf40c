import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { duration } from "../../config/duration";
import { storageSize, type StackConfig } from "../../config/schema";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, dataVolume, pulledImage, serviceContainer, wgetCheck, type PulledComponentArgs } from "./container";

export interface PrometheusArgs extends PulledComponentArgs {
  /** The rendered `prometheus/` folder keyed by path inside it: prometheus.yml and rules/*.yml. */
  files: Record<string, string>;
  /** How long samples are kept and the TSDB's size bound: the stack config's `prometheus` section. */
  storage: Pick<StackConfig["prometheus"], "retention" | "retentionSize">;
  /** More flags, e.g. remoteWriteFlags(config) (render/remote-write.ts). Defaults to none. */
  flags?: string[];
  /**
   * Secret files prometheus.yml names (remote-write passwords and tokens), keyed by file name in
   * the secrets folder. Placed as Pulumi secrets, readable only by Prometheus. Defaults to none.
   */
  secretFiles?: Record<string, pulumi.Input<string>>;
}

/** Prometheus: scrapes every component, evaluates the rules, sends alerts to Alertmanager and samples to the long-term stores. TSDB in a named volume. */
export class Prometheus extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Prometheus";
  /** URL inside the monitoring network. */
  readonly url: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Prometheus.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Prometheus.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.files(args.files, ["prometheus.yml"]);
    check.check(Object.keys(args.files).every((f) => f === "prometheus.yml" || /^rules\/[a-z0-9-]+\.yml$/.test(f)), "files", "may only hold prometheus.yml and rules/<name>.yml");
    check.schema(duration, args.storage?.retention, "storage.retention");
    if (args.storage.retentionSize !== undefined) check.schema(storageSize, args.storage.retentionSize, "storage.retentionSize");
    for (const fileName of Object.keys(args.secretFiles ?? {})) check.secretFileName(fileName, `secretFiles["${fileName}"]`);

    const prefix = args.namePrefix ?? "voteobs";
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-prometheus-data`, "prometheus", args.stack, this);
    this.container = serviceContainer(
      name,
      {
        component: "prometheus",
        image: image.imageId,
        common: args,
        user: "65534:65534",
        command: [
          `--config.file=${CONFIG_FILES.prometheus}`,
          "--storage.tsdb.path=/prometheus",
          `--storage.tsdb.retention.time=${args.storage.retention}`,
          ...(args.storage.retentionSize ? [`--storage.tsdb.retention.size=${args.storage.retentionSize}`] : []),
          `--web.listen-address=:${PORTS.prometheus}`,
          ...(args.flags ?? []),
        ],
        files: placeRenderedFiles(prefixed("prometheus/", args.files)),
        secretFiles: Object.fromEntries(Object.entries(args.secretFiles ?? {}).map(([file, value]) => [`${FOLDERS.prometheusSecrets}/${file}`, value])),
        volumes: [{ volumeName: this.volume.name, containerPath: "/prometheus" }],
        healthcheck: wgetCheck(`http://127.0.0.1:${PORTS.prometheus}/-/healthy`),
      },
      this,
    );
    this.url = `http://prometheus:${PORTS.prometheus}`;
    this.registerOutputs({ url: this.url, container: this.container.id });
  }
}
