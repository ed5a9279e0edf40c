import { mkdir } from "node:fs/promises";
import { ExitInfo, ManagedProcess, relaunchable, startManagedProcess, waitForReady } from "./managed-process";
import { getFreePort } from "./ports";
import { toolPath } from "../toolchain";

export interface AlertmanagerOptions {
  /** The rendered alertmanager.yml. */
  configFile: string;
  /** Notification log and silences; kept across restarts. */
  dataDir: string;
  /** Defaults to a free port. */
  port?: number;
  /** Defaults to the pinned toolchain build (`npm run toolchain`). */
  binary?: string;
  /** Defaults to 15 s. */
  readyTimeoutMs?: number;
}

export interface AlertmanagerServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly process: ManagedProcess;
  stop(timeoutMs?: number): Promise<ExitInfo>;
  restart(): Promise<void>;
  kill(): Promise<ExitInfo>;
}

/** One Alertmanager on 127.0.0.1 with clustering off, ready when /-/ready answers. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerServer> {
  await mkdir(options.dataDir, { recursive: true });
  const port = options.port ?? (await getFreePort());
  const url = `http://127.0.0.1:${port}`;
  const launch = async (): Promise<ManagedProcess> => {
    const child = startManagedProcess({
      name: `alertmanager:${port}`,
      command: options.binary ?? toolPath("alertmanager"),
      args: [
        `--config.file=${options.configFile}`,
        `--storage.path=${options.dataDir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        `--web.external-url=${url}`,
        "--cluster.listen-address=",
        "--log.level=warn",
      ],
    });
    await waitForReady(child, "/-/ready", async () => (await fetch(`${url}/-/ready`)).ok, options.readyTimeoutMs ?? 15_000);
    return child;
  };
  const instance = await relaunchable(launch);
  return {
    port,
    url,
    get process() {
      return instance.process;
    },
    stop: instance.stop,
    kill: instance.kill,
    restart: instance.restart,
  };
}
