/** The change model of `npm run diff`: per stack, sections of items that were added, removed or changed. */

export type ChangeKind = "added" | "removed" | "changed";

export interface Item {
  kind: ChangeKind;
  /** What changed, e.g. "VoteHighErrorRate". */
  subject: string;
  /** Where it lives, e.g. "prometheus/rules/user-experience.yml". */
  where?: string;
  /** One-line summary after the subject, e.g. "threshold 0.05 → 0.07". */
  headline?: string;
  /** Further lines, each a readable change ("for: 2m → 5m"). */
  details: string[];
  /** Multi-line before/after (an expression that changed beyond its numbers). */
  block?: { before?: string; after?: string };
}

export interface Section {
  title: string;
  items: Item[];
}

export interface StackDiff {
  stack: string;
  /** "new" or "removed" when the stack exists on one side only. */
  status: "changed" | "unchanged" | "new" | "removed";
  config: Item[];
  sections: Section[];
  notes: string[];
}
