import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, placeRenderedFiles, prefixed } from "../files";
import { bashHttpCheck, checkCommon, dataVolume, pulledImage, serviceContainer, type PulledComponentArgs } from "./container";

/** Alloy's storage folder: a fresh named volume, owned by root like the process. */
const STORAGE = "/var/lib/voteobs-alloy";

export interface AlloyArgs extends PulledComponentArgs {
  /** The rendered `alloy/` folder keyed by path inside it: config.alloy. */
  files: Record<string, string>;
  /** Docker socket of the host, mounted read-only to discover containers and read their logs. Defaults to /var/run/docker.sock. */
  dockerSocket?: string;
}

/** Grafana Alloy shipping the logs of every container (json-file driver, read through the Docker API) to Loki. */
export class Alloy extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Alloy";
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: AlloyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Alloy.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Alloy.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.files(args.files, ["config.alloy"]);
    check.check(Object.keys(args.files).length === 1, "files", "may only hold config.alloy");
    if (args.dockerSocket !== undefined) check.check(args.dockerSocket.startsWith("/"), "dockerSocket", `${JSON.stringify(args.dockerSocket)} must be an absolute path`);

    const prefix = args.namePrefix ?? "voteobs";
    const socket = args.dockerSocket ?? "/var/run/docker.sock";
    const image = pulledImage(`${name}-image`, args.image, this);
    // Read positions survive a replaced container, so logs are not shipped twice. Not the image's
    // /var/lib/alloy/data: that belongs to the alloy user, which root without DAC_OVERRIDE cannot write.
    this.volume = dataVolume(`${name}-data`, `${prefix}-alloy-data`, "alloy", this);
    this.container = serviceContainer(
      name,
      {
        component: "alloy",
        image: image.imageId,
        common: args,
        // Root without capabilities: it owns nothing but may open the root-owned Docker socket.
        command: ["run", CONFIG_FILES.alloy, `--storage.path=${STORAGE}`, `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`, "--disable-reporting"],
        files: placeRenderedFiles(prefixed("alloy/", args.files)),
        volumes: [
          { volumeName: this.volume.name, containerPath: STORAGE },
          { hostPath: socket, containerPath: "/var/run/docker.sock", readOnly: true },
        ],
        healthcheck: bashHttpCheck(PORTS.alloy, "/-/ready"),
      },
      this,
    );
    this.registerOutputs({ container: this.container.id });
  }
}
