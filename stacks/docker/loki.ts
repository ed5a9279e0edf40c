import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PATHS, PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, dataVolume, pulledImage, serviceContainer, type PulledComponentArgs } from "./container";

export interface LokiArgs extends PulledComponentArgs {
  /** The rendered `loki/` folder keyed by path inside it: loki.yaml. */
  files: Record<string, string>;
}

/** Loki as a single binary on the filesystem; chunks, index and WAL in a named volume. */
export class Loki extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Loki";
  /** URL inside the monitoring network. */
  readonly url: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: LokiArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Loki.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Loki.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.files(args.files, ["loki.yaml"]);
    check.check(Object.keys(args.files).length === 1, "files", "may only hold loki.yaml");

    const prefix = args.namePrefix ?? "voteobs";
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-loki-data`, "loki", this);
    this.container = serviceContainer(
      name,
      {
        component: "loki",
        image: image.imageId,
        common: args,
        user: "10001:10001",
        command: [`-config.file=${CONFIG_FILES.loki}`],
        files: placeRenderedFiles(prefixed("loki/", args.files)),
        volumes: [{ volumeName: this.volume.name, containerPath: CONTAINER_PATHS.lokiData }],
        // The image is distroless (no shell, no wget); Loki 3.7+ checks its own readiness.
        healthcheck: ["CMD", "/usr/bin/loki", "-health", `-health.url=http://127.0.0.1:${PORTS.loki}/ready`],
        startPeriodSeconds: 60,
      },
      this,
    );
    this.url = `http://loki:${PORTS.loki}`;
    this.registerOutputs({ url: this.url, container: this.container.id });
  }
}
