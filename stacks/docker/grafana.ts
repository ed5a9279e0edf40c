import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { GRAFANA_ADMIN_PASSWORD_FILE } from "../../config/secrets";
import { PORTS } from "../../render/topology/types";
import { ArgChecker, hostUrl } from "../common";
import { CONFIG_FILES, FOLDERS, placeRenderedFiles, prefixed } from "../files";
import { checkCommon, checkPublish, dataVolume, pulledImage, serviceContainer, TMPFS, wgetCheck, type PublishArgs, type PulledComponentArgs } from "./container";

export interface GrafanaArgs extends PulledComponentArgs {
  /**
   * The rendered `grafana/` folder keyed by path inside it: grafana.ini,
   * provisioning/datasources/*.yaml, provisioning/dashboards/*.yaml and dashboards/*.json.
   */
  files: Record<string, string>;
  /** Admin password (a Pulumi secret); placed as the file grafana.ini reads with $__file{}. */
  adminPassword: pulumi.Input<string>;
  /** Where Grafana is published on the host: the stack config's `network` (publishAddress, ports.grafana). */
  publish: PublishArgs;
}

/** Grafana with provisioned datasources and dashboards; users, sessions and state in a named volume. */
export class Grafana extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:Grafana";
  /** URL on the host. */
  readonly url: string;
  readonly container: docker.Container;
  readonly volume: docker.Volume;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Grafana.TYPE, name, {}, opts);
    const check = new ArgChecker(this, Grafana.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.files(args.files, ["grafana.ini"]);
    check.check(Object.keys(args.files).every((f) => f === "grafana.ini" || /^provisioning\/(datasources|dashboards)\/[^/]+\.yaml$/.test(f) || /^dashboards\/[^/]+\.json$/.test(f)), "files", "may only hold grafana.ini, provisioning/{datasources,dashboards}/<name>.yaml and dashboards/<uid>.json");
    check.required(args.adminPassword, "adminPassword");
    check.required(args.publish, "publish");
    checkPublish(check, args.publish, "publish");

    const prefix = args.namePrefix ?? "voteobs";
    const publish = { address: args.publish.address ?? "127.0.0.1", port: args.publish.port };
    const image = pulledImage(`${name}-image`, args.image, this);
    this.volume = dataVolume(`${name}-data`, `${prefix}-grafana-data`, "grafana", args.stack, this);
    this.container = serviceContainer(
      name,
      {
        component: "grafana",
        image: image.imageId,
        common: args,
        user: "472:0",
        envs: [`GF_PATHS_CONFIG=${CONFIG_FILES.grafana}`, "GF_PATHS_PROVISIONING=/etc/grafana/provisioning", "GF_PATHS_DATA=/var/lib/grafana"],
        files: placeRenderedFiles(prefixed("grafana/", args.files)),
        secretFiles: { [`${FOLDERS.grafanaSecrets}/${GRAFANA_ADMIN_PASSWORD_FILE}`]: args.adminPassword },
        volumes: [{ volumeName: this.volume.name, containerPath: "/var/lib/grafana" }],
        tmpfs: { "/tmp": TMPFS, "/var/log/grafana": TMPFS },
        publish: [{ internal: PORTS.grafana, publish }],
        healthcheck: wgetCheck(`http://127.0.0.1:${PORTS.grafana}/api/health`),
        startPeriodSeconds: 60,
      },
      this,
    );
    this.url = hostUrl(publish.address, publish.port);
    this.registerOutputs({ url: this.url, container: this.container.id });
  }
}
