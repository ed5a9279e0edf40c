import { mkdir, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { join } from "node:path";
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
  /**
   * When set, Redis requires it (`requirepass`, the default user). It is written into a config file
   * in `dataDir` (mode 0600) that redis-server reads, never put on its command line.
   */
  password?: string;
}

/**
 * A redis-server on 127.0.0.1. RDB snapshots are always off, so nothing is written behind a test's
 * back; by default the data lives only as long as the process (see `persistence`).
 */
export interface RedisServer {
  readonly port: number;
  /** redis://127.0.0.1:<port>, without the password */
  readonly url: string;
  /** The password Redis requires, when started with one. */
  readonly password: string | undefined;
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
  const configFile = join(options.dataDir, "redis-auth.conf");
  if (options.password !== undefined) await writeFile(configFile, `requirepass ${redisConfigString(options.password)}\n`, { mode: 0o600 });
  const launch = async (): Promise<ManagedProcess> => {
    const child = startManagedProcess({
      name: `redis-server:${port}`,
      command: options.binary ?? "redis-server",
      args: [
        // A config file comes first on redis-server's command line; the options after it add to it.
        ...(options.password !== undefined ? [configFile] : []),
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
    await waitForReady(child, `PING on port ${port}`, () => redisPing(port, 500, options.password), readyTimeoutMs);
    return child;
  };

  const instance = await relaunchable(launch);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    password: options.password,
    get process() {
      return instance.process;
    },
    stop: instance.stop,
    kill: instance.kill,
    restart: instance.restart,
  };
}

/** A value for redis.conf: double-quoted, every byte outside printable ASCII (and " and \\) as \\xHH. */
function redisConfigString(value: string): string {
  let quoted = "";
  for (const byte of Buffer.from(value, "utf8")) {
    quoted += byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  return `"${quoted}"`;
}

/** One command in the Redis protocol (RESP), safe for any argument. */
function respCommand(...args: string[]): string {
  return `*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`;
}

/**
 * True when a Redis on 127.0.0.1:port answers PING (raw protocol, no client library), after AUTH
 * with `password` when given.
 */
function redisPing(port: number, timeoutMs = 500, password?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" });
    let reply = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write(password === undefined ? respCommand("PING") : respCommand("AUTH", password) + respCommand("PING")));
    const replies = password === undefined ? 1 : 2;
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      const lines = reply.split("\r\n");
      if (lines.length > replies) done(lines[replies - 1] === "+PONG");
    });
  });
}
