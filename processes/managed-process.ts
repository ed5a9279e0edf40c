import { ChildProcess, spawn } from "node:child_process";

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Shown in error messages. */
  name: string;
  command: string;
  args: readonly string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (we are root); spawned directly, so signals reach the process itself. */
  uid?: number;
  gid?: number;
  /** Signal asking the process to stop cleanly. Defaults to SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** Called for each line of stdout and stderr. */
  onLine?: (line: string) => void;
}

/** A child process we own: its recent output, its exit, and a bounded way to stop it. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly running: boolean;
  readonly exited: Promise<ExitInfo>;
  /** The last lines printed on stdout and stderr (bounded), for error messages. */
  output(): string;
  /** Sends the stop signal, then SIGKILL if still running after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<ExitInfo>;
}

const KEPT_OUTPUT_LINES = 200;
const alive = new Set<ChildProcess>();

const killAll = (): void => {
  for (const child of alive) child.kill("SIGKILL");
};
// Last line of defence: whatever the test or benchmark did, no child outlives this process.
process.once("exit", killAll);
// A signal ends a process without "exit". When nobody else handles it, kill the children and let the
// signal end us as it would have; a program with its own handler stops its children itself.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  const onSignal = (): void => {
    if (process.listenerCount(signal) > 1) return;
    killAll();
    process.off(signal, onSignal);
    process.kill(process.pid, signal);
  };
  process.on(signal, onSignal);
}

export function startManagedProcess(options: ManagedProcessOptions): ManagedProcess {
  const child = spawn(options.command, [...options.args], {
    env: options.env,
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (child.pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  alive.add(child);

  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream): void => {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        if (lines.length > KEPT_OUTPUT_LINES) lines.shift();
        options.onLine?.(line);
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);

  let running = true;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (code, signal) => {
      running = false;
      alive.delete(child);
      resolve({ code, signal });
    });
    child.once("error", () => {
      running = false;
      alive.delete(child);
      resolve({ code: null, signal: null });
    });
  });

  const kill = (signal: NodeJS.Signals = "SIGKILL"): Promise<ExitInfo> => {
    if (running) child.kill(signal);
    return exited;
  };
  const stop = async (timeoutMs = 10_000): Promise<ExitInfo> => {
    if (!running) return exited;
    child.kill(options.stopSignal ?? "SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    name: options.name,
    pid: child.pid,
    get running() {
      return running;
    },
    exited,
    output: () => lines.join("\n"),
    stop,
    kill,
  };
}

/**
 * Polls `probe` until it returns true; fails at once (with the process output) if the process exits,
 * or after `timeoutMs`.
 */
export async function waitForReady(child: ManagedProcess, what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  for (;;) {
    if (!child.running) {
      const exit = await child.exited;
      throw new Error(`${child.name} exited before ${what} (code ${exit.code}, signal ${exit.signal}):\n${child.output()}`);
    }
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error instanceof Error ? `: ${error.message}` : "";
    }
    if (Date.now() >= deadline) {
      throw new Error(`${child.name}: timed out after ${timeoutMs}ms waiting for ${what}${lastError}\n${child.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A server process that can be stopped, killed and started again on the same port and data:
 * `launch` starts one instance and resolves once it is ready.
 */
export interface Relaunchable {
  /** The instance running now (or the last one, once stopped). */
  readonly process: ManagedProcess;
  /** Stop signal, SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<ExitInfo>;
  /** SIGKILL, for crash tests. */
  kill(): Promise<ExitInfo>;
  /** Starts a new instance unless one is running. */
  start(): Promise<void>;
  /** Stops the running instance (if any) and starts a new one. */
  restart(): Promise<void>;
}

export async function relaunchable(launch: () => Promise<ManagedProcess>): Promise<Relaunchable> {
  let current = await launch();
  return {
    get process() {
      return current;
    },
    stop: (timeoutMs) => current.stop(timeoutMs),
    kill: () => current.kill("SIGKILL"),
    async start() {
      if (!current.running) current = await launch();
    },
    async restart() {
      await current.stop();
      current = await launch();
    },
  };
}
