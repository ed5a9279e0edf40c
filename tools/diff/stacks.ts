import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadStackFile, parseStackText } from "../../config/load";
import { renderAll, topologyFor } from "../../render";
import { ROOT, stackNames } from "../stacks";
import { diffConfigs, diffRendered } from "./artifacts";
import { defaultRef, git, renderedAtRef, stackFileAtRef, stacksAtRef } from "./git";
import type { Item, StackDiff } from "./model";

export interface DiffOptions {
  /** Repository root. Defaults to this repository. */
  root?: string;
  /** Git ref to compare with. Defaults to origin/main, or HEAD without a remote. */
  ref?: string;
  /** Stacks to compare. Defaults to every stack of either side. */
  stacks?: string[];
}

/** Compares the working tree's render of each stack with generated/<stack>/ at the ref. */
export function diffStacks(options: DiffOptions = {}): { ref: string; stacks: StackDiff[] } {
  const root = options.root ?? ROOT;
  const ref = options.ref ?? defaultRef(root);
  git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  const names = options.stacks ?? [...new Set([...stackNames(root), ...stacksAtRef(root, ref)])].sort();
  const stacks = names.map((stack): StackDiff => {
    const path = join(root, `Pulumi.${stack}.yaml`);
    const base = renderedAtRef(root, ref, stack);
    if (!existsSync(path)) return { stack, status: "removed", config: [], sections: [], notes: [`Pulumi.${stack}.yaml was removed`] };
    const headConfig = loadStackFile(path).config;
    const head = renderAll(headConfig, topologyFor(headConfig));
    if (!base) return { stack, status: "new", config: [], sections: [], notes: [`new stack: ${Object.keys(head).length} files rendered (target ${headConfig.target})`] };
    const notes: string[] = [];
    let config: Item[] = [];
    const baseText = stackFileAtRef(root, ref, stack);
    if (baseText !== undefined) {
      try {
        config = diffConfigs(parseStackText(baseText, `Pulumi.${stack}.yaml at ${ref}`).config, headConfig);
      } catch (error) {
        notes.push(`Pulumi.${stack}.yaml at ${ref} does not load with the current schema (${(error as Error).message.split("\n")[0]}); only the rendered files are compared`);
      }
    }
    const sections = diffRendered(base, head);
    return { stack, status: sections.length > 0 || config.length > 0 ? "changed" : "unchanged", config, sections, notes };
  });
  return { ref, stacks };
}
