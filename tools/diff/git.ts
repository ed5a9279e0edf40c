import { execFileSync } from "node:child_process";
import type { RenderedFiles } from "../../render";

/** The committed side of a diff: generated/<stack>/ and Pulumi.<stack>.yaml at a git ref. */

export function git(root: string, args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

/** origin/main when it exists, HEAD otherwise. */
export function defaultRef(root: string): string {
  try {
    git(root, ["rev-parse", "--verify", "--quiet", "origin/main^{commit}"]);
    return "origin/main";
  } catch {
    return "HEAD";
  }
}

/** The committed generated/<stack>/ of a ref, keyed by path inside it. */
export function renderedAtRef(root: string, ref: string, stack: string): RenderedFiles | undefined {
  const prefix = `generated/${stack}/`;
  const listing = git(root, ["ls-tree", "-r", "--name-only", ref, "--", prefix]).split("\n").filter(Boolean);
  if (listing.length === 0) return undefined;
  return Object.fromEntries(listing.map((path) => [path.slice(prefix.length), git(root, ["show", `${ref}:${path}`])]));
}

export function stackFileAtRef(root: string, ref: string, stack: string): string | undefined {
  try {
    return git(root, ["show", `${ref}:Pulumi.${stack}.yaml`]);
  } catch {
    return undefined;
  }
}

export function stacksAtRef(root: string, ref: string): string[] {
  return git(root, ["ls-tree", "--name-only", ref])
    .split("\n")
    .flatMap((file) => {
      const match = /^Pulumi\.([A-Za-z0-9_-]+)\.yaml$/.exec(file);
      return match ? [match[1]] : [];
    });
}
