import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Cleanup } from "./cleanup";

/** A fresh temp folder removed by the cleanup. */
export async function tempDir(cleanup: Cleanup, label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `voteobs-svc-${label}-`));
  cleanup.add(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
