import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** Repository root (tools/ sits right under it). */
export const ROOT = resolve(__dirname, "..");
export const GENERATED = join(ROOT, "generated");

/** Stack names that have a Pulumi.<stack>.yaml at the root, sorted. */
export function stackNames(root = ROOT): string[] {
  return readdirSync(root)
    .flatMap((file) => {
      const match = /^Pulumi\.([A-Za-z0-9_-]+)\.yaml$/.exec(file);
      return match ? [match[1]] : [];
    })
    .sort();
}

export function stackFile(stack: string, root = ROOT): string {
  const path = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(path)) throw new Error(`no stack file ${path}; stacks are: ${stackNames(root).join(", ")}`);
  return path;
}
