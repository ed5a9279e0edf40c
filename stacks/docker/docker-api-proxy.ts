import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Component } from "../../config/components";
import { DOCKER_API_READS } from "../../render/alloy";
import { PORTS } from "../../render/topology/types";
import { ArgChecker } from "../common";
import { checkCommon, pulledImage, serviceContainer, type PulledComponentArgs } from "./container";

/** One path segment of the Docker API: a container id or name. */
const SEGMENT = "[a-zA-Z0-9][a-zA-Z0-9_.-]*";

/**
 * The proxy's allowlist: one anchored Go regexp (the proxy adds ^ and $) per HTTP method, matched
 * against the request path without its query, for DOCKER_API_READS with or without /v1.NN.
 */
function dockerApiAllowlist(reads: Readonly<Record<string, readonly string[]>> = DOCKER_API_READS): Record<string, string> {
  return Object.fromEntries(
    Object.entries(reads).map(([method, paths]) => {
      const alternatives = paths.map((path) => path.slice(1).replace(/[.]/g, "\\.").replace(/\{id\}/g, SEGMENT));
      return [method, `(/v1\\.[0-9]+)?/(${alternatives.join("|")})`];
    }),
  );
}

export interface DockerApiProxyArgs extends PulledComponentArgs {
  /** Network aliases (components) allowed to connect; every other address is refused. */
  clients: Component[];
  /** The host's Docker socket, mounted read-only into the proxy only. Defaults to /var/run/docker.sock. */
  dockerSocket?: string;
}

/**
 * A read-only view of the Docker API (wollomatic/socket-proxy) for Alloy: it holds the Docker
 * socket and lets through only the reads of DOCKER_API_READS from its clients, on a network only
 * they share. Everything else (creating or starting containers, exec, archives, exports, images,
 * volumes, another method) is refused with 403 or 405.
 */
export class DockerApiProxy extends pulumi.ComponentResource {
  static readonly TYPE = "voteobs:docker:DockerApiProxy";
  /** Address the clients use (render/topology/docker.ts DOCKER_API_HOST). */
  readonly host: string;
  readonly container: docker.Container;

  constructor(name: string, args: DockerApiProxyArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DockerApiProxy.TYPE, name, {}, opts);
    const check = new ArgChecker(this, DockerApiProxy.TYPE, name);
    check.image(args.image);
    checkCommon(check, args);
    check.nonEmpty(args.clients, "clients", "client component");
    if (args.dockerSocket !== undefined) check.check(args.dockerSocket.startsWith("/"), "dockerSocket", `${JSON.stringify(args.dockerSocket)} must be an absolute path`);

    const port = PORTS["docker-socket-proxy"];
    const image = pulledImage(`${name}-image`, args.image, this);
    this.container = serviceContainer(
      name,
      {
        component: "docker-socket-proxy",
        image: image.imageId,
        common: args,
        // Root without capabilities: it owns nothing but may open the root-owned socket (rw for its owner).
        user: "0:0",
        command: [
          "-listenip=0.0.0.0",
          `-proxyport=${port}`,
          `-allowfrom=${args.clients.join(",")}`,
          ...Object.entries(dockerApiAllowlist()).map(([method, regexp]) => `-allow${method}=${regexp}`),
          "-allowhealthcheck",
          // A restarted Docker engine replaces the socket: stop, and let the restart policy mount the new one.
          "-watchdoginterval=60",
          "-stoponwatchdog",
          "-shutdowngracetime=5",
        ],
        volumes: [{ hostPath: args.dockerSocket ?? "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }],
        // The image's own probe (scratch image: no shell); it asks the proxy to ping the socket.
        healthcheck: ["CMD", "/healthcheck"],
        startPeriodSeconds: 10,
      },
      this,
    );
    this.host = `tcp://docker-socket-proxy:${port}`;
    this.registerOutputs({ host: this.host, container: this.container.id });
  }
}
