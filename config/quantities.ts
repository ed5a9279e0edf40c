import { z } from "zod";

/**
 * A ratio strictly between 0 and 1. Values above 1 are almost always a percentage typed by
 * mistake, so the error says how to write it.
 */
export const ratio = z.number({ error: "must be a number between 0 and 1 (5% is written 0.05)" }).superRefine((value, ctx) => {
  if (value > 0 && value < 1) return;
  const hint = value >= 1 && value <= 100 ? `; ${value} looks like a percentage, write ${+(value / 100).toPrecision(6)}` : "";
  ctx.addIssue({ code: "custom", message: `${value} is not a ratio between 0 and 1 (exclusive)${hint}` });
});

/** A ratio that may also be exactly 0 (for example "no injected faults"). */
export const ratioOrZero = z.number({ error: "must be a number from 0 to 1" }).superRefine((value, ctx) => {
  if (value >= 0 && value < 1) return;
  const hint = value >= 1 && value <= 100 ? `; ${value} looks like a percentage, write ${+(value / 100).toPrecision(6)}` : "";
  ctx.addIssue({ code: "custom", message: `${value} is not a ratio from 0 to 1${hint}` });
});

export const positiveInt = z.number({ error: "must be a positive whole number" }).int("must be a whole number").positive("must be greater than 0");

const MEMORY_UNITS: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };

/** Memory in Kubernetes notation ("256Mi", "1Gi"), kept as text and checked for form. */
export const memory = z.string({ error: 'must be a memory size such as "256Mi" or "1Gi"' }).refine((text) => /^[1-9]\d*(Ki|Mi|Gi)$/.test(text), {
  error: (issue) => `${JSON.stringify(issue.input)} is not a memory size; use a whole number with Ki, Mi or Gi, e.g. "256Mi"`,
});

export function memoryBytes(text: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)$/.exec(text);
  if (!match) throw new Error(`not a memory size: ${text}`);
  return Number(match[1]) * MEMORY_UNITS[match[2]];
}

/** CPU limit in cores (0.5 = half a core). */
export const cpuCores = z.number({ error: "must be a number of CPU cores such as 0.5" }).positive("must be more than 0 cores").max(64, "more than 64 cores is surely a typo");
