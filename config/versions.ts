import type { ThirdParty } from "./components";

/**
 * Every third-party version of the project, in one place. The stacks deploy `image` of each entry;
 * `npm run toolchain` builds the `go` entries from their Go modules, and the tests, the bench and
 * `npm run local` run exactly those binaries. A version can never differ between what is tested and
 * what ships, because there is no second place to write it.
 */

/** How a pinned program is built from its Go module (`go install <module>/<package>@<version>`). */
export interface GoBuild {
  /** The Go module, e.g. "github.com/prometheus/prometheus". */
  module: string;
  /** The module version; Prometheus 3.MM.P is published as module v0.3MM.P. */
  version: string;
  /** Each program the module provides: tool name → package path inside the module ("" is its root). */
  programs: Record<string, string>;
  /**
   * The variables the upstream release build stamps with `-ldflags -X` (promu does it for every
   * Prometheus project), so `--version` reports the release as the image's binary does.
   */
  stamp?: VersionStamp;
  /**
   * Why `go install <module>/<package>@<version>` cannot build it, so a generated wrapper module
   * (requiring the module, replacing it with a patched copy when `stubAssets` is set) builds it instead.
   */
  wrapper?: string;
  /**
   * Folders the module embeds (`//go:embed`) that upstream's release build generates first (a web
   * UI built with npm) and the module does not carry: the wrapper's copy gets a placeholder page there.
   */
  stubAssets?: string[];
}

/** Fully qualified Go variables set with -X; each is optional. */
export interface VersionStamp {
  version: string;
  revision?: string;
  branch?: string;
  user?: string;
  date?: string;
}

export interface Pin {
  /** The upstream release, as its release notes name it ("3.16.0"). */
  release: string;
  /** The image the Docker and Kubernetes stacks pull. */
  image: string;
  /** Where upstream publishes its releases (checked when the pin moves). */
  releaseNotes: string;
  /** Present when the tests run this program built from source at the same release. */
  go?: GoBuild;
}

const PROMETHEUS_COMMON = "github.com/prometheus/common/version";
/** What promu stamps into every Prometheus project's binaries. */
const PROMU_STAMP: VersionStamp = {
  version: `${PROMETHEUS_COMMON}.Version`,
  revision: `${PROMETHEUS_COMMON}.Revision`,
  branch: `${PROMETHEUS_COMMON}.Branch`,
  user: `${PROMETHEUS_COMMON}.BuildUser`,
  date: `${PROMETHEUS_COMMON}.BuildDate`,
};

export const PINS = {
  prometheus: {
    release: "3.16.0",
    image: "prom/prometheus:v3.16.0",
    releaseNotes: "https://github.com/prometheus/prometheus/releases/tag/v3.16.0",
    go: { module: "github.com/prometheus/prometheus", version: "v0.316.0", programs: { prometheus: "cmd/prometheus", promtool: "cmd/promtool" }, stamp: PROMU_STAMP },
  },
  alertmanager: {
    release: "0.35.0",
    image: "prom/alertmanager:v0.35.0",
    releaseNotes: "https://github.com/prometheus/alertmanager/releases/tag/v0.35.0",
    go: { module: "github.com/prometheus/alertmanager", version: "v0.35.0", programs: { alertmanager: "cmd/alertmanager", amtool: "cmd/amtool" },
      stamp: PROMU_STAMP,
      wrapper: "ui/web.go embeds ui/app/dist, which upstream's Makefile builds with npm before `go build`; the module has no such folder",
      stubAssets: ["ui/app/dist/elm", "ui/app/dist/mantine"],
    },
  },
  "node-exporter": {
    release: "1.12.1",
    image: "prom/node-exporter:v1.12.1",
    releaseNotes: "https://github.com/prometheus/node_exporter/releases/tag/v1.12.1",
    go: { module: "github.com/prometheus/node_exporter", version: "v1.12.1", programs: { node_exporter: "" }, stamp: PROMU_STAMP },
  },
  /**
   * Upstream's newest is v1.89.0, but the module proxy refuses its zip (403), so the tests could not
   * run it: the pin stays at the newest release the toolchain can build.
   */
  "redis-exporter": {
    release: "1.88.0",
    /** The alpine variant: the plain tag is a scratch image without the shell and wget a Docker healthcheck needs. */
    image: "oliver006/redis_exporter:v1.88.0-alpine",
    releaseNotes: "https://github.com/oliver006/redis_exporter/releases/tag/v1.88.0",
    go: {
      module: "github.com/oliver006/redis_exporter",
      version: "v1.88.0",
      programs: { redis_exporter: "" },
      stamp: { version: "main.BuildVersion", revision: "main.BuildCommitSha", date: "main.BuildDate" },
      wrapper: "go install @version reads the module's version list for deprecations, which the module proxy here refuses (403)",
    },
  },
  /**
   * Upstream's newest is v0.20.1 (0.20 renames the replication_slot collector and its metrics, which
   * we do not use), but the module proxy refuses its zip (403): the pin stays at the newest buildable.
   */
  "postgres-exporter": {
    release: "0.19.1",
    image: "quay.io/prometheuscommunity/postgres-exporter:v0.19.1",
    releaseNotes: "https://github.com/prometheus-community/postgres_exporter/releases/tag/v0.19.1",
    go: { module: "github.com/prometheus-community/postgres_exporter", version: "v0.19.1", programs: { postgres_exporter: "cmd/postgres_exporter" },
      stamp: PROMU_STAMP,
      wrapper: "the module proxy answers 403, not 404, for the package path tried as a module, so `go install` never falls back to the module root",
    },
  },
  /**
   * v0.54 or later: older releases see no container on Docker 29's containerd image store; v0.53+ is
   * published only on ghcr.io, and with a v-prefixed tag only from v0.57 on (v0.54–v0.56 are tagged
   * without the v there).
   */
  cadvisor: {
    release: "0.60.6",
    image: "ghcr.io/google/cadvisor:v0.60.6",
    releaseNotes: "https://github.com/google/cadvisor/releases/tag/v0.60.6",
  },
  /** A patched release (CVE-2025-49844 is fixed from 7.4.6 and 8.2.2; 8.10.1 is the security release of 2026-08-18). */
  redis: {
    release: "8.10.1",
    image: "redis:8.10.1-alpine",
    releaseNotes: "https://github.com/redis/redis/releases/tag/8.10.1",
  },
  /**
   * The current major (supported until November 2030). Its image keeps data under
   * /var/lib/postgresql/18/docker by default; the stacks set PGDATA themselves, which 18 honours.
   */
  postgres: {
    release: "18.6",
    image: "postgres:18.6-alpine",
    releaseNotes: "https://www.postgresql.org/docs/release/18.6/",
  },
  /** Checked statically only (AGPL: never built here), see test/dashboards/provisioning.test.ts. */
  grafana: {
    release: "13.2.3",
    image: "grafana/grafana:13.2.3",
    releaseNotes: "https://github.com/grafana/grafana/releases/tag/v13.2.3",
  },
  /** Checked statically only (AGPL: never built here), see test/dashboards/loki.test.ts. */
  loki: {
    release: "3.7.6",
    image: "grafana/loki:3.7.6",
    releaseNotes: "https://github.com/grafana/loki/releases/tag/v3.7.6",
  },
  /**
   * Checked statically only (it pulls in AGPL modules: never built here), see
   * test/dashboards/alloy.test.ts. Upstream has since released 1.19.x; only its release candidates
   * could be read here, so the pin is the newest release whose sources the checks were read from.
   */
  alloy: {
    release: "1.18.1",
    image: "grafana/alloy:v1.18.1",
    releaseNotes: "https://github.com/grafana/alloy/releases/tag/v1.18.1",
  },
} as const satisfies Record<ThirdParty, Pin>;

/**
 * Programs only the tests run (never deployed): they validate what the stacks deploy. The
 * Kubernetes API schema comes from the Kubernetes module's OpenAPI document at `kubernetes`.
 */
export const TEST_PINS = {
  kubeconform: {
    release: "0.8.0",
    releaseNotes: "https://github.com/yannh/kubeconform/releases/tag/v0.8.0",
    go: { module: "github.com/yannh/kubeconform", version: "v0.8.0", programs: { kubeconform: "cmd/kubeconform" }, stamp: { version: "main.version" } },
  },
  actionlint: {
    release: "1.7.12",
    releaseNotes: "https://github.com/rhysd/actionlint/releases/tag/v1.7.12",
    go: { module: "github.com/rhysd/actionlint", version: "v1.7.12", programs: { actionlint: "cmd/actionlint" } },
  },
} as const satisfies Record<string, Omit<Pin, "image"> & { go: GoBuild }>;

export type PinnedComponent = keyof typeof PINS;
