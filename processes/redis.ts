import { mkdir } from "node:fs/promises";
import { connect } from "node:net";
import { ExitInfo, ManagedProcess, relaunchable, startManagedProcess, waitForReady } from "./managed-process";
import { getFreePort } from "./ports";

export interface RedisOptions {
  /** Folder for Redis' working files; created if missing. */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  /** Defaults to 10 s. */
  readyTimeoutMs?: number;
  /** Defaults to `redis-server` on PATH. */
  binary?: string;
  /**
   * "none" (default): no snapshots, no append-only file; a restart starts empty.
   * "aof": append-only file fsynced on every write, so whatever Redis acknowledged survives a kill.
   */
  persistence?: "none" | "aof";
}

/**
 * A redis-server on 127.0.0.1. RDB snapshots are always off, so nothing is written behind a test's
 * back; by default the data lives only as long as the process (see `persistence`).
 */
export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  /** Clean shutdown (SIGTERM), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** Stops (if running) and starts again on the same port; waits until it answers PING. */
  restart(): Promise<void>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<ExitInfo>;
}

export async function startRedis(options: RedisOptions): Promise<RedisServer> {
  await mkdir(options.dataDir, { recursive: true });
  const port = options.port ?? (await getFreePort());
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const launch = async (): Promise<ManagedProcess> => {
    const child = startManagedProcess({
      name: `redis-server:${port}`,
      command: options.binary ?? "redis-server",
      args: [
        "--port", String(port),
        "--bind", "127.0.0.1",
        "--dir", options.dataDir,
        "--save", "",
        ...(options.persistence === "aof" ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
        "--daemonize", "no",
        "--protected-mode", "no",
        "--logfile", "",
        "--loglevel", "warning",
      ],
    });
    await waitForReady(child, `PING on port ${port}`, () => redisPing(port), readyTimeoutMs);
    return child;
  };

  const instance = await relaunchable(launch);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get process() {
      return instance.process;
    },
    stop: instance.stop,
    kill: instance.kill,
    restart: instance.restart,
  };
}

/** True when a Redis on 127.0.0.1:port answers PING (raw protocol, no client library). */
export function redisPing(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
