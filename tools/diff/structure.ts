/** Structural comparison of parsed YAML/JSON: which fields changed, old → new, and line diffs of texts. */

export const ARROW = "→";

function scalar(value: unknown): string {
  // Plain unless it would be ambiguous (empty, padded, multi-line, or holding a list separator).
  if (typeof value === "string") return /^[^\s,[\]{}](?:[^\n,]*[^\s,])?$/.test(value) ? value : JSON.stringify(value);
  return JSON.stringify(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isScalarList(value: unknown): value is unknown[] {
  return Array.isArray(value) && value.every((v) => !isObject(v) && !Array.isArray(v));
}

/** How an element of a list is recognised on both sides: its name, job, receiver or title. */
export function identity(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  for (const key of ["name", "job_name", "receiver", "title", "uid"]) {
    const id = value[key];
    if (typeof id === "string" && id.length <= 60 && !id.includes("{{")) return `${key}=${id}`;
  }
  return undefined;
}

export function show(value: unknown): string {
  if (Array.isArray(value)) return isScalarList(value) ? `[${value.map(scalar).join(", ")}]` : `[${value.length} items]`;
  if (isObject(value)) {
    const id = identity(value);
    if (id !== undefined) return `{${id}, …}`;
    const keys = Object.keys(value);
    return keys.length === 0 ? "{}" : `{${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}}`;
  }
  return scalar(value);
}

export const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The part of two texts that differs, widened to whole words, with a little context:
 * `…melampaui {5% → 7%} dalam…`.
 */
export function inlineChange(before: string, after: string, context = 24): string {
  if (before.length + after.length < 70 && !before.includes("\n") && !after.includes("\n")) return `${scalar(before)} ${ARROW} ${scalar(after)}`;
  let prefix = 0;
  while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < before.length - prefix && suffix < after.length - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  while (prefix > 0 && !/\s/.test(before[prefix - 1])) prefix--;
  while (suffix > 0 && !/\s/.test(before[before.length - suffix])) suffix--;
  const oneLine = (text: string) => text.replace(/\n/g, "⏎");
  const left = before.slice(Math.max(0, prefix - context), prefix);
  const right = before.slice(before.length - suffix, before.length - suffix + context);
  const oldMid = before.slice(prefix, before.length - suffix);
  const newMid = after.slice(prefix, after.length - suffix);
  return `${prefix > context ? "…" : ""}${oneLine(left)}{${oneLine(oldMid) || "∅"} ${ARROW} ${oneLine(newMid) || "∅"}}${oneLine(right)}${suffix > context ? "…" : ""}`;
}


/**
 * What differs between two values, one readable line per change: `path: old → new`, `+ path: new`,
 * `- path: old`. Lists of objects are matched by name (receivers, jobs, panels), others by
 * position; an object added or removed as a whole is one line.
 */
export function fieldChanges(before: unknown, after: unknown, path = ""): string[] {
  if (same(before, after)) return [];
  const at = path || "(value)";
  if (before === undefined) return [`+ ${at}: ${show(after)}`];
  if (after === undefined) return [`- ${at}: ${show(before)}`];
  if (isObject(before) && isObject(after)) {
    return [...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((key) => fieldChanges(before[key], after[key], path ? `${path}.${key}` : key));
  }
  if (Array.isArray(before) && Array.isArray(after) && !(isScalarList(before) && isScalarList(after))) {
    const ids = [...before, ...after].map(identity);
    if (ids.every((id) => id !== undefined) && new Set(before.map(identity)).size === before.length && new Set(after.map(identity)).size === after.length) {
      const a = new Map(before.map((v) => [identity(v)!, v]));
      const b = new Map(after.map((v) => [identity(v)!, v]));
      return [...new Set([...a.keys(), ...b.keys()])].flatMap((id) => fieldChanges(a.get(id), b.get(id), `${path}[${id}]`));
    }
    return Array.from({ length: Math.max(before.length, after.length) }, (_, i) => fieldChanges(before[i], after[i], `${path}[${i}]`)).flat();
  }
  if (typeof before === "string" && typeof after === "string") return [`${at}: ${inlineChange(before, after)}`];
  return [`${at}: ${show(before)} ${ARROW} ${show(after)}`];
}

/** A line diff of two texts (longest common subsequence), as "- old" / "+ new" lines. */
export function lineDiff(before: string, after: string, limit = 40): string[] {
  const a = before.split("\n");
  const b = after.split("\n");
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out.length > limit ? [...out.slice(0, limit), `… ${out.length - limit} more changed lines`] : out;
}
