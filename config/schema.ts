import { z } from "zod";
import { COMPONENTS, SEVERITIES, THIRD_PARTY, type Component, type ThirdParty } from "./components";
import { d, duration } from "./duration";
import { cpuCores, memory, positiveInt, ratio, ratioOrZero } from "./quantities";
import { PINS } from "./versions";
import { REMOTE_STORE_KINDS, REMOTE_WRITE_MESSAGES, type RemoteWriteProtocol } from "./remote-stores";

/**
 * The whole stack's configuration. Every field has a default, so an empty stack config
 * deploys everything; secrets are never values here, only references ({ secret } or { file }).
 * Each top-level key is one Pulumi config key in the `voteobs` namespace (`voteobs:alerts`).
 */

const strict = z.strictObject;

/** The default of alerts.runbookBaseUrl: a repository that is not yours, so its links are dead for you. */
export const RUNBOOK_PLACEHOLDER = "https://github.com/voteobs/voteobs/blob/main/RUNBOOK.md";

/** An image reference pinned to a version tag or digest ("prom/prometheus:v3.16.0"). */
export const pinnedImage = z.string().refine((ref) => /^[a-z0-9./_-]+(:[A-Za-z0-9._-]+)?(@sha256:[a-f0-9]{64})?$/.test(ref) && /[:@]/.test(ref.split("/").pop() ?? "") && !/:latest$/.test(ref), {
  error: (issue) => `${JSON.stringify(issue.input)} is not a pinned image; give a version tag or digest, e.g. "prom/prometheus:v3.16.0" (never ":latest")`,
});

/** Where a secret comes from: a Pulumi secret config key, or a file read at deploy time. */
const secretRef = z.union([strict({ secret: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, "must be a Pulumi config key such as slackWebhookUrl") }), strict({ file: z.string().min(1, "must be a file path") })], {
  error: 'must be { secret: "<pulumi config key>" } (set with `pulumi config set --secret <key> ...`) or { file: "<path>" }',
});
export type SecretRef = z.infer<typeof secretRef>;

/**
 * An http:// or https:// URL. Without a scheme Prometheus, Loki and Grafana would read the host as
 * a scheme or a path, so the error shows the URL with one.
 */
const httpUrl = z.string({ error: 'must be a URL such as "https://metrics.example.com/api/v1/push"' }).superRefine((text, ctx) => {
  if (/^https?:\/\/[^\s/?#]+/i.test(text) && URL.canParse(text)) return;
  const message = /^[a-z][a-z0-9+.-]*:\/\//i.test(text)
    ? `${JSON.stringify(text)} must use http:// or https://`
    : `${JSON.stringify(text)} has no scheme; write "https://${text}" (or "http://${text}" for a plain-HTTP endpoint)`;
  ctx.addIssue({ code: "custom", message });
});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "label names are [a-zA-Z_][a-zA-Z0-9_]*");
const metricName = z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "metric names are [a-zA-Z_:][a-zA-Z0-9_:]*");

/** The image of every third-party component; each defaults to its pin in config/versions.ts. */
const images = strict(Object.fromEntries(THIRD_PARTY.map((component) => [component, pinnedImage.default(PINS[component].image)])) as Record<ThirdParty, z.ZodDefault<typeof pinnedImage>>);

const resources = (cpu: number, mem: string) =>
  strict({
    /** CPU limit in cores. */
    cpu: cpuCores.default(cpu),
    /** Memory limit, Kubernetes notation. */
    memory: memory.default(mem),
  }).prefault({});

const replicated = (replicas: number, cpu: number, mem: string) =>
  strict({
    /** Copies to run (Kubernetes; the Docker target runs one of each). */
    replicas: positiveInt.max(20, "more than 20 replicas is surely a typo").default(replicas),
    cpu: cpuCores.default(cpu),
    memory: memory.default(mem),
  }).prefault({});

const DEFAULT_LIMITS: Record<Component, [number, string]> = {
  vote: [0.5, "256Mi"],
  worker: [0.5, "256Mi"],
  result: [0.5, "256Mi"],
  redis: [0.5, "256Mi"],
  postgres: [1, "512Mi"],
  prometheus: [1, "1Gi"],
  alertmanager: [0.25, "128Mi"],
  grafana: [0.5, "256Mi"],
  loki: [1, "512Mi"],
  alloy: [0.5, "256Mi"],
  "redis-exporter": [0.1, "64Mi"],
  "postgres-exporter": [0.1, "64Mi"],
  "node-exporter": [0.1, "64Mi"],
  cadvisor: [0.3, "256Mi"],
  "docker-socket-proxy": [0.1, "32Mi"],
};

const services = strict({
  vote: replicated(2, ...DEFAULT_LIMITS.vote),
  worker: replicated(1, ...DEFAULT_LIMITS.worker),
  result: replicated(1, ...DEFAULT_LIMITS.result),
  redis: resources(...DEFAULT_LIMITS.redis),
  postgres: resources(...DEFAULT_LIMITS.postgres),
  prometheus: resources(...DEFAULT_LIMITS.prometheus),
  alertmanager: resources(...DEFAULT_LIMITS.alertmanager),
  grafana: resources(...DEFAULT_LIMITS.grafana),
  loki: resources(...DEFAULT_LIMITS.loki),
  alloy: resources(...DEFAULT_LIMITS.alloy),
  "redis-exporter": resources(...DEFAULT_LIMITS["redis-exporter"]),
  "postgres-exporter": resources(...DEFAULT_LIMITS["postgres-exporter"]),
  "node-exporter": resources(...DEFAULT_LIMITS["node-exporter"]),
  cadvisor: resources(...DEFAULT_LIMITS.cadvisor),
  "docker-socket-proxy": resources(...DEFAULT_LIMITS["docker-socket-proxy"]),
});

/** Repository of the images built from services/: "voteobs" or "registry.example.com/voteobs". */
export const imageRepository = z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/, 'must be an image repository such as "voteobs" or "registry.example.com/voteobs"');
/** A Docker tag. */
export const imageTag = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, "must be a Docker tag (letters, digits, dots, dashes and underscores, at most 128)");

const app = strict({
  /** Display names of the two options. Defaults to Cats and Dogs, as the original app. */
  options: strict({ a: z.string().min(1).max(40).default("Cats"), b: z.string().min(1).max(40).default("Dogs") }).prefault({}),
  /** Votes the worker takes from Redis per Postgres transaction. Defaults to 100. */
  workerBatchSize: positiveInt.max(5000, "the worker takes at most 5000 votes per transaction").default(100),
  /**
   * Repository of the vote, worker and result images: `<imageRepository>/<service>:<imageTag>`.
   * Docker builds and tags them locally; Kubernetes pulls them, so point it at your registry
   * (e.g. "registry.example.com/voteobs"). Defaults to "voteobs".
   */
  imageRepository: imageRepository.default("voteobs"),
  /** Tag given to the vote, worker and result images built from services/. Defaults to "dev". */
  imageTag: imageTag.default("dev"),
  /** Password of the Postgres `postgres` user. Defaults to a generated password kept as a Pulumi secret. */
  postgresPassword: secretRef.optional(),
  /** Password Redis requires (vote, worker and redis-exporter use it). Defaults to a generated password kept as a Pulumi secret. */
  redisPassword: secretRef.optional(),
  /** Log level of vote, worker and result. Defaults to "info". */
  logLevel: z.enum(["error", "warn", "info", "debug"], { error: 'must be one of "error", "warn", "info", "debug"' }).default("info"),
  /** Demo only: make a fraction of vote requests answer 500 to watch VoteHighErrorRate fire. Off by default. */
  faultInjection: strict({ enabled: z.boolean().default(false), errorRatio: ratioOrZero.default(0) }).prefault({}),
});

const jobLimits = strict({
  /** Scrape fails when a target exposes more samples. Defaults to 10000 (a service exposes ~300). */
  sampleLimit: positiveInt.default(10000),
  /** Most labels a series may carry. Defaults to 30. */
  labelLimit: positiveInt.default(30),
  /** Longest label value, in characters. Defaults to 512. */
  labelValueLengthLimit: positiveInt.default(512),
});

/** A Prometheus storage size such as "10GB". */
export const storageSize = z.string().regex(/^\d+(B|KB|MB|GB|TB)$/, 'must be a size such as "10GB"');

const remoteWriteAuth = z.discriminatedUnion(
  "type",
  [
    strict({ type: z.literal("none") }),
    strict({
      type: z.literal("basic"),
      /** The user name (Grafana Cloud: the instance ID); not a secret. */
      username: z.string({ error: "must be the user name, e.g. the Grafana Cloud instance ID" }).min(1, "must not be empty"),
      /** The password or API token: a secret. */
      password: secretRef,
    }),
    strict({
      type: z.literal("bearer"),
      /** Sent as `Authorization: Bearer <token>`: a secret. */
      token: secretRef,
    }),
  ],
  { error: (issue) => (issue.code === "invalid_union" ? 'must be "none", "basic" (username and password) or "bearer" (token)' : undefined) },
);

const queueConfig = strict({
  /** Samples buffered per shard before reading the WAL blocks. Defaults to 10000 (Prometheus' default). */
  capacity: positiveInt.default(10000),
  /** Most parallel senders. Defaults to 50. */
  maxShards: positiveInt.default(50),
  /** Fewest parallel senders. Defaults to 1. */
  minShards: positiveInt.default(1),
  /** Most samples in one request. Defaults to 2000. */
  maxSamplesPerSend: positiveInt.default(2000),
  /** Longest a sample waits for a request to fill. Defaults to 5s. */
  batchSendDeadline: duration.default(d("5s")),
  /** First retry delay, doubled on each retry. Defaults to 30ms. */
  minBackoff: duration.default(d("30ms")),
  /** Longest retry delay. Defaults to 5s. */
  maxBackoff: duration.default(d("5s")),
  /** Retry when the store answers 429 (rate limited) instead of dropping the batch. Defaults to true: a store that throttles for a while should not cost samples. */
  retryOnRateLimit: z.boolean().default(true),
});

const writeRelabel = strict({
  /**
   * Which metrics are sent: "used" (every metric an alert, recording rule or dashboard of this stack
   * reads, see queries/metrics.ts, plus the series the recording rules write and ALERTS) or "all"
   * (everything scraped). Defaults to "used": the store gets what the dashboards need, not every
   * Go runtime series of every exporter.
   */
  metrics: z.enum(["used", "all"], { error: 'must be "used" (what the alerts and dashboards read) or "all" (everything scraped)' }).default("used"),
  /** More metric names to send besides "used". Defaults to none. */
  extraMetrics: z.array(metricName).default([]),
  /** Labels removed before sending, e.g. "instance" when the store does not need it. Defaults to none. */
  dropLabels: z.array(labelName).default([]),
});

const remoteWriteProtocol = z.preprocess(
  // YAML reads `protocol: 2.0` as the number 2.
  (value) => (typeof value === "number" ? value.toFixed(1) : value),
  z.enum(Object.keys(REMOTE_WRITE_MESSAGES) as [RemoteWriteProtocol, ...RemoteWriteProtocol[]], { error: 'must be "1.0" (prometheus.WriteRequest, every store) or "2.0" (io.prometheus.write.v2.Request, where the store supports it)' }),
);

const remoteWriteEntry = strict({
  /** Name in Prometheus' remote-storage metrics and in secret file names. Defaults to `kind`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes").max(40).optional(),
  /** The store behind the URL; decides which mistakes are refused. Defaults to "generic". */
  kind: z.enum(REMOTE_STORE_KINDS, { error: `must be one of ${REMOTE_STORE_KINDS.join(", ")}` }).default("generic"),
  /** The push endpoint, e.g. "https://mimir.example.com/api/v1/push" (never with user:password@ in it). */
  url: httpUrl,
  /** Defaults to { type: "none" }. */
  auth: remoteWriteAuth.default({ type: "none" }),
  /** Extra HTTP headers, e.g. { "X-Scope-OrgID": "voting" } for a Mimir tenant. Never credentials. Defaults to none. */
  headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, "must be an HTTP header name"), z.string({ error: "must be the header's text" })).default({}),
  /** Remote-write protocol: "1.0" or "2.0" (Prometheus 3.16 sends both). Defaults to "1.0", which every store accepts. */
  protocol: remoteWriteProtocol.default("1.0"),
  /** Timeout of one request. Defaults to 30s. */
  remoteTimeout: duration.default(d("30s")),
  queue: queueConfig.prefault({}),
  /** What is sent. Defaults to the metrics this stack uses, every label kept. */
  writeRelabel: writeRelabel.prefault({}),
});
export type RemoteWriteEntry = z.infer<typeof remoteWriteEntry>;

const prometheus = strict({
  /** How often every target is scraped. Defaults to 15s. */
  scrapeInterval: duration.default(d("15s")),
  /** Defaults to 10s; must not exceed scrapeInterval. */
  scrapeTimeout: duration.default(d("10s")),
  /** How often rules are evaluated. Defaults to 15s. */
  evaluationInterval: duration.default(d("15s")),
  /** How long samples are kept. Defaults to 15d. */
  retention: duration.default(d("15d")),
  /** Upper bound on TSDB size, e.g. "10GB". Defaults to no bound. */
  retentionSize: storageSize.optional(),
  /** Limits applied to every scrape job. */
  limits: jobLimits.prefault({}),
  /** Per-job overrides of `limits`, keyed by job (component) name. */
  jobLimits: z.partialRecord(z.enum(COMPONENTS as [Component, ...Component[]]), jobLimits.partial()).default({}),
  /**
   * Labels added to every series and alert leaving this Prometheus (remote write, Alertmanager),
   * so that series of several stacks stay apart in a shared store. Defaults to { cluster: "voteobs" }.
   * With kubernetes.prometheusReplicas of 2 or more each replica also adds `replica: <pod name>`.
   * Values are taken literally (a `$` is escaped for Prometheus' environment expansion).
   */
  externalLabels: z.record(labelName, z.string()).default({ cluster: "voteobs" }),
  /** Long-term stores every sample is also sent to (Mimir, Thanos Receive, Cortex, VictoriaMetrics, Grafana Cloud, ...). Defaults to none. */
  remoteWrite: z.array(remoteWriteEntry).default([]),
});

const severity = z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(", ")}` });

const alerts = strict({
  /** Value of the `team` label on every alert, used by routes. Defaults to "voting". */
  team: z.string().regex(/^[a-z0-9-]+$/).default("voting"),
  /**
   * Base of every runbook_url; each alert links to its own section (`#<alertname>`). Point it at your
   * copy of RUNBOOK.md. Defaults to a placeholder, about which `pulumi preview` and `up` warn.
   */
  runbookBaseUrl: z.url().default(RUNBOOK_PLACEHOLDER),
  /** Alerts to leave out, by name. */
  disabled: z.array(z.string()).default([]),
  /** The seed's alert: share of vote requests answering 5xx. */
  voteErrorRatio: strict({
    /** Defaults to 0.05 (5%). */
    threshold: ratio.default(0.05),
    /** rate() window of the ratio. Defaults to 2m. */
    window: duration.default(d("2m")),
    /** Defaults to 2m. */
    for: duration.default(d("2m")),
  }).prefault({}),
  /** Availability objective of the vote app and its multi-window multi-burn-rate alerts. */
  slo: strict({
    /** Share of vote requests that must not answer 5xx. Defaults to 0.999 (error budget 0.1%). */
    objective: ratio.default(0.999),
    /** Budget period. Defaults to 30d. */
    period: duration.default(d("30d")),
    /** `for` of the page-level burn alerts (14.4x and 6x). Defaults to 2m. */
    pageFor: duration.default(d("2m")),
    /** `for` of the ticket-level burn alerts (3x and 1x). Defaults to 1h. */
    ticketFor: duration.default(d("1h")),
  }).prefault({}),
  /** Vote request latency quantiles. */
  voteLatency: strict({
    /** p95 above this warns. Defaults to 300ms. */
    p95: duration.default(d("300ms")),
    /** p99 above this warns. Defaults to 1s. */
    p99: duration.default(d("1s")),
    /** Defaults to 5m. */
    window: duration.default(d("5m")),
    /** Defaults to 5m. */
    for: duration.default(d("5m")),
  }).prefault({}),
  /** The Redis list between vote and worker. */
  queue: strict({
    /** Backlog alert when more votes than this wait... Defaults to 100. */
    depth: positiveInt.default(100),
    /** ...and the queue grew by more than this many votes per minute over `window`. Defaults to 10. */
    growthPerMinute: z.number().nonnegative().default(10),
    /** Defaults to 5m. */
    window: duration.default(d("5m")),
    /** Defaults to 5m. */
    for: duration.default(d("5m")),
    /** Worker-stalled alert when votes wait and none was processed within this window... Defaults to 2m. */
    stalledWindow: duration.default(d("2m")),
    /** ...for this long. Defaults to 1m. */
    stalledFor: duration.default(d("1m")),
  }).prefault({}),
  /** Malformed votes moved to the dead-letter list within `window`. */
  deadLetters: strict({ window: duration.default(d("15m")), for: duration.default(d("1m")) }).prefault({}),
  /** CPU use per service as a share of its limit. */
  cpu: strict({ threshold: ratio.default(0.9), window: duration.default(d("5m")), for: duration.default(d("10m")) }).prefault({}),
  /** Memory working set per service as a share of its limit. */
  memory: strict({ threshold: ratio.default(0.9), for: duration.default(d("10m")) }).prefault({}),
  /** Crash-loop: more than `count` restarts of one service within `window`. */
  restarts: strict({ /** At least this many restarts... Defaults to 3. */ count: positiveInt.default(3), window: duration.default(d("15m")), for: duration.default(d("1m")) }).prefault({}),
  /**
   * TargetDown (kube-prometheus' own): more than `ratio` of a job's scrape targets down for `for`
   * warns. Longer than serviceDown.for, so when every target is down ServiceDown fires first and
   * silences it.
   */
  targetDown: strict({
    /** Share of a job's targets down above which TargetDown warns. Defaults to 0.1 (10%, as kube-prometheus). */
    ratio: ratio.default(0.1),
    /** Defaults to 10m (as kube-prometheus). */
    for: duration.default(d("10m")),
  }).prefault({}),
  /** ServiceDown (no target of a service answers) and RedisDown/PostgresDown (the exporter cannot reach its server) page after this. Defaults to 2m. */
  serviceDown: strict({ for: duration.default(d("2m")) }).prefault({}),
  /**
   * A service that cannot reach Redis or Postgres for this long. Longer than serviceDown.for, so
   * RedisDown/PostgresDown fire first and silence it when the data store itself is down. Defaults to 3m.
   */
  dependencyUnreachable: strict({ for: duration.default(d("3m")) }).prefault({}),
  /** Prometheus, Alertmanager, Loki and log shipping watching themselves. */
  selfMonitoring: strict({
    /** Defaults to 10m. */
    for: duration.default(d("10m")),
    /** Share of failed notifications (Prometheus → Alertmanager, Alertmanager → Slack/email) that alerts. Defaults to 0.01. */
    notificationFailureRatio: ratio.default(0.01),
    /** rate() window of the notification failure ratios. Defaults to 5m. */
    notificationWindow: duration.default(d("5m")),
    /** A failed configuration reload alerts when no reload succeeded within this window. Defaults to 5m. */
    reloadWindow: duration.default(d("5m")),
    /** increase() window of rule evaluation failures and sample-limit rejections, and the window in which Prometheus must have known an Alertmanager. Defaults to 5m. */
    failureWindow: duration.default(d("5m")),
    /** increase() window of log lines dropped before or by Loki. Defaults to 10m. */
    logLossWindow: duration.default(d("10m")),
  }).prefault({}),
  /** VoteFaultInjectionActive (info): demo fault injection on for this long. */
  faultInjection: strict({ /** Defaults to 1m. */ for: duration.default(d("1m")) }).prefault({}),
});

const receiverBase = {
  /** Unique name; appears in routes and in `amtool config routes test`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "must be lower-case letters, digits and dashes"),
  /** Defaults to true. */
  enabled: z.boolean().default(true),
  /** Severities this receiver is paged for. Defaults to critical and warning. */
  severities: z.array(severity).min(1, "list at least one severity").default(["critical", "warning"]),
  /** Extra label matchers, e.g. { team: "voting" }. Defaults to none. */
  matchers: z.record(z.string(), z.string()).default({}),
  /** Also notify when the alert resolves. Defaults to true. */
  sendResolved: z.boolean().default(true),
};

const slackReceiver = strict({
  type: z.literal("slack"),
  ...receiverBase,
  /** Channel to post to, e.g. "#vote-alerts". */
  channel: z.string().regex(/^[#@][^\s]+$/, 'must be a channel such as "#vote-alerts"'),
  /** The incoming-webhook URL: a secret. */
  webhookUrl: secretRef,
});

const emailReceiver = strict({
  type: z.literal("email"),
  ...receiverBase,
  to: z.email(),
  from: z.email(),
  /** host:port of the SMTP server. */
  smarthost: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port, e.g. "smtp.example.com:587"'),
  /** Defaults to no authentication. */
  authUsername: z.string().optional(),
  /** Required when authUsername is set: a secret. */
  authPassword: secretRef.optional(),
  /** Defaults to true (STARTTLS required). */
  requireTls: z.boolean().default(true),
});

export const receiver = z.discriminatedUnion("type", [slackReceiver, emailReceiver], {
  error: (issue) => (issue.code === "invalid_union" ? 'type must be "slack" or "email"' : undefined),
});
export type Receiver = z.infer<typeof receiver>;

const alerting = strict({
  /** Language of alert texts and notifications: "id" (the seed's Indonesian) or "en". Defaults to "id". */
  language: z.enum(["id", "en"], { error: 'must be "id" (Bahasa Indonesia) or "en" (English)' }).default("id"),
  /** Defaults to alertname and service. */
  groupBy: z.array(z.string()).min(1).default(["alertname", "service"]),
  /** Defaults to 30s. */
  groupWait: duration.default(d("30s")),
  /** Defaults to 5m. */
  groupInterval: duration.default(d("5m")),
  /** Defaults to 4h. */
  repeatInterval: duration.default(d("4h")),
  /** Defaults to 5m. */
  resolveTimeout: duration.default(d("5m")),
  /** Defaults to the team's Slack channel #vote-alerts, webhook from the `slackWebhookUrl` secret. */
  receivers: z.array(receiver).default([
    { type: "slack", name: "slack", enabled: true, channel: "#vote-alerts", webhookUrl: { secret: "slackWebhookUrl" }, severities: ["critical", "warning"], matchers: {}, sendResolved: true },
  ]),
  /** Watchdog pings this URL (a dead man's switch such as healthchecks.io) every minute. Defaults to none. */
  deadMansSwitchUrl: z.url().optional(),
});

const grafana = strict({
  /** URL people open; alert links point here. Defaults to http://localhost:3000. */
  externalUrl: z.url().default("http://localhost:3000"),
  /** Defaults to "admin". */
  adminUser: z.string().min(1).default("admin"),
  /** Defaults to a generated password kept as a Pulumi secret. */
  adminPassword: secretRef.optional(),
  /** Let anyone view dashboards without logging in. Defaults to false. */
  anonymousViewer: z.boolean().default(false),
  /**
   * Query URL of the long-term store the Prometheus datasource reads instead of this stack's
   * Prometheus, e.g. "https://mimir.example.com/prometheus". Set it with several Prometheus replicas:
   * a Service picks a replica at random per query, and replicas differ a little, so graphs flap.
   * Defaults to this stack's Prometheus.
   */
  metricsQueryUrl: httpUrl.optional(),
});

const LOG_LABELS = ["service", "container", "level", "stream"] as const;

const s3Storage = strict({
  type: z.literal("s3"),
  /** Bucket of chunks, index and delete requests. */
  bucket: z.string({ error: 's3 storage needs the bucket Loki writes chunks and index to, e.g. "voteobs-logs"' }).regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and dashes"),
  /** S3 API endpoint of a non-AWS store (MinIO, Ceph, R2...), e.g. "http://minio:9000". Defaults to AWS, found from `region`. */
  endpoint: httpUrl.optional(),
  /** Region, e.g. "eu-west-1". Required without `endpoint`; defaults to none with one. */
  region: z.string().regex(/^[a-z0-9-]+$/, 'must be a region such as "eu-west-1"').optional(),
  /** Path-style URLs (endpoint/bucket/key), which MinIO and most S3-compatible stores need. Defaults to false (virtual-hosted, as AWS). */
  pathStyle: z.boolean().default(false),
  /** Access key id: a secret. With secretAccessKey; without both Loki uses the AWS default chain (IAM role, IRSA). */
  accessKeyId: secretRef.optional(),
  /** Secret access key: a secret. */
  secretAccessKey: secretRef.optional(),
});

const lokiStorage = z.preprocess(
  // `storage: filesystem` is short for `storage: { type: filesystem }`.
  (value) => (typeof value === "string" ? { type: value } : value),
  z.discriminatedUnion("type", [strict({ type: z.literal("filesystem") }), s3Storage], {
    error: (issue) => (issue.code === "invalid_union" ? 'must be "filesystem" (Loki\'s volume) or "s3" (an S3-compatible bucket)' : undefined),
  }),
);
export type LokiStorage = z.infer<typeof lokiStorage>;

const loki = strict({
  /** How long logs are kept. Defaults to 168h (7 days). */
  retention: duration.default(d("168h")),
  /** Ingestion rate limit per tenant in MB/s. Defaults to 4. */
  ingestionRateMb: z.number().positive().default(4),
  /** Ingestion burst in MB. Defaults to 8. */
  ingestionBurstMb: z.number().positive().default(8),
  /** Labels attached to each stream; bounded values only. Defaults to service, container, level. */
  labels: z.array(z.enum(LOG_LABELS, { error: `must be one of ${LOG_LABELS.join(", ")} (others would be high-cardinality)` })).min(1).default(["service", "container", "level"]),
  /** Where chunks and index live: "filesystem" (Loki's volume) or an S3-compatible bucket. Defaults to "filesystem". */
  storage: lokiStorage.default({ type: "filesystem" }),
});

const network = strict({
  /** Host address published ports bind to. Defaults to 127.0.0.1 (not reachable from other hosts). */
  publishAddress: z.ipv4().default("127.0.0.1"),
  /** Host ports of the published services. Only these three are published. */
  ports: strict({ grafana: z.number().int().min(1).max(65535).default(3000), vote: z.number().int().min(1).max(65535).default(8080), result: z.number().int().min(1).max(65535).default(8081) }).prefault({}),
});

const kubernetes = strict({
  /** Namespace everything is created in. Defaults to "voteobs". */
  namespace: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS label").default("voteobs"),
  /** StorageClass of the PersistentVolumeClaims. Defaults to the cluster default. */
  storageClass: z.string().optional(),
  /** Alertmanager replicas, clustered. Defaults to 3. */
  alertmanagerReplicas: positiveInt.max(7).default(3),
  /**
   * Prometheus replicas, each scraping everything (an HA pair at 2). With 2 or more each carries the
   * external label `replica: <pod name>`, which is dropped from alerts so Alertmanager deduplicates
   * them. Kubernetes only. Defaults to 1.
   */
  prometheusReplicas: positiveInt.max(5, "more than 5 Prometheus replicas scraping the same targets is surely a typo").default(1),
  /** Size of each PersistentVolumeClaim. */
  storage: strict({ prometheus: memory.default("20Gi"), loki: memory.default("10Gi"), postgres: memory.default("5Gi"), redis: memory.default("1Gi"), grafana: memory.default("1Gi"), alertmanager: memory.default("1Gi") }).prefault({}),
});

export const stackSchema = strict({
  /** Where `pulumi up` deploys: "docker" (one host) or "kubernetes" (an existing cluster). Defaults to docker. */
  target: z.enum(["docker", "kubernetes"], { error: 'must be "docker" or "kubernetes"' }).default("docker"),
  images: images.prefault({}),
  services: services.prefault({}),
  app: app.prefault({}),
  prometheus: prometheus.prefault({}),
  alerts: alerts.prefault({}),
  alerting: alerting.prefault({}),
  grafana: grafana.prefault({}),
  loki: loki.prefault({}),
  network: network.prefault({}),
  kubernetes: kubernetes.prefault({}),
});

export type StackConfig = z.output<typeof stackSchema>;
export type StackConfigInput = z.input<typeof stackSchema>;
export type AlertsConfig = StackConfig["alerts"];
export type AlertingConfig = StackConfig["alerting"];
