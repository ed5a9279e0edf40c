import { startService, type RunningService, type ServiceName, type ServiceOptions } from "../processes/service";

export interface SupervisorOptions extends ServiceOptions {
  /** Fixed port, so Prometheus keeps scraping the same target across restarts. */
  port: number;
  /** First delay before restarting a crashed process; doubles up to 8 s, as Docker's restart policy. Defaults to 500 ms. */
  restartDelayMs?: number;
  /** Told about every crash and restart, for the progress output and logs. */
  onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { kind: "crashed"; name: ServiceName; code: number | null; signal: NodeJS.Signals | null; restartInMs: number }
  | { kind: "restarted"; name: ServiceName; restarts: number }
  | { kind: "restart-failed"; name: ServiceName; error: string };

/**
 * One of our services kept running the way Docker's `restart: on-failure` keeps a container: a
 * crash (non-zero exit, or killed by a signal) is followed by a restart on the same port, with a
 * growing delay. A clean exit (code 0: the service shut down on SIGTERM/SIGINT, e.g. the
 * terminal's Ctrl-C reaching it first) is left alone.
 */
export interface SupervisedService {
  readonly name: ServiceName;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Restarts after crashes since the supervisor began. */
  readonly restarts: number;
  /** The running process, if any. */
  readonly current: RunningService | undefined;
  /** Starts it again after `stop()`; waits until healthy. */
  start(): Promise<void>;
  /** Stops it on purpose (SIGTERM, graceful): no restart follows. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL, as a crash: the supervisor restarts it. Resolves once the process is dead. */
  crash(): Promise<void>;
  /** Resolves when the restart count reaches `count`. */
  waitForRestarts(count: number, timeoutMs: number): Promise<void>;
}

const MAX_DELAY_MS = 8_000;
/** Uptime after which the next crash starts the delay from the beginning again. */
const HEALTHY_UPTIME_MS = 10_000;

export async function superviseService(options: SupervisorOptions): Promise<SupervisedService> {
  const firstDelay = options.restartDelayMs ?? 500;
  let current: RunningService | undefined;
  let wanted = true;
  let restarts = 0;
  let delay = firstDelay;
  let restartTimer: NodeJS.Timeout | undefined;
  const restartWaiters = new Set<() => void>();

  const launch = async (): Promise<void> => {
    const started = Date.now();
    const service = await startService(options);
    current = service;
    void service.process.exited.then((exit) => {
      if (current !== service) return;
      current = undefined;
      if (!wanted || exit.code === 0) return;
      if (Date.now() - started > HEALTHY_UPTIME_MS) delay = firstDelay;
      options.onEvent?.({ kind: "crashed", name: options.name, code: exit.code, signal: exit.signal, restartInMs: delay });
      scheduleRestart();
    });
  };

  const scheduleRestart = (): void => {
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!wanted) return;
      launch()
        .then(() => {
          restarts++;
          options.onEvent?.({ kind: "restarted", name: options.name, restarts });
          for (const wake of restartWaiters) wake();
        })
        .catch((error: unknown) => {
          options.onEvent?.({ kind: "restart-failed", name: options.name, error: error instanceof Error ? error.message.split("\n")[0] : String(error) });
          if (wanted) scheduleRestart();
        });
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }, delay);
  };

  await launch();

  return {
    name: options.name,
    port: options.port,
    url: `http://127.0.0.1:${options.port}`,
    get restarts() {
      return restarts;
    },
    get current() {
      return current;
    },
    async start() {
      wanted = true;
      if (current === undefined && restartTimer === undefined) await launch();
    },
    async stop(timeoutMs) {
      wanted = false;
      if (restartTimer !== undefined) clearTimeout(restartTimer);
      restartTimer = undefined;
      const service = current;
      current = undefined;
      await service?.stop(timeoutMs);
    },
    async crash() {
      await current?.kill();
    },
    waitForRestarts(count, timeoutMs) {
      if (restarts >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = (): void => {
          if (restarts < count) return;
          clearTimeout(timer);
          restartWaiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          restartWaiters.delete(wake);
          reject(new Error(`${options.name}: ${restarts} restarts after ${timeoutMs}ms, expected ${count}`));
        }, timeoutMs);
        restartWaiters.add(wake);
      });
    },
  };
}
