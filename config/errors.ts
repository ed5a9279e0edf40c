import type { z } from "zod";

/**
 * Invalid configuration. The message lists every problem, each naming the field path, the bad
 * value and what is allowed; it is meant to be printed as is, without a stack trace.
 */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    source = "configuration",
  ) {
    super(`Invalid voteobs ${source} (nothing was rendered or deployed):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export const NAMESPACE = "voteobs";

/** A config path the way `pulumi config` spells it: ["alerts","slo","objective"] → "voteobs:alerts → slo.objective". */
export function pulumiPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return `${NAMESPACE} config`;
  const [section, ...rest] = path;
  return rest.length === 0 ? `${NAMESPACE}:${String(section)}` : `${NAMESPACE}:${String(section)} → ${formatPath(rest)}`;
}

/** Same, from dotted text: "alerts.slo.objective". */
export const at = (dotted: string) => pulumiPath(dotted.split("."));

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out === "" ? "(root)" : out;
}

/** The closest allowed word, when the typo is small enough to be one. */
export function closest(word: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      // A swap of two neighbours ("treshold"/"threshold" aside) counts as one edit.
      const swapped = i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1] ? previous[j - 2] + 1 : Infinity;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution, swapped);
    }
    previous = current;
  }
  return previous[b.length];
}

/** Keys an object schema accepts at `path` (best effort through defaults, arrays, unions, records). */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: z.ZodType[] = [schema];
  for (const part of [...path, undefined]) {
    nodes = nodes.flatMap(unwrap);
    if (part === undefined) break;
    nodes = nodes.flatMap((node) => {
      const def = node._zod.def as unknown as Record<string, unknown>;
      if (def.type === "object") {
        const shape = def.shape as Record<string, z.ZodType>;
        return typeof part === "string" && shape[part] ? [shape[part]] : [];
      }
      if (def.type === "array") return [def.element as z.ZodType];
      if (def.type === "record") return [def.valueType as z.ZodType];
      return [];
    });
  }
  const keys = nodes.flatMap((node) => {
    const def = node._zod.def as unknown as Record<string, unknown>;
    if (def.type === "object") return Object.keys(def.shape as object);
    if (def.type === "record") {
      const keyDef = (def.keyType as z.ZodType)._zod.def as unknown as { type: string; entries?: Record<string, string> };
      return keyDef.type === "enum" ? Object.values(keyDef.entries ?? {}) : [];
    }
    return [];
  });
  return [...new Set(keys)];
}

function unwrap(node: z.ZodType): z.ZodType[] {
  const def = node._zod.def as unknown as Record<string, unknown>;
  switch (def.type) {
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
    case "readonly":
      return unwrap(def.innerType as z.ZodType);
    case "pipe":
      return unwrap(def.in as z.ZodType);
    case "union":
      return (def.options as z.ZodType[]).flatMap(unwrap);
    default:
      return [node];
  }
}

/** Turns zod issues into one line each: `path: what is wrong (got value); allowed`. */
export function describeIssues(schema: z.ZodType, issues: readonly z.core.$ZodIssue[], rootLabel: (path: readonly PropertyKey[]) => string = formatPath): string[] {
  return issues.flatMap((issue) => {
    const input = (issue as { input?: unknown }).input;
    if (input === undefined && (issue.code === "invalid_type" || issue.code === "invalid_union")) {
      return [`${rootLabel(issue.path)}: is required; ${issue.message}`];
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0 && !issue.message.startsWith("Invalid input")) {
      return [`${rootLabel(issue.path)}: ${issue.message}`];
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the branch that got furthest rather than "invalid input".
      const deepest = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0];
      return describeIssues(schema, deepest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })), rootLabel);
    }
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(schema, issue.path);
      return issue.keys.map((key) => {
        const guess = closest(key, allowed);
        const hint = guess ? ` (did you mean "${guess}"?)` : "";
        return `${rootLabel(issue.path)}: unknown key "${key}"${hint}; allowed keys: ${allowed.join(", ")}`;
      });
    }
    const shown = typeof input === "object" && input !== null ? undefined : JSON.stringify(input);
    const got = shown !== undefined && !issue.message.includes(shown) && !issue.message.includes(String(input)) ? ` (got ${shown})` : "";
    return [`${rootLabel(issue.path)}: ${issue.message}${got}`];
  });
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length + (i.code === "invalid_union" ? 0 : 1)));
}

/**
 * Runs a command's main function: a ConfigError prints its message (no stack trace) and
 * exits 2; any other error prints one line and exits 1.
 */
export function runMain(main: () => Promise<number | void> | number | void): void {
  Promise.resolve()
    .then(main)
    .then((code) => {
      process.exitCode = typeof code === "number" ? code : 0;
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
        if (process.env.VOTEOBS_DEBUG) console.error(error);
        process.exitCode = 1;
      }
    });
}
