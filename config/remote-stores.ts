/**
 * The long-term metric stores a `prometheus.remoteWrite` entry can name (its `kind`), and what
 * each one requires of the entry. The renderer writes the same remote_write block for all of them;
 * the kind only decides which mistakes config/checks.ts refuses and what the errors suggest.
 */

export const REMOTE_STORE_KINDS = ["mimir", "cortex", "thanos", "victoriametrics", "grafana-cloud", "generic"] as const;
export type RemoteStoreKind = (typeof REMOTE_STORE_KINDS)[number];

export interface RemoteStore {
  /** As people name it. */
  title: string;
  /** The push endpoint of a typical installation, for error messages and the docs. */
  exampleUrl: string;
  /** The header the store reads the tenant from, when it is multi-tenant through a header. */
  tenantHeader?: string;
  /**
   * The store trusts its tenant header blindly (it has no authentication of its own and expects an
   * authenticating gateway in front): a tenant header sent without credentials lets anyone write as
   * that tenant, so an entry that sends one must authenticate.
   */
  tenantNeedsAuth: boolean;
  /** Authentication every request needs, whatever the headers. */
  requiredAuth?: "basic";
}

export const REMOTE_STORES: Record<RemoteStoreKind, RemoteStore> = {
  mimir: { title: "Grafana Mimir", exampleUrl: "https://mimir.example.com/api/v1/push", tenantHeader: "X-Scope-OrgID", tenantNeedsAuth: true },
  cortex: { title: "Cortex", exampleUrl: "https://cortex.example.com/api/v1/push", tenantHeader: "X-Scope-OrgID", tenantNeedsAuth: true },
  thanos: { title: "Thanos Receive", exampleUrl: "https://thanos-receive.example.com:19291/api/v1/receive", tenantHeader: "THANOS-TENANT", tenantNeedsAuth: true },
  victoriametrics: { title: "VictoriaMetrics", exampleUrl: "https://victoriametrics.example.com:8428/api/v1/write", tenantNeedsAuth: false },
  "grafana-cloud": { title: "Grafana Cloud", exampleUrl: "https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push", tenantNeedsAuth: false, requiredAuth: "basic" },
  generic: { title: "a Prometheus remote-write receiver", exampleUrl: "https://metrics.example.com/api/v1/write", tenantNeedsAuth: false },
};

/** Every tenant header a store reads, lower-cased (a header name is case-insensitive). */
export const TENANT_HEADERS: ReadonlySet<string> = new Set(Object.values(REMOTE_STORES).flatMap((s) => (s.tenantHeader ? [s.tenantHeader.toLowerCase()] : [])));

/**
 * Headers Prometheus sets itself and refuses in `headers` (config/config.go reservedHeaders at
 * v3.16.0); `Authorization` is refused too and goes through `auth`.
 */
export const RESERVED_HEADERS: readonly string[] = [
  "host",
  "content-encoding",
  "content-length",
  "content-type",
  "user-agent",
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "www-authenticate",
  "accept-encoding",
  "x-prometheus-remote-write-version",
  "x-prometheus-remote-read-version",
  "x-amz-date",
  "x-amz-security-token",
  "x-amz-content-sha256",
];

/** The protobuf message of each remote-write protocol version (`protobuf_message`). */
export const REMOTE_WRITE_MESSAGES = {
  "1.0": "prometheus.WriteRequest",
  "2.0": "io.prometheus.write.v2.Request",
} as const;
export type RemoteWriteProtocol = keyof typeof REMOTE_WRITE_MESSAGES;
