import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { CONTAINER_PATHS, PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, dataVolume, pulledImage, serviceContainer, TMPFS, type PulledComponentArgs } from "./container";

export interface LokiArgs extends PulledComponentArgs {
  /** The rendered `loki/` folder keyed by path inside it: loki.yaml. */
  files: Record<string, string>;
  /** More flags, e.g. lokiFlags(config) (render/loki.ts). Defaults to none. */
  flags?: string[];
  /**
   * The S3 access key (loki.storage's accessKeyId and secretAccessKey), as Pulumi secrets. Placed
   * as an AWS shared credentials file readable only by Loki, never as environment variables (see
   * AWS_CREDENTIALS_FILE). Defaults to none: the AWS default chain (an instance role).
   */
  s3Credentials?: { accessKeyId: pulumi.Input<string>; secretAccessKey: pulumi.Input<string> };
}

/** Where Loki's S3 keys are on Docker: an AWS shared credentials file, named by AWS_SHARED_CREDENTIALS_FILE. */
const AWS_CREDENTIALS_FILE = `${FOLDERS.lokiSecrets}/aws-credentials`;

/**
 * The shared credentials file of the AWS SDK (profile `default`), which Loki's S3 client reads
 * when loki.yaml gives no keys. The SDK's INI parser ends a value at a line break, reads a blank
 * followed by # or ; as a comment and strips enclosing quotes (docs/deploy.md, Known limits).
 */
function awsCredentialsFile(accessKeyId: pulumi.Input<string>, secretAccessKey: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`);
}

/**
 * Loki as a single binary; chunks, index and WAL in a named volume, or chunks and index in an S3
 * bucket. The S3 keys never become environment variables here: `docker inspect` shows a container's
 * environment to whoever reads the Docker API, Alloy's read-only proxy included. loki.yaml names
 * them as `${LOKI_S3_*}`, which stay unset and expand to nothing, so Loki's S3 client (aws-sdk-go-v2)
 * takes its default chain, whose shared credentials file is the secret file placed here.
 */
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
    if (args.s3Credentials !== undefined) {
      check.required(args.s3Credentials.accessKeyId, "s3Credentials.accessKeyId");
      check.required(args.s3Credentials.secretAccessKey, "s3Credentials.secretAccessKey");
    }

    const prefix = args.namePrefix ?? "voteobs";
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-loki-data`, "loki", args.stack, this);
    this.container = serviceContainer(
      name,
      {
        component: "loki",
        image: image.imageId,
        common: args,
        user: "10001:10001",
        command: [`-config.file=${CONFIG_FILES.loki}`, ...(args.flags ?? [])],
        ...(args.s3Credentials
          ? {
              // A path, not a secret: the file itself is readable only by Loki's user.
              envs: [`AWS_SHARED_CREDENTIALS_FILE=${AWS_CREDENTIALS_FILE}`],
              secretFiles: { [AWS_CREDENTIALS_FILE]: awsCredentialsFile(args.s3Credentials.accessKeyId, args.s3Credentials.secretAccessKey) },
            }
          : {}),
        files: placeRenderedFiles(prefixed("loki/", args.files)),
        volumes: [{ volumeName: this.volume.name, containerPath: CONTAINER_PATHS.lokiData }],
        tmpfs: { "/tmp": TMPFS },
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
