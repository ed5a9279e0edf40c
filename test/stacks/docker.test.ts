// The harness installs the Pulumi mocks; it must be imported before any stack module.
import { buildGraph, isSecretValue, loadGenerated, loadStack, matchSnapshot, mockSecret, plainStrings, reveal, snapshotOf, type Graph, type Recorded } from "./harness";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { APP_SERVICES, COMPONENTS, type Component } from "../../config/components";
import { CADVISOR_MINIMUM, PINS } from "../../config/versions";
import { METRIC_SOURCES } from "../../queries/metrics";
import { appEnvironment } from "../../render/app-environment";
import { APP_SECRET_FILES, CADVISOR_STACK_LABEL, PORTS, SCRAPED_SERVICE, SERVICE_LABEL, STACK_LABEL } from "../../render/topology/types";
import { dockerTopology } from "../../render/topology/docker";
import { METRICS_QUERY_URL, SCALED_SECRET_VALUES, scaledOverlay, VM_TOKEN, writeTokenFile } from "./scaled";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";
const VOLUME = "docker:index/volume:Volume";
const FILES_OF = "voteobs.files-of";
const PUBLISHED: Component[] = ["grafana", "vote", "result"];

type Label = { label: string; value: string };
type Container = {
  name: string;
  image: string;
  labels: Label[];
  networksAdvanced?: Array<{ name: string; aliases: string[] }>;
  networkMode?: string;
  ports?: Array<{ internal: number; external: number; ip?: string }>;
  healthcheck?: { tests?: string[] };
  restart?: string;
  uploads?: Array<{ file: string; content: unknown; permissions?: string; owner?: string }>;
  securityOpts?: string[];
  capabilities?: { drops?: string[] };
  privileged?: boolean;
  readOnly?: boolean;
  start?: boolean;
  mustRun?: boolean;
  memory?: number;
  cpus?: string;
  logDriver?: string;
  command?: string[];
  envs?: string[];
  user?: string;
  tmpfs?: Record<string, string>;
  volumes?: Array<{ containerPath?: string; hostPath?: string; volumeName?: string; fromContainer?: string; readOnly?: boolean }>;
  mounts?: Array<{ source?: string; target?: string }>;
};

const labelOf = (r: Recorded, name: string) => (reveal<Container>(r.inputs).labels ?? []).find((l) => l.label === name)?.value;
const isFilesContainer = (r: Recorded) => labelOf(r, FILES_OF) !== undefined;
const componentOf = (r: Recorded): Component => {
  const value = labelOf(r, SERVICE_LABEL) ?? labelOf(r, FILES_OF);
  assert.ok(value, `${r.name} has neither ${SERVICE_LABEL} nor ${FILES_OF}`);
  return value as Component;
};
/** The containers that run (one per component); their files containers are filesOf. */
const containers = (graph: Graph) => graph.ofType(CONTAINER).filter((r) => !isFilesContainer(r)).map((r) => ({ record: r, component: componentOf(r), spec: reveal<Container>(r.inputs) }));
const filesContainers = (graph: Graph) => graph.ofType(CONTAINER).filter(isFilesContainer).map((r) => ({ record: r, component: componentOf(r), spec: reveal<Container>(r.inputs) }));
const containerOf = (graph: Graph, component: Component) => {
  const found = containers(graph).find((c) => c.component === component);
  assert.ok(found, `no container for ${component}`);
  return found;
};
/** Every placed file, by `<component>:<path>`, as its files container uploads it. */
const uploadsOf = (graph: Graph) =>
  new Map(
    filesContainers(graph).flatMap(({ component, record }) =>
      ((record.inputs.uploads ?? []) as Array<{ file: string; content: unknown; owner?: string; permissions?: string }>).map((u) => [`${component}:${u.file}`, { component, ...u }] as const),
    ),
  );
const envOf = (spec: Container) => Object.fromEntries((spec.envs ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
const value = <T>(output: pulumi.Input<T>) => new Promise<T>((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));

/** The networks each container joins, by the component names of the graph. */
function networksOf(graph: Graph): Map<Component, string[]> {
  const byId = new Map(graph.ofType(NETWORK).map((n) => [n.inputs.name as string, n]));
  return new Map(
    containers(graph).map(({ component, spec }) => [
      component,
      (spec.networksAdvanced ?? []).map((n) => {
        assert.ok(byId.has(n.name), `${component} joins ${n.name}, which the stack does not create`);
        return n.name;
      }),
    ]),
  );
}

describe("docker target (dev stack under Pulumi mocks)", () => {
  let graph: Graph;
  const generated = loadGenerated("dev");

  before(async () => {
    const { config, secrets } = loadStack("dev");
    graph = await buildGraph(config, secrets, "voteobs-dev");
  });

  it("matches the reviewed resource graph snapshot", () => {
    const result = matchSnapshot("dev.yaml", snapshotOf(graph, generated));
    assert.ok(result.ok, result.ok ? "" : result.message);
  });

  it("runs one container per component, each labelled with its service", () => {
    assert.deepEqual(containers(graph).map((c) => c.component).sort(), [...COMPONENTS].sort());
    for (const { component, spec } of containers(graph)) {
      assert.equal(spec.name, `voteobs-dev-${component}`);
      for (const network of spec.networksAdvanced ?? []) assert.deepEqual(network.aliases, [component], `${component} on ${network.name}`);
    }
  });

  it("every container runs an image by id, pulled pinned or built from services/Dockerfile with its SERVICE", () => {
    const ids = new Set([...graph.ofType("docker:index/remoteImage:RemoteImage").map((r) => r.name), ...graph.ofType("docker:index/image:Image").map((r) => r.name)]);
    assert.equal(ids.size, COMPONENTS.length);
    for (const { component, spec } of containers(graph)) assert.match(spec.image, /^sha256:[0-9a-f]+$/, `${component} must run an image id so a new image replaces it`);
    const built = graph.ofType("docker:index/image:Image").map((image) => reveal<{ imageName: string; skipPush: boolean; build: { dockerfile: string; context: string; args: Record<string, string> } }>(image.inputs));
    assert.deepEqual(built.map((b) => b.build.args.SERVICE).sort(), [...APP_SERVICES].sort());
    for (const inputs of built) {
      assert.equal(inputs.skipPush, true);
      assert.match(inputs.build.dockerfile, /services\/Dockerfile$/);
      assert.match(inputs.build.context, /services$/);
      assert.equal(inputs.imageName, `voteobs/${inputs.build.args.SERVICE}:dev`);
    }
    for (const image of graph.ofType("docker:index/remoteImage:RemoteImage")) assert.doesNotMatch(String(image.inputs.name), /:latest$|^[^:@]+$/);
  });

  it("every service is scraped by a job of the uploaded prometheus.yml, at an alias Prometheus can reach", () => {
    const prometheus = containerOf(graph, "prometheus");
    const upload = uploadsOf(graph).get("prometheus:/etc/prometheus/config/prometheus.yml");
    assert.ok(upload, "prometheus.yml is placed");
    const document = parseYaml(String(upload.content)) as { scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[]; labels: { service: string } }> }> };
    const prometheusNetworks = new Set((prometheus.spec.networksAdvanced ?? []).map((n) => n.name));
    const reachable = new Map<string, Component>();
    for (const { component, spec } of containers(graph)) {
      for (const network of spec.networksAdvanced ?? []) if (prometheusNetworks.has(network.name)) for (const alias of network.aliases) reachable.set(`${alias}:${PORTS[component]}`, component);
    }
    const scrapedServices = new Set<string>();
    for (const job of document.scrape_configs) {
      for (const sc of job.static_configs ?? []) {
        for (const target of sc.targets) {
          assert.equal(reachable.get(target), job.job_name, `job ${job.job_name}: target ${target} is not a container Prometheus shares a network with`);
          scrapedServices.add(sc.labels.service);
        }
      }
    }
    // The Docker API proxy has no metrics; cAdvisor reports its container.
    for (const { component } of containers(graph)) if (component !== "docker-socket-proxy") assert.ok(scrapedServices.has(SCRAPED_SERVICE[component]), `${component} (service ${SCRAPED_SERVICE[component]}) is scraped by no job`);
  });

  it("every container has a healthcheck, a restart policy, limits, json-file logs and no new privileges", () => {
    for (const { component, spec } of containers(graph)) {
      assert.ok((spec.healthcheck?.tests ?? []).length > 1 && ["CMD", "CMD-SHELL"].includes(spec.healthcheck!.tests![0]), `${component} healthcheck`);
      assert.ok(["always", "unless-stopped", "on-failure"].includes(spec.restart ?? ""), `${component} restart policy`);
      assert.ok((spec.memory ?? 0) > 0 && Number(spec.cpus) > 0, `${component} limits`);
      assert.equal(spec.logDriver, "json-file", `${component} logs readable by Alloy`);
      assert.ok(spec.securityOpts?.includes("no-new-privileges:true"), `${component} no-new-privileges`);
      assert.deepEqual(spec.capabilities?.drops, ["ALL"], `${component} drops every capability`);
      assert.equal(spec.privileged ?? false, component === "cadvisor", `${component}: only cAdvisor runs privileged`);
    }
  });

  describe("cAdvisor sees containers on the containerd image store (issue 12.1)", () => {
    it("runs the pinned release from ghcr.io, at least the minimum of the version table", () => {
      const pulled = graph.ofType("docker:index/remoteImage:RemoteImage").map((r) => String(r.inputs.name));
      assert.ok(pulled.includes(PINS.cadvisor.image), `pulls ${PINS.cadvisor.image}`);
      assert.match(PINS.cadvisor.image, /^ghcr\.io\/google\/cadvisor:v\d+\.\d+\.\d+$/);
      const [major, minor] = PINS.cadvisor.release.split(".").map(Number);
      const [minMajor, minMinor] = CADVISOR_MINIMUM.release.split(".").map(Number);
      assert.ok(major > minMajor || (major === minMajor && minor >= minMinor), `${PINS.cadvisor.release} >= ${CADVISOR_MINIMUM.release}`);
    });

    it("passes only flags cAdvisor v0.54.1 defines, and keeps the service and stack labels", () => {
      // cmd/cadvisor.go, container/raw/factory.go and manager/container.go at v0.54.1; the metric kinds of container/factory.go.
      const FLAGS = ["port", "docker_only", "housekeeping_interval", "store_container_labels", "whitelisted_container_labels", "disable_metrics"];
      const KINDS = ["cpu", "sched", "percpu", "memory", "memory_numa", "cpuLoad", "diskIO", "disk", "network", "tcp", "advtcp", "udp", "app", "process", "hugetlb", "perf_event", "referenced_memory", "cpu_topology", "resctrl", "cpuset", "oom_event", "pressure"];
      const command = containerOf(graph, "cadvisor").spec.command ?? [];
      for (const arg of command) assert.ok(FLAGS.includes(/^--([a-z_]+)=/.exec(arg)?.[1] ?? ""), `${arg} is a flag of cAdvisor v0.54.1`);
      const disabled = command.find((a) => a.startsWith("--disable_metrics="))!.split("=")[1].split(",");
      for (const kind of disabled) assert.ok(KINDS.includes(kind), `${kind} is a metric kind of v0.54.1`);
      assert.ok(!disabled.includes("cpu") && !disabled.includes("memory"), "CPU and memory series stay on");
      assert.ok(command.includes(`--whitelisted_container_labels=${SERVICE_LABEL},${STACK_LABEL}`));
    });

    it("reads the series our queries use, which cAdvisor v0.54.1 exports", () => {
      // metrics/prometheus.go at v0.54.1: containerMetrics (last_seen, cpu, memory) and the spec metrics.
      const V0_54_1 = ["container_last_seen", "container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_start_time_seconds", "container_spec_memory_limit_bytes"];
      assert.deepEqual([...METRIC_SOURCES.cadvisor].sort(), [...V0_54_1].sort());
    });

    it("mounts what it reads on the containerd image store: /var/run (containerd's socket), the Docker data root, /sys, the host root", () => {
      const volumes = containerOf(graph, "cadvisor").spec.volumes ?? [];
      for (const path of ["/var/run", "/var/lib/docker", "/sys", "/rootfs", "/dev/disk"]) {
        const volume = volumes.find((v) => v.containerPath === path);
        assert.ok(volume?.hostPath && volume.readOnly, `${path} mounted read-only from the host`);
      }
    });
  });

  it("postgres_exporter runs the postmaster collector, which the restart queries read (issue 12.2)", () => {
    assert.ok(containerOf(graph, "postgres-exporter").spec.command?.includes("--collector.postmaster"));
    assert.ok(containerOf(graph, "redis-exporter").spec.command?.some((arg) => /^--check-single-keys=(.*,)?db0=votes(,|$)/.test(arg)));
  });

  describe("Redis requires a password, generated and kept as a secret (issue 12.3)", () => {
    const password = () => `generated-${graph.ofType("random:index/randomPassword:RandomPassword").find((r) => r.name.endsWith("-redis-password"))!.name}`;

    it("is generated with RandomPassword when the config names none", () => {
      assert.ok(graph.ofType("random:index/randomPassword:RandomPassword").some((r) => r.name === "voteobs-redis-password"));
    });

    it("Redis reads an ACL file with the password's SHA-256, never the password on its command line or in its environment", () => {
      const redis = containerOf(graph, "redis").spec;
      const aclArg = redis.command!.indexOf("--aclfile");
      assert.ok(aclArg > 0, "redis-server --aclfile");
      const acl = uploadsOf(graph).get(`redis:${redis.command![aclArg + 1]}`);
      assert.ok(acl && isSecretValue(acl.content), "the ACL file is a secret upload");
      const hash = createHash("sha256").update(password()).digest("hex");
      assert.equal(reveal(acl.content), `user default on #${hash} ~* &* +@all\n`);
      assert.equal(acl.owner, "999");
      assert.equal(acl.permissions, "0400");
      for (const text of [...(redis.command ?? []), ...(redis.envs ?? []), ...(redis.healthcheck?.tests ?? [])]) assert.ok(!text.includes(password()), `${text} holds the password`);
    });

    it("the healthcheck authenticates from the password file, through REDISCLI_AUTH", () => {
      const test = containerOf(graph, "redis").spec.healthcheck!.tests!.join(" ");
      assert.match(test, /REDISCLI_AUTH="\$\(cat \/etc\/voteobs\/secrets\/redis\/redis-password\)" redis-cli -p 6379 ping \| grep -q PONG/);
      assert.equal(reveal(uploadsOf(graph).get("redis:/etc/voteobs/secrets/redis/redis-password")!.content), password());
    });

    it("vote and worker read it from REDIS_PASSWORD_FILE, result gets neither the variable nor the file", () => {
      for (const service of ["vote", "worker"] as const) {
        assert.equal(envOf(containerOf(graph, service).spec).REDIS_PASSWORD_FILE, APP_SECRET_FILES.redisPassword);
        const upload = uploadsOf(graph).get(`${service}:${APP_SECRET_FILES.redisPassword}`);
        assert.ok(upload && isSecretValue(upload.content) && reveal(upload.content) === password(), `${service} gets the password file`);
        assert.equal(upload.owner, "1000");
      }
      assert.equal(envOf(containerOf(graph, "result").spec).REDIS_PASSWORD_FILE, undefined);
      assert.equal(uploadsOf(graph).get(`result:${APP_SECRET_FILES.redisPassword}`), undefined);
    });

    it("redis_exporter reads its JSON password file for its own address", () => {
      const exporter = containerOf(graph, "redis-exporter").spec;
      const flag = exporter.command!.find((a) => a.startsWith("--redis.password-file="));
      assert.ok(flag, "--redis.password-file");
      const upload = uploadsOf(graph).get(`redis-exporter:${flag.split("=")[1]}`);
      assert.ok(upload && isSecretValue(upload.content));
      const address = envOf(exporter).REDIS_ADDR;
      assert.equal(address, "redis://redis:6379");
      assert.deepEqual(JSON.parse(reveal<string>(upload.content)), { [address]: password() });
      assert.equal(upload.owner, "59000");
    });
  });

  it("vote, worker and result run exactly the environment appEnvironment maps, and their secret files", () => {
    const { config } = loadStack("dev");
    const expected = appEnvironment(config, dockerTopology("dev").app);
    for (const service of APP_SERVICES) {
      assert.deepEqual(containerOf(graph, service).spec.envs, Object.entries(expected[service]).map(([k, v]) => `${k}=${v}`), service);
      const files = [...uploadsOf(graph).values()].filter((u) => u.component === service).map((u) => u.file).sort();
      const named = [expected[service].REDIS_PASSWORD_FILE, expected[service].POSTGRES_PASSWORD_FILE].filter((f): f is string => f !== undefined).sort();
      assert.deepEqual(files, named, `${service}: the files its environment names, and no others`);
    }
  });

  describe("the back tier is segmented (issue 12.4)", () => {
    /** Who shares a network with whom: the connections Docker lets through. */
    const peers = (component: Component) => {
      const networks = networksOf(graph);
      const own = new Set(networks.get(component));
      return new Set([...networks].filter(([other, list]) => other !== component && list.some((n) => own.has(n))).map(([other]) => other));
    };

    it("vote reaches Redis but not Postgres, result Postgres but not Redis, worker both", () => {
      assert.ok(peers("vote").has("redis") && !peers("vote").has("postgres"));
      assert.ok(peers("result").has("postgres") && !peers("result").has("redis"));
      assert.ok(peers("worker").has("redis") && peers("worker").has("postgres"));
    });

    it("each network holds exactly its members, and the internal ones have no route out", () => {
      const members = new Map<string, Component[]>();
      for (const [component, list] of networksOf(graph)) for (const n of list) members.set(n, [...(members.get(n) ?? []), component].sort());
      assert.deepEqual(Object.fromEntries([...members].sort()), {
        "voteobs-dev-app-metrics": ["prometheus", "result", "vote", "worker"],
        "voteobs-dev-docker-api": ["alloy", "docker-socket-proxy"],
        "voteobs-dev-front-tier": ["result", "vote"],
        "voteobs-dev-monitoring": ["alertmanager", "alloy", "cadvisor", "grafana", "loki", "node-exporter", "postgres-exporter", "prometheus", "redis-exporter"],
        "voteobs-dev-postgres-tier": ["postgres", "postgres-exporter", "result", "worker"],
        "voteobs-dev-redis-tier": ["redis", "redis-exporter", "vote", "worker"],
      });
      const internal = Object.fromEntries(graph.ofType(NETWORK).map((n) => [n.inputs.name as string, n.inputs.internal]));
      assert.deepEqual(internal, {
        "voteobs-dev-app-metrics": true,
        "voteobs-dev-docker-api": true,
        "voteobs-dev-front-tier": false,
        "voteobs-dev-monitoring": false,
        "voteobs-dev-postgres-tier": true,
        "voteobs-dev-redis-tier": true,
      });
    });

    it("the app services share no network with a monitoring component but Prometheus", () => {
      for (const service of APP_SERVICES) {
        for (const other of peers(service)) assert.ok(["vote", "worker", "result", "redis", "postgres", "redis-exporter", "postgres-exporter", "prometheus"].includes(other), `${service} reaches ${other}`);
      }
    });
  });

  describe("every container is scoped to its stack (issue 12.5)", () => {
    it("every container, files container, network and volume carries voteobs.stack=dev", () => {
      for (const r of [...graph.ofType(CONTAINER), ...graph.ofType(NETWORK), ...graph.ofType(VOLUME)]) assert.equal(labelOf(r, STACK_LABEL), "dev", `${r.type} ${r.name}`);
    });

    it("Alloy lists only this stack's containers, and Prometheus keeps only this stack's cAdvisor series", () => {
      const alloy = String(uploadsOf(graph).get("alloy:/etc/alloy/config/config.alloy")!.content);
      assert.match(alloy, /discovery\.docker "containers" \{\n {2}host = "tcp:\/\/docker-socket-proxy:2375"\n\n {2}filter \{\n {4}name {3}= "label"\n {4}values = \["voteobs\.stack=dev"\]\n {2}\}\n\}/);
      const prometheus = parseYaml(String(uploadsOf(graph).get("prometheus:/etc/prometheus/config/prometheus.yml")!.content)) as {
        scrape_configs: Array<{ job_name: string; metric_relabel_configs?: Array<{ source_labels?: string[]; regex?: string; action?: string }> }>;
      };
      const cadvisor = prometheus.scrape_configs.find((j) => j.job_name === "cadvisor")!;
      assert.ok(cadvisor.metric_relabel_configs!.some((r) => r.source_labels?.[0] === CADVISOR_STACK_LABEL && r.regex === "dev" && r.action === "keep"));
    });

    it("a second stack on the same engine names, labels and reads only its own", async () => {
      const { config, secrets } = loadStack("dev");
      const staging = await buildGraph(config, secrets, undefined, "Staging");
      const names = (g: Graph) => new Set([...g.ofType(CONTAINER), ...g.ofType(NETWORK), ...g.ofType(VOLUME)].map((r) => r.inputs.name as string));
      const overlap = [...names(staging)].filter((n) => names(graph).has(n));
      assert.deepEqual(overlap, [], "no container, network or volume name in common");
      for (const r of [...staging.ofType(CONTAINER), ...staging.ofType(NETWORK), ...staging.ofType(VOLUME)]) assert.equal(labelOf(r, STACK_LABEL), "staging", `${r.type} ${r.name}`);
      for (const { spec, component } of containers(staging)) assert.equal(spec.name, `voteobs-staging-${component}`);
      const alloy = String(uploadsOf(staging).get("alloy:/etc/alloy/config/config.alloy")!.content);
      assert.ok(alloy.includes('values = ["voteobs.stack=staging"]') && !alloy.includes("voteobs.stack=dev"));
      const prometheus = String(uploadsOf(staging).get("prometheus:/etc/prometheus/config/prometheus.yml")!.content);
      assert.match(prometheus, /- container_label_voteobs_stack\n\s+regex: staging\n\s+action: keep/);
    });
  });

  describe("Alloy does not hold the Docker socket (issue 12.6)", () => {
    const socketMounts = (spec: Container) => [...(spec.volumes ?? []).filter((v) => v.hostPath?.endsWith("docker.sock")), ...(spec.mounts ?? []).filter((m) => m.source?.endsWith("docker.sock"))];

    it("only the Docker API proxy mounts the socket, read-only; Alloy runs as its own user", () => {
      for (const { component, spec } of containers(graph)) assert.equal(socketMounts(spec).length > 0, component === "docker-socket-proxy", `${component} mounts the Docker socket`);
      assert.deepEqual(socketMounts(containerOf(graph, "docker-socket-proxy").spec), [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock", readOnly: true }]);
      assert.equal(containerOf(graph, "alloy").spec.user, "473:473");
    });

    it("the proxy allows only the reads Alloy's Docker components make, only from Alloy", () => {
      const command = containerOf(graph, "docker-socket-proxy").spec.command ?? [];
      const allow = Object.fromEntries(command.filter((a) => a.startsWith("-allow") && /^-allow[A-Z]+=/.test(a)).map((a) => [a.slice(6, a.indexOf("=")), new RegExp(`^${a.slice(a.indexOf("=") + 1)}$`)]));
      assert.deepEqual(Object.keys(allow).sort(), ["GET", "HEAD"], "no method but GET and HEAD");
      assert.ok(command.includes("-allowfrom=alloy"));
      const id = "0123456789abcdef".repeat(4);
      for (const path of ["/_ping", "/v1.51/containers/json", "/v1.51/networks", `/v1.51/containers/${id}/json`, `/v1.51/containers/${id}/logs`, "/containers/json"]) assert.ok(allow.GET.test(path), `GET ${path}`);
      assert.ok(allow.HEAD.test("/_ping"));
      for (const path of [`/v1.51/containers/${id}/export`, `/v1.51/containers/${id}/archive`, `/v1.51/containers/${id}/attach/ws`, "/v1.51/images/json", "/v1.51/volumes", "/v1.51/info", "/v1.51/secrets", `/v1.51/containers/${id}/logs/../export`, "/v1.51/events"]) {
        assert.ok(!allow.GET.test(path), `GET ${path} is refused`);
      }
      assert.ok(!allow.HEAD.test("/v1.51/containers/json"));
    });

    it("the proxy shares a network with Alloy only, and Alloy reaches it where its config says", () => {
      const networks = networksOf(graph);
      const proxyNetworks = networks.get("docker-socket-proxy")!;
      assert.deepEqual(proxyNetworks, ["voteobs-dev-docker-api"]);
      const sharing = [...networks].filter(([, list]) => list.some((n) => proxyNetworks.includes(n))).map(([c]) => c).sort();
      assert.deepEqual(sharing, ["alloy", "docker-socket-proxy"]);
      const alloy = String(uploadsOf(graph).get("alloy:/etc/alloy/config/config.alloy")!.content);
      assert.equal([...alloy.matchAll(/host\s+= "([^"]+)"/g)].map((m) => m[1]).join(), `tcp://docker-socket-proxy:${PORTS["docker-socket-proxy"]},tcp://docker-socket-proxy:${PORTS["docker-socket-proxy"]}`);
    });
  });

  describe("read-only root filesystems (issue 12.7)", () => {
    /** Containers that keep a writable root, with the reason upstream needs it. None today. */
    const WRITABLE: Partial<Record<Component, string>> = {};

    it("every container runs with a read-only root, except the listed ones", () => {
      for (const { component, spec } of containers(graph)) assert.equal(spec.readOnly, !(component in WRITABLE), `${component} readOnly`);
    });

    it("no running container receives an upload: its files come read-only from its files container", () => {
      const byName = new Map(filesContainers(graph).map((f) => [f.record.name, f]));
      for (const { component, spec, record } of containers(graph)) {
        assert.equal(spec.uploads, undefined, `${component} has uploads`);
        const files = byName.get(`${record.name}-files`);
        const from = (spec.volumes ?? []).filter((v) => v.fromContainer);
        if (!files) {
          assert.deepEqual(from, [], `${component} mounts files it does not have`);
          continue;
        }
        assert.deepEqual(from, [{ fromContainer: `${files.record.name}-id:ro` }], `${component} mounts its files read-only`);
      }
    });

    it("a files container never starts, joins no network and holds one anonymous volume per folder of its files", () => {
      assert.ok(filesContainers(graph).length > 0);
      for (const { component, spec } of filesContainers(graph)) {
        assert.equal(spec.start, false, component);
        assert.equal(spec.mustRun, false, component);
        assert.equal(spec.networkMode, "none", component);
        assert.equal(spec.name, `voteobs-dev-${component}-files`);
        const folders = [...new Set((spec.uploads ?? []).map((u) => u.file.slice(0, u.file.lastIndexOf("/"))))].sort();
        assert.deepEqual(spec.volumes, folders.map((containerPath) => ({ containerPath })), `${component}: anonymous volumes, removed with the container`);
      }
    });
  });

  it("the alertmanagerUrl output selects the Alertmanager datasource by its name (issue 12.8)", async () => {
    const url = new URL(await value(graph.outputs!.alertmanagerUrl));
    assert.equal(`${url.origin}${url.pathname}`, "http://127.0.0.1:3000/alerting/groups");
    const provisioning = parseYaml(String(uploadsOf(graph).get("grafana:/etc/grafana/provisioning/datasources/voteobs.yaml")!.content)) as { datasources: Array<{ name: string; type: string }> };
    const datasource = provisioning.datasources.find((d) => d.type === "alertmanager")!;
    assert.equal(url.searchParams.get("alertmanager"), datasource.name);
  });

  it("publishes only Grafana, vote and result, on 127.0.0.1 by default", () => {
    for (const { component, spec } of containers(graph)) {
      const ports = spec.ports ?? [];
      assert.equal(ports.length > 0, PUBLISHED.includes(component), `${component} published: ${JSON.stringify(ports)}`);
      for (const port of ports) assert.equal(port.ip, "127.0.0.1", `${component} binds ${port.ip}`);
    }
  });

  it("binds 0.0.0.0 only when network.publishAddress says so", async () => {
    const { config, secrets } = loadStack("dev", { network: { publishAddress: "0.0.0.0" } });
    const open = await buildGraph(config, secrets, "voteobs-dev");
    const ips = containers(open).flatMap(({ spec }) => (spec.ports ?? []).map((p) => p.ip));
    assert.equal(ips.length, 3);
    assert.ok(ips.every((ip) => ip === "0.0.0.0"));
  });

  it("every secret reaches the containers only as a secret input, never as plain text", () => {
    const generatedPasswords = graph.ofType("random:index/randomPassword:RandomPassword");
    assert.deepEqual(generatedPasswords.map((r) => r.name).sort(), ["voteobs-grafana-admin-password", "voteobs-postgres-password", "voteobs-redis-password"], "Grafana admin, Postgres and Redis passwords are generated");
    const values = [mockSecret("slackWebhookUrl"), mockSecret("smtpPassword"), ...generatedPasswords.map((r) => `generated-${r.name}`)];
    for (const resource of graph.resources) {
      for (const { path, text } of plainStrings(resource.inputs)) {
        for (const value of values) assert.ok(!text.includes(value), `${resource.type} ${resource.name} ${path} holds a secret in plain text`);
      }
    }
    const secretUploads = [...uploadsOf(graph).values()].filter((u) => u.file.includes("/secrets/"));
    assert.deepEqual(secretUploads.map((u) => `${u.component}:${u.file}`).sort(), [
      "alertmanager:/etc/alertmanager/secrets/email-smtp-password",
      "alertmanager:/etc/alertmanager/secrets/slack-slack-webhook-url",
      "grafana:/etc/grafana/secrets/grafana-admin-password",
      "postgres-exporter:/etc/voteobs/secrets/postgres-password",
      "postgres:/etc/voteobs/secrets/postgres-password",
      "redis-exporter:/etc/voteobs/secrets/redis/redis-exporter-passwords.json",
      "redis:/etc/voteobs/secrets/redis/redis-password",
      "redis:/etc/voteobs/secrets/redis/users.acl",
      `result:${APP_SECRET_FILES.postgresPassword}`,
      `vote:${APP_SECRET_FILES.redisPassword}`,
      `worker:${APP_SECRET_FILES.postgresPassword}`,
      `worker:${APP_SECRET_FILES.redisPassword}`,
    ]);
    for (const upload of secretUploads) assert.ok(isSecretValue(upload.content), `${upload.component}:${upload.file} must be a secret input`);
    assert.equal(reveal(secretUploads.find((u) => u.file.endsWith("slack-slack-webhook-url"))!.content), mockSecret("slackWebhookUrl"));
  });

  it("places every file of generated/dev byte for byte, each with its component", async () => {
    const { placeRenderedFiles } = await import("../../stacks/files");
    const expected = placeRenderedFiles(generated).map((f) => `${f.component}:${f.path}`).sort();
    const uploads = [...uploadsOf(graph).values()].filter((u) => !u.file.includes("/secrets/"));
    assert.deepEqual(uploads.map((u) => `${u.component}:${u.file}`).sort(), expected);
    for (const placed of placeRenderedFiles(generated)) {
      const upload = uploadsOf(graph).get(`${placed.component}:${placed.path}`);
      assert.ok(upload && upload.content === placed.content, `${placed.rendered} placed byte for byte at ${placed.component}:${placed.path}`);
    }
  });

  it("changing a threshold changes only the files of the re-rendered files' components: the rules file, nothing else of Prometheus", async () => {
    const overlay = { alerts: { voteErrorRatio: { threshold: 0.07 } } };
    const { config, secrets } = loadStack("dev", overlay);
    const changed = await buildGraph(config, secrets, "voteobs-dev");
    const { renderedFilesFor } = await import("../../stacks");
    const { config: baseConfig } = loadStack("dev");
    const before = renderedFilesFor(baseConfig, "dev");
    const after = renderedFilesFor(config, "dev");
    const rerendered = Object.keys(before).filter((path) => before[path] !== after[path]);
    assert.ok(rerendered.includes("prometheus/rules/user-experience.yml"));
    assert.ok(rerendered.every((path) => path.startsWith("prometheus/rules/") || path.startsWith("grafana/dashboards/")), `a threshold re-renders rules and dashboards only: ${rerendered}`);

    const key = (r: Recorded) => `${r.type}::${r.name}`;
    const old = new Map(graph.resources.map((r) => [key(r), r]));
    assert.deepEqual(changed.resources.map(key).sort(), [...old.keys()].sort(), "same resources");
    const { placeRenderedFiles } = await import("../../stacks/files");
    const placedChanges = placeRenderedFiles(Object.fromEntries(rerendered.map((p) => [p, after[p]])));
    for (const resource of changed.resources) {
      const previous = old.get(key(resource))!;
      const differing = Object.keys({ ...previous.inputs, ...resource.inputs }).filter((k) => JSON.stringify(previous.inputs[k]) !== JSON.stringify(resource.inputs[k]));
      if (differing.length === 0) continue;
      assert.ok(resource.type === CONTAINER && isFilesContainer(resource), `${resource.name}: only files containers change (their services follow their new id)`);
      assert.deepEqual(differing, ["uploads"], `${resource.name}: only uploads may change, not ${differing}`);
      const component = componentOf(resource);
      const beforeUploads = new Map(reveal<Container>(previous.inputs).uploads!.map((u) => [u.file, u.content]));
      const files = reveal<Container>(resource.inputs).uploads!.filter((u) => beforeUploads.get(u.file) !== u.content).map((u) => u.file);
      assert.deepEqual(files.sort(), placedChanges.filter((p) => p.component === component).map((p) => p.path).sort(), `${component}: the changed uploads are the re-rendered files`);
      if (component === "prometheus") assert.deepEqual(files, ["/etc/prometheus/rules/user-experience.yml"]);
    }
  });
});

describe("docker target beyond one machine (issue 14): remote write with secrets, Loki on S3", () => {
  let graph: Graph;
  const token = writeTokenFile();
  after(token.cleanup);

  before(async () => {
    const { config, secrets } = loadStack("dev", scaledOverlay("docker", token.path));
    graph = await buildGraph(config, secrets, "voteobs-dev");
  });

  it("Prometheus gets remoteWriteFlags after its own flags", () => {
    assert.equal(containerOf(graph, "prometheus").spec.command?.at(-1), "--enable-feature=metadata-wal-records");
  });

  it("the remote-write password and token are secret uploads where prometheus.yml names them, readable by Prometheus' user alone", () => {
    const uploads = uploadsOf(graph);
    const prometheusYml = parseYaml(String(uploads.get("prometheus:/etc/prometheus/config/prometheus.yml")!.content)) as { remote_write: Array<{ basic_auth?: { password_file: string }; authorization?: { credentials_file: string } }> };
    const named = prometheusYml.remote_write.map((w) => w.basic_auth?.password_file ?? w.authorization?.credentials_file);
    assert.deepEqual(named, ["/etc/prometheus/secrets/mimir-remote-write-password", "/etc/prometheus/secrets/vm-remote-write-token"]);
    const secretUploads = [...uploads.values()].filter((u) => u.component === "prometheus" && u.file.includes("/secrets/"));
    assert.deepEqual(secretUploads.map((u) => u.file), named);
    for (const upload of secretUploads) {
      assert.ok(isSecretValue(upload.content), `${upload.file} is a secret input`);
      assert.equal(upload.owner, "65534", `${upload.file} belongs to Prometheus' user`);
      assert.equal(upload.permissions, "0400");
    }
    assert.equal(reveal(secretUploads[0].content), mockSecret("mimirPassword"));
    assert.equal(reveal(secretUploads[1].content), VM_TOKEN);
    const files = filesContainers(graph).find((f) => f.component === "prometheus")!;
    assert.ok(files.spec.volumes?.some((v) => v.containerPath === "/etc/prometheus/secrets"), "the secrets folder is a volume of the files container");
    assert.ok(containerOf(graph, "prometheus").spec.volumes?.some((v) => v.fromContainer?.endsWith(":ro")), "mounted read-only into Prometheus");
  });

  it("Loki's S3 keys are an AWS credentials file readable by Loki alone, never environment variables (docker inspect shows those)", () => {
    const loki = containerOf(graph, "loki").spec;
    assert.deepEqual(loki.command, ["-config.file=/etc/loki/config/loki.yaml", "-config.expand-env=true"]);
    assert.deepEqual(loki.envs, ["AWS_SHARED_CREDENTIALS_FILE=/etc/loki/secrets/aws-credentials"], "only the file's path: LOKI_S3_* stay unset, so loki.yaml's keys expand to nothing and the AWS default chain reads the file");
    const upload = uploadsOf(graph).get("loki:/etc/loki/secrets/aws-credentials");
    assert.ok(upload && isSecretValue(upload.content), "a secret upload");
    assert.equal(upload.owner, "10001", "Loki's user");
    assert.equal(upload.permissions, "0400");
    assert.equal(reveal(upload.content), `[default]\naws_access_key_id = ${mockSecret("lokiS3AccessKeyId")}\naws_secret_access_key = ${mockSecret("lokiS3SecretAccessKey")}\n`);
    const lokiYaml = String(uploadsOf(graph).get("loki:/etc/loki/config/loki.yaml")!.content);
    assert.match(lokiYaml, /access_key_id: \$\{LOKI_S3_ACCESS_KEY_ID\}/, "the render names the variables, which Docker leaves unset");
  });

  it("no secret value of the stores is plain text anywhere", () => {
    for (const resource of graph.resources) {
      for (const { path, text } of plainStrings(resource.inputs)) for (const value of SCALED_SECRET_VALUES) assert.ok(!text.includes(value), `${resource.type} ${resource.name} ${path} holds a secret in plain text`);
    }
  });

  it("Prometheus, Loki and Grafana reach the stores: each is on a network with a route out, and Grafana's datasource is the store's query URL", () => {
    const internal = new Map(graph.ofType(NETWORK).map((n) => [n.inputs.name as string, n.inputs.internal === true]));
    for (const component of ["prometheus", "loki", "grafana"] as const) {
      assert.ok((containerOf(graph, component).spec.networksAdvanced ?? []).some((n) => internal.get(n.name) === false), `${component} joins a network that is not internal`);
    }
    const datasources = parseYaml(String(uploadsOf(graph).get("grafana:/etc/grafana/provisioning/datasources/voteobs.yaml")!.content)) as { datasources: Array<{ type: string; url: string }> };
    assert.equal(datasources.datasources.find((d) => d.type === "prometheus")!.url, METRICS_QUERY_URL);
  });
});
