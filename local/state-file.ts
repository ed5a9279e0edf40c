import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The repository's default state folder (gitignored). */
export const DEFAULT_STATE_DIR = resolve(__dirname, "..", ".voteobs", "local");
const FILE_NAME = "state.json";

/** Where a running local stack can be reached; written by `npm run local`, read by `npm run status`. */
export interface LocalState {
  /** Process id of `npm run local`; the stack is gone when it is. */
  pid: number;
  startedAt: string;
  stateDir: string;
  /** The stack file and overlays the stack was rendered from, so status reads the same thresholds. */
  stackFile: string;
  overlays: Record<string, unknown>[];
  urls: {
    vote: string;
    result: string;
    prometheus: string;
    alertmanager: string;
    inbox: string;
    slackMessages: string;
    emails: string;
    deadMansSwitch: string;
  };
}

export function stateFilePath(stateDir: string): string {
  return join(stateDir, FILE_NAME);
}

export function writeStateFile(state: LocalState): void {
  writeFileSync(stateFilePath(state.stateDir), `${JSON.stringify(state, null, 2)}\n`);
}

export function removeStateFile(stateDir: string): void {
  rmSync(stateFilePath(stateDir), { force: true });
}

/** The state of a running stack, or undefined when there is none (no file, or its process is gone). */
export function readRunningState(stateDir: string): LocalState | undefined {
  const path = stateFilePath(stateDir);
  if (!existsSync(path)) return undefined;
  const state = JSON.parse(readFileSync(path, "utf8")) as LocalState;
  return isAlive(state.pid) ? state : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
