import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startPrometheus, type PrometheusServer } from "../../../processes/prometheus";

/**
 * Stand-ins for a long-term metric store on 127.0.0.1: a second Prometheus from the pinned
 * toolchain with its remote-write receiver on, and a gateway in front that authenticates as a
 * Mimir or Thanos gateway would (basic or bearer, tenant header) before passing the request on.
 */

/** A Prometheus that only receives remote writes (protocol 1.0 and 2.0) and answers queries. */
export async function startReceiver(dir: string): Promise<PrometheusServer> {
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, "receiver.yml");
  writeFileSync(configFile, "global:\n  evaluation_interval: 1m\n");
  return startPrometheus({ configFile, dataDir: join(dir, "data"), remoteWriteReceiver: true });
}

export interface GatewayRoute {
  /** Path the entry's URL points at, e.g. "/mimir/api/v1/push". */
  path: string;
  /** The receiver behind it (its base URL, read per request: the receiver restarts on the same port). */
  receiver: () => string;
  /** Headers each request must carry, lower-case name → exact value. */
  require: Record<string, string>;
}

/** One remote-write request as the gateway saw it. */
export interface GatewayRequest {
  path: string;
  /** X-Prometheus-Remote-Write-Version */
  version: string;
  contentType: string;
  /** Status the gateway answered. */
  status: number;
}

export interface StoreGateway {
  readonly url: string;
  readonly requests: GatewayRequest[];
  close(): Promise<void>;
}

const PASSED_REQUEST_HEADERS = ["content-type", "content-encoding", "user-agent", "x-prometheus-remote-write-version"];
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

/**
 * Answers 401 to a request missing a required header, 503 when the receiver is down (Prometheus
 * retries both 5xx and network errors), and otherwise relays the receiver's answer, headers
 * included (remote-write 2.0 reports what was written in response headers).
 */
export async function startGateway(routes: GatewayRoute[]): Promise<StoreGateway> {
  const requests: GatewayRequest[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const route = routes.find((r) => r.path === request.url);
      const record = (status: number) =>
        requests.push({ path: request.url ?? "", version: String(request.headers["x-prometheus-remote-write-version"] ?? ""), contentType: String(request.headers["content-type"] ?? ""), status });
      if (route === undefined) {
        record(404);
        response.writeHead(404).end("no such route");
        return;
      }
      const missing = Object.entries(route.require).filter(([name, value]) => request.headers[name] !== value);
      if (missing.length > 0) {
        record(401);
        response.writeHead(401).end(`missing or wrong: ${missing.map(([name]) => name).join(", ")}`);
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of PASSED_REQUEST_HEADERS) if (request.headers[name] !== undefined) headers[name] = String(request.headers[name]);
      let upstream: Response;
      try {
        upstream = await fetch(`${route.receiver()}/api/v1/write`, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
      } catch {
        record(503);
        response.writeHead(503).end("receiver unreachable");
        return;
      }
      const relayed: Record<string, string> = {};
      upstream.headers.forEach((value, name) => {
        if (!HOP_BY_HOP.has(name)) relayed[name] = value;
      });
      const answer = Buffer.from(await upstream.arrayBuffer());
      record(upstream.status);
      response.writeHead(upstream.status, relayed).end(answer);
    })().catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** A series' labels as one comparable key, without the labels named in `without` (the external labels). */
export function seriesKey(labels: Record<string, string>, without: readonly string[] = []): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([name]) => !without.includes(name))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

export interface RawSeries {
  labels: Record<string, string>;
  /** Sample timestamps in milliseconds. */
  timestamps: number[];
}

/**
 * The raw samples of every series matching `selector` in (atMs - windowMs, atMs]: an instant query
 * of a range selector returns them unevaluated, metric name included.
 */
export async function rawSamples(prometheusUrl: string, selector: string, atMs: number, windowMs: number): Promise<RawSeries[]> {
  const body = new URLSearchParams({ query: `${selector}[${Math.round(windowMs)}ms]`, time: (atMs / 1000).toFixed(3) });
  const response = await fetch(`${prometheusUrl}/api/v1/query`, { method: "POST", body, signal: AbortSignal.timeout(20_000) });
  const json = (await response.json()) as { status: string; error?: string; data: { resultType: string; result: Array<{ metric: Record<string, string>; values?: Array<[number, string]> }> } };
  if (json.status !== "success") throw new Error(`${selector}: ${json.error ?? response.status}`);
  return json.data.result.map((r) => ({ labels: r.metric, timestamps: (r.values ?? []).map(([t]) => Math.round(t * 1000)) }));
}

/** Newest sample timestamp (ms) of any series matching `selector`, or undefined when there is none. */
export async function newestSample(prometheusUrl: string, selector: string): Promise<number | undefined> {
  const body = new URLSearchParams({ query: `max(timestamp(${selector}))` });
  const response = await fetch(`${prometheusUrl}/api/v1/query`, { method: "POST", body, signal: AbortSignal.timeout(5_000) });
  const json = (await response.json()) as { data?: { result: Array<{ value: [number, string] }> } };
  const value = json.data?.result[0]?.value[1];
  return value === undefined ? undefined : Math.round(Number(value) * 1000);
}

/**
 * Series of `sender` the receiver lacks, and series whose samples differ in count, over one window:
 * the receiver's series are compared without the external labels it got on the way.
 */
export function sampleDifferences(sender: RawSeries[], receiver: RawSeries[], externalLabels: readonly string[]): { missing: string[]; short: string[]; samples: number } {
  const received = new Map(receiver.map((s) => [seriesKey(s.labels, externalLabels), s.timestamps]));
  const missing: string[] = [];
  const short: string[] = [];
  let samples = 0;
  for (const series of sender) {
    const key = seriesKey(series.labels);
    samples += series.timestamps.length;
    const got = received.get(key);
    if (got === undefined) missing.push(key);
    else if (got.length !== series.timestamps.length) short.push(`${key}: ${series.timestamps.length} sent, ${got.length} received`);
  }
  return { missing, short, samples };
}
