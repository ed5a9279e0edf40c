import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, dataVolume, pulledImage, serviceContainer, TMPFS, wgetCheck, type PulledComponentArgs } from "./container";

export interface AlertmanagerArgs extends PulledComponentArgs {
  /** The rendered `alertmanager/` folder keyed by path inside it: alertmanager.yml and templates/*.tmpl. */
  files: Record<string, string>;
  /**
   * Secret files the rendered config reads (Slack webhook URLs, SMTP passwords), keyed by file
   * name in the secrets folder. Placed as Pulumi secrets, readable only by Alertmanager.
   * Defaults to none.
   */
  secretFiles?: Record<string, pulumi.Input<string>>;
}

/** Alertmanager: one instance on Docker (no clustering), notification log and silences in a named volume. */
export class Alertmanager extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Alertmanager";
  /** URL inside the monitoring network. */
  readonly url: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Alertmanager.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Alertmanager.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.files(args.files, ["alertmanager.yml"]);
    check.check(Object.keys(args.files).every((f) => f === "alertmanager.yml" || /^templates\/[^/]+\.tmpl$/.test(f)), "files", "may only hold alertmanager.yml and templates/<name>.tmpl");
    for (const fileName of Object.keys(args.secretFiles ?? {})) check.secretFileName(fileName, `secretFiles["${fileName}"]`);

    const prefix = args.namePrefix ?? "voteobs";
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-alertmanager-data`, "alertmanager", args.stack, this);
    this.container = serviceContainer(
      name,
      {
        component: "alertmanager",
        image: image.imageId,
        common: args,
        user: "65534:65534",
        command: [
          `--config.file=${CONFIG_FILES.alertmanager}`,
          "--storage.path=/alertmanager",
          `--web.listen-address=:${PORTS.alertmanager}`,
          // A single instance: no gossip port.
          "--cluster.listen-address=",
        ],
        files: placeRenderedFiles(prefixed("alertmanager/", args.files)),
        secretFiles: Object.fromEntries(Object.entries(args.secretFiles ?? {}).map(([file, value]) => [`${FOLDERS.alertmanagerSecrets}/${file}`, value])),
        volumes: [{ volumeName: this.volume.name, containerPath: "/alertmanager" }],
        tmpfs: { "/tmp": TMPFS },
        healthcheck: wgetCheck(`http://127.0.0.1:${PORTS.alertmanager}/-/healthy`),
      },
      this,
    );
    this.url = `http://alertmanager:${PORTS.alertmanager}`;
    this.registerOutputs({ url: this.url, container: this.container.id });
  }
}
