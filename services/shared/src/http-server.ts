import { createServer, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { HttpRecorder, methodLabel, UNMATCHED_ROUTE } from "./http-metrics";
import { Logger } from "./logger";
import { ReadinessReport } from "./readiness";
import { errorMessage } from "./timeout";

const closingServers = new WeakSet<Server>();
/** Requests being answered per server (streams excluded): shutdown cuts connections once it is 0. */
const requestsInFlight = new WeakMap<Server, { count: number }>();

/** What a handler answers; the server writes it, records the metrics and logs failures. */
export interface Reply {
  status: number;
  headers?: OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Why the request failed: logged with route, method and status (5xx as error, 4xx as debug), never sent. */
  cause?: unknown;
}

/** Returned by a handler that wrote the head itself and keeps streaming (server-sent events). */
export const STREAMING = Symbol("streaming");

export type HandlerResult = Reply | typeof STREAMING;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => HandlerResult | Promise<HandlerResult>;
/** Exact path → method → handler. A GET handler also answers HEAD. */
export type Routes = Readonly<Record<string, Readonly<Partial<Record<string, RouteHandler>>>>>;

export interface ServiceServerOptions {
  routes: Routes;
  httpMetrics: HttpRecorder;
  registry: Registry;
  logger: Logger;
  readiness: () => Promise<ReadinessReport>;
}

/** Route → methods, for creating the HTTP metric series up front. */
export function routeMethods(routes: Routes): Record<string, string[]> {
  return Object.fromEntries(Object.entries(routes).map(([path, handlers]) => [path, Object.keys(handlers)]));
}

export function textReply(status: number, text: string, cause?: unknown): Reply {
  return { status, headers: { "content-type": "text/plain; charset=utf-8" }, body: `${text}\n`, cause };
}

export function jsonReply(status: number, value: unknown, cause?: unknown): Reply {
  return { status, headers: { "content-type": "application/json" }, body: JSON.stringify(value), cause };
}

/** Headers with Content-Length: without it, a response whose head is written first goes out chunked. */
function withContentLength(reply: Reply): OutgoingHttpHeaders | undefined {
  if (reply.body === undefined || reply.headers?.["content-length"] !== undefined) return reply.headers;
  const length = typeof reply.body === "string" ? Buffer.byteLength(reply.body) : reply.body.length;
  return { ...reply.headers, "content-length": length };
}

/** A node:http server with our routes plus /metrics, /healthz and /readyz (which are not counted). */
export function createServiceServer(options: ServiceServerOptions): Server {
  const { routes, httpMetrics, logger } = options;

  const inFlight = { count: 0 };
  const finish = (req: IncomingMessage, res: ServerResponse, route: string, started: number, result: HandlerResult): void => {
    inFlight.count--;
    const method = methodLabel(req.method);
    if (result !== STREAMING) {
      if (closingServers.has(server)) res.shouldKeepAlive = false;
      if (!res.headersSent) res.writeHead(result.status, withContentLength(result));
      res.end(result.body);
    }
    const status = result === STREAMING ? res.statusCode : result.status;
    httpMetrics.record(route, method, status, (performance.now() - started) / 1000);
    if (result !== STREAMING && result.status >= 400) {
      const fields = { route, method, status, err: result.cause === undefined ? undefined : errorMessage(result.cause) };
      if (result.status >= 500) logger.error("request failed", fields);
      else logger.debug("request rejected", fields);
    }
  };

  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    inFlight.count++;
    if (path === "/metrics" || path === "/healthz" || path === "/readyz") {
      void serveOperational(path, req, res, options).finally(() => inFlight.count--);
      return;
    }
    const started = performance.now();
    const handlers = routes[path];
    const route = handlers === undefined ? UNMATCHED_ROUTE : path;
    let result: HandlerResult | Promise<HandlerResult>;
    try {
      result = handlers === undefined ? textReply(404, "not found") : dispatch(handlers, req, res);
    } catch (error) {
      result = textReply(500, "internal error", error);
    }
    if (result instanceof Promise) {
      result.then(
        (reply) => finish(req, res, route, started, reply),
        (error: unknown) => finish(req, res, route, started, textReply(500, "internal error", error)),
      );
    } else {
      finish(req, res, route, started, result);
    }
  });
  requestsInFlight.set(server, inFlight);
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  return server;
}

function dispatch(handlers: Routes[string], req: IncomingMessage, res: ServerResponse): HandlerResult | Promise<HandlerResult> {
  const method = req.method === "HEAD" ? "GET" : req.method ?? "";
  const handler = handlers[method];
  if (handler !== undefined) return handler(req, res);
  const allow = Object.keys(handlers).join(", ");
  return { ...textReply(405, "method not allowed"), headers: { "content-type": "text/plain; charset=utf-8", allow } };
}

async function serveOperational(path: string, req: IncomingMessage, res: ServerResponse, options: ServiceServerOptions): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  try {
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"alive"}');
    } else if (path === "/readyz") {
      const report = await options.readiness();
      const body = { status: report.ready ? "ready" : "not ready", failed: report.failed, dependencies: report.dependencies };
      res.writeHead(report.ready ? 200 : 503, { "content-type": "application/json" }).end(JSON.stringify(body));
    } else {
      const text = await options.registry.metrics();
      res.writeHead(200, { "content-type": options.registry.contentType }).end(text);
    }
  } catch (error) {
    options.logger.error("operational endpoint failed", { route: path, method: methodLabel(req.method), status: 500, err: errorMessage(error) });
    if (!res.headersSent) res.writeHead(500).end();
  }
}

export function listen(server: Server, port: number, host = "0.0.0.0"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, lets in-flight requests finish, and cuts remaining connections after `graceMs`. */
export function closeServer(server: Server, graceMs: number): Promise<void> {
  // Responses from now on are the last on their connection, so keep-alive clients let go.
  closingServers.add(server);
  return new Promise((resolve) => {
    // Once no request is being answered, every connection left is idle or was never used
    // (clients open spare ones): cut them all rather than wait for the clients to let go.
    const sweep = setInterval(() => {
      if ((requestsInFlight.get(server)?.count ?? 0) <= 0) server.closeAllConnections();
    }, 50);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
