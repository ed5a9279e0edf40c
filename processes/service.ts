import { request } from "node:http";
import { join, resolve } from "node:path";
import { ExitInfo, ManagedProcess, startManagedProcess, waitForReady } from "./managed-process";
import { getFreePort } from "./ports";

export type ServiceName = "vote" | "worker" | "result";

const REPO_ROOT = resolve(__dirname, "..");

export interface ServiceOptions {
  name: ServiceName;
  /** Service settings (REDIS_URL, DATABASE_URL, ...); PORT and HOST are set by this helper. */
  env?: Record<string, string>;
  /** Defaults to a free port. */
  port?: number;
  /** Defaults to 20 s (the first start compiles TypeScript through tsx). */
  readyTimeoutMs?: number;
  /**
   * "source" (default): `node --import tsx services/<name>/src/main.ts`.
   * "compiled": `node services/dist/<name>/src/main.js`, the tsc output the images run
   * (build it first with `npx tsc -p services/tsconfig.build.json`).
   */
  entry?: "source" | "compiled";
  /**
   * Also wait until GET /dependencies answers 200 (every dependency reachable; /readyz says only
   * that the process takes requests). Defaults to false.
   */
  waitForReadiness?: boolean;
  /** Called for each line the service prints (its JSON logs). */
  onLine?: (line: string) => void;
}

/** One of our services run as a child process on 127.0.0.1. */
export interface RunningService {
  readonly name: ServiceName;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  /** SIGTERM (graceful shutdown), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<ExitInfo>;
}

/** Starts the service and waits until GET /healthz (and, if asked, /dependencies) answers 200. */
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const port = options.port ?? (await getFreePort());
  const child = startManagedProcess({
    name: options.name,
    command: process.execPath,
    args:
      options.entry === "compiled"
        ? [join("services", "dist", options.name, "src", "main.js")]
        : ["--import", "tsx", join("services", options.name, "src", "main.ts")],
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env, PORT: String(port), HOST: "127.0.0.1" },
    onLine: options.onLine,
  });
  const readyPath = options.waitForReadiness ? "/dependencies" : "/healthz";
  await waitForReady(child, `GET ${readyPath}`, () => httpStatus(port, readyPath).then((status) => status === 200), options.readyTimeoutMs ?? 20_000);
  return {
    name: options.name,
    port,
    url: `http://127.0.0.1:${port}`,
    process: child,
    stop: (timeoutMs) => child.stop(timeoutMs),
    kill: () => child.kill("SIGKILL"),
  };
}

/** Status code of a GET to 127.0.0.1:port + path. */
export function httpStatus(port: number, path: string, timeoutMs = 1_000): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "GET", timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolvePromise(res.statusCode ?? 0);
    });
    req.once("timeout", () => req.destroy(new Error(`GET ${path} timed out`)));
    req.once("error", reject);
    req.end();
  });
}
