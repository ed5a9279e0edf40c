import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { ExitInfo, ManagedProcess, startManagedProcess, waitForReady, relaunchable } from "./managed-process";
import { getFreePort } from "./ports";
import { postgresBinDir } from "../setup/debian";

const run = promisify(execFile);

export interface PostgresOptions {
  /** Database created after start. Defaults to "voteobs". */
  database?: string;
  /** Parent folder for the cluster; defaults to a new temp folder, removed by `destroy()`. */
  baseDir?: string;
  /** Defaults to a free port. */
  port?: number;
  /**
   * false (default): fsync and synchronous_commit off, fast for tests whose data dies with them.
   * true: PostgreSQL's own durable defaults (the benchmark measures with these).
   */
  durable?: boolean;
  /** Defaults to PG_BIN_DIR, else the newest Debian PostgreSQL (setup/debian.ts). */
  binDir?: string;
  readyTimeoutMs?: number;
  /**
   * Password of the `postgres` user, set when the cluster is created: every connection must then
   * give it (scram-sha-256), as on the Docker and Kubernetes targets. Defaults to none (trust).
   */
  password?: string;
}

/**
 * A throwaway PostgreSQL cluster on 127.0.0.1 (user "postgres"; trust auth unless a password is given). PostgreSQL refuses to
 * run as root, so when we are root initdb and postgres run as the postgres user (spawned with its
 * uid directly rather than through runuser, so that signals reach postgres itself).
 */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** postgres://postgres@127.0.0.1:<port>/<database>, with the password when the cluster has one. */
  readonly url: string;
  readonly dataDir: string;
  readonly process: ManagedProcess;
  /** Fast shutdown (SIGINT: clients are disconnected), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** Stops (if running) and starts again on the same port and data; waits until it accepts queries. */
  restart(): Promise<void>;
  /** Stops and removes the cluster's files. */
  destroy(): Promise<void>;
}

interface Account {
  uid: number;
  gid: number;
}

function postgresAccount(): Account | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .map((line) => line.split(":"))
    .find((fields) => fields[0] === "postgres");
  if (entry === undefined) throw new Error("running as root but there is no postgres user (apt-get install postgresql)");
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const binDir = options.binDir ?? postgresBinDir();
  if (binDir === undefined || !existsSync(join(binDir, "postgres"))) throw new Error(`no postgres binary in ${binDir ?? "/usr/lib/postgresql/<version>/bin"} (apt-get install postgresql, or set PG_BIN_DIR)`);
  const account = postgresAccount();
  const ownedTemp = options.baseDir === undefined;
  const baseDir = options.baseDir ?? (await mkdtemp(join(tmpdir(), "voteobs-svc-pg-")));
  const dataDir = join(baseDir, "data");
  const socketDir = join(baseDir, "sockets");
  await mkdir(socketDir, { recursive: true });
  if (account !== undefined) {
    await chown(baseDir, account.uid, account.gid);
    await chown(socketDir, account.uid, account.gid);
  }
  if (!existsSync(join(dataDir, "PG_VERSION"))) await initCluster(binDir, baseDir, dataDir, account, options.password);
  const port = options.port ?? (await getFreePort());
  const database = options.database ?? "voteobs";
  const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
  const tuning = options.durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];

  const launch = async (): Promise<ManagedProcess> => {
    const child = startManagedProcess({
      name: `postgres:${port}`,
      command: join(binDir, "postgres"),
      args: ["-D", dataDir, "-p", String(port), "-k", socketDir, "-c", "listen_addresses=127.0.0.1", ...tuning],
      uid: account?.uid,
      gid: account?.gid,
      cwd: baseDir,
      stopSignal: "SIGINT",
    });
    await waitForReady(child, `connections on port ${port}`, () => canQuery(port, "postgres", options.password), readyTimeoutMs);
    return child;
  };

  const instance = await relaunchable(launch);
  await createDatabase(port, database, options.password);
  const stop = instance.stop;
  return {
    host: "127.0.0.1",
    port,
    user: "postgres",
    database,
    url: `postgres://postgres${options.password === undefined ? "" : `:${encodeURIComponent(options.password)}`}@127.0.0.1:${port}/${database}`,
    dataDir,
    get process() {
      return instance.process;
    },
    stop,
    restart: instance.restart,
    destroy: async () => {
      await stop();
      if (ownedTemp) await rm(baseDir, { recursive: true, force: true });
      else await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** initdb; with a password, through a pwfile only the postgres user can read, removed right after. */
async function initCluster(binDir: string, baseDir: string, dataDir: string, account: Account | undefined, password: string | undefined): Promise<void> {
  const pwfile = join(baseDir, "initdb-password");
  const auth = password === undefined ? ["-A", "trust"] : ["-A", "scram-sha-256", `--pwfile=${pwfile}`];
  if (password !== undefined) {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (account !== undefined) await chown(pwfile, account.uid, account.gid);
  }
  try {
    await run(join(binDir, "initdb"), ["-D", dataDir, "-U", "postgres", ...auth, "-E", "UTF8", "--no-sync", "--no-instructions"], { uid: account?.uid, gid: account?.gid, cwd: baseDir });
  } finally {
    await rm(pwfile, { force: true });
  }
}

async function canQuery(port: number, database: string, password: string | undefined): Promise<boolean> {
  const client = new Client({ host: "127.0.0.1", port, user: "postgres", password, database, connectionTimeoutMillis: 1_000 });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(port: number, database: string, password: string | undefined): Promise<void> {
  if (database === "postgres") return;
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`database name ${JSON.stringify(database)}: expected lower-case letters, digits, _`);
  const client = new Client({ host: "127.0.0.1", port, user: "postgres", password, database: "postgres" });
  await client.connect();
  try {
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}
