import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, placeRenderedFiles, prefixed } from "../files";
import { bashHttpCheck, checkCommon, dataVolume, pulledImage, serviceContainer, TMPFS, type PulledComponentArgs } from "./container";

/** The alloy user of the image, and its storage folder (owned by that user, so a fresh volume is too). */
const ALLOY_USER = "473:473";
const STORAGE = "/var/lib/alloy/data";

export interface AlloyArgs extends PulledComponentArgs {
  /**
   * The rendered `alloy/` folder keyed by path inside it: config.alloy, which reads the Docker API
   * through the DockerApiProxy (`networks` must include the network Alloy shares with it).
   */
  files: Record<string, string>;
}

/**
 * Grafana Alloy shipping the logs of the stack's containers (json-file driver, read through the
 * read-only Docker API proxy) to Loki. It holds no Docker socket and runs as its own user.
 */
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

    const prefix = args.namePrefix ?? "voteobs";
    const image = pulledImage(`${name}-image`, args.image, this);
    // Read positions survive a replaced container, so logs are not shipped twice. A new name: the
    // volume of the root-run Alloy before it (alloy-data) holds files its user cannot write.
    this.volume = dataVolume(`${name}-storage`, `${prefix}-alloy-storage`, "alloy", args.stack, this);
    this.container = serviceContainer(
      name,
      {
        component: "alloy",
        image: image.imageId,
        common: args,
        user: ALLOY_USER,
        command: ["run", CONFIG_FILES.alloy, `--storage.path=${STORAGE}`, `--server.http.listen-addr=0.0.0.0:${PORTS.alloy}`, "--disable-reporting"],
        files: placeRenderedFiles(prefixed("alloy/", args.files)),
        volumes: [{ volumeName: this.volume.name, containerPath: STORAGE }],
        tmpfs: { "/tmp": TMPFS },
        healthcheck: bashHttpCheck(PORTS.alloy, "/-/ready"),
      },
      this,
    );
    this.registerOutputs({ container: this.container.id });
  }
}
