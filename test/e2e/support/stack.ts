import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TIME_SCALED_PROFILE } from "../../../local/profiles";
import { startLocalStack, type LocalStack } from "../../../local/stack";
import { Monitoring } from "./prometheus";

export interface E2eStack {
  stack: LocalStack;
  monitoring: Monitoring;
  /** Stops every process and removes the state folder (kept when VOTEOBS_E2E_KEEP is set, for a look at the logs). */
  stop(): Promise<void>;
}

/** Prints one line of what a drill measured, in order with the test output. */
export function report(line: string): void {
  console.log(`  measured: ${line}`);
}

/** The local target with the time-scaled profile, in a fresh state folder, on free ports. */
export async function startE2eStack(name: string): Promise<E2eStack> {
  const stateDir = mkdtempSync(join(tmpdir(), `voteobs-e2e-${name}-`));
  const began = Date.now();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ stateDir, overlays: [TIME_SCALED_PROFILE] });
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  report(`local stack (${name}) up with every scrape target healthy in ${((Date.now() - began) / 1000).toFixed(1)}s`);
  return {
    stack,
    monitoring: new Monitoring(
      () => stack.urls.prometheus,
      () => stack.urls.alertmanager,
    ),
    async stop() {
      await stack.stop();
      if (process.env.VOTEOBS_E2E_KEEP) console.log(`  state kept in ${stateDir}`);
      else rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
