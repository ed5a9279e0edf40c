import { createServer, IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { HttpRecorder, methodLabel, UNMATCHED_ROUTE } from "./http-metrics";
import { Logger } from "./logger";
import { DependencyReport } from "./dependency-check";
import { errorMessage } from "./timeout";

const closingServers = new WeakSet<Server>();
/** Servers told to drain: /readyz answers 503 while requests are still served. */
const drainingServers = new WeakSet<Server>();
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
  /** Pings the dependencies for GET /dependencies. */
  checkDependencies: () => Promise<DependencyReport>;
  /** Idle keep-alive connections are closed after this; headersTimeout and requestTimeout are 1 s above. */
  keepAliveTimeoutMs: number;
}

/** The paths every service answers itself, never counted in the HTTP metrics. */
export const OPERATIONAL_PATHS = ["/metrics", "/healthz", "/readyz", "/dependencies"] as const;
const operational = new Set<string>(OPERATIONAL_PATHS);

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

/** A node:http server with our routes plus /metrics, /healthz, /readyz and /dependencies (which are not counted). */
export function createServiceServer(options: ServiceServerOptions): Server {
  const { routes, httpMetrics, logger } = options;

  const inFlight = { count: 0 };
  const finish = (req: IncomingMessage, res: ServerResponse, route: string, started: number, result: HandlerResult): void => {
    inFlight.count--;
    const method = methodLabel(req.method);
    if (result !== STREAMING) {
      if (closingServers.has(server) || drainingServers.has(server)) res.shouldKeepAlive = false;
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

  // headersTimeout above keepAliveTimeout, as Node wants (and requestTimeout at least headersTimeout,
  // which createServer checks).
  const headersTimeout = options.keepAliveTimeoutMs + 1_000;
  const server = createServer({ headersTimeout, requestTimeout: headersTimeout }, (req, res) => {
    const url = req.url ?? "/";
    const queryStart = url.indexOf("?");
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    inFlight.count++;
    if (operational.has(path)) {
      void serveOperational(path, req, res, server, options).finally(() => inFlight.count--);
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
  server.keepAliveTimeout = options.keepAliveTimeoutMs;
  return server;
}

function dispatch(handlers: Routes[string], req: IncomingMessage, res: ServerResponse): HandlerResult | Promise<HandlerResult> {
  const method = req.method === "HEAD" ? "GET" : req.method ?? "";
  const handler = handlers[method];
  if (handler !== undefined) return handler(req, res);
  const allow = Object.keys(handlers).join(", ");
  return { ...textReply(405, "method not allowed"), headers: { "content-type": "text/plain; charset=utf-8", allow } };
}

const json = { "content-type": "application/json" };

async function serveOperational(path: string, req: IncomingMessage, res: ServerResponse, server: Server, options: ServiceServerOptions): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD" }).end();
    return;
  }
  try {
    if (path === "/healthz") {
      res.writeHead(200, json).end('{"status":"alive"}');
    } else if (path === "/readyz") {
      // Whether this process takes requests, never whether its dependencies answer: a service whose
      // dependency is down must keep receiving traffic, so that its failures are answered and counted.
      if (drainingServers.has(server)) res.writeHead(503, json).end('{"status":"draining"}');
      else res.writeHead(200, json).end('{"status":"ready"}');
    } else if (path === "/dependencies") {
      const report = await options.checkDependencies();
      const body = { status: report.ready ? "up" : "down", failed: report.failed, dependencies: report.dependencies };
      res.writeHead(report.ready ? 200 : 503, json).end(JSON.stringify(body));
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

/**
 * Starts the drain: /readyz answers 503 from now on, so load balancers stop sending new requests,
 * while every request that still arrives is served (each response closes its connection).
 */
export function startDraining(server: Server): void {
  drainingServers.add(server);
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
