import { z } from "zod";

/** A Prometheus duration such as "30s", "2m", "1h30m" or "500ms". */
export type Duration = string & { readonly __brand: "Duration" };

const UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

// Units must appear from largest to smallest, each at most once, as Prometheus requires.
const UNIT_ORDER = ["y", "w", "d", "h", "m", "s", "ms"];
const PART = /(\d+)(ms|s|m|h|d|w|y)/g;
const WHOLE = /^(\d+(ms|s|m|h|d|w|y))+$/;

/** Parses a Prometheus duration into seconds, or returns undefined when it is not one. */
export function parseDurationSeconds(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let seconds = 0;
  let lastUnit = -1;
  for (const [, amount, unit] of text.matchAll(PART)) {
    const order = UNIT_ORDER.indexOf(unit);
    if (order <= lastUnit) return undefined;
    lastUnit = order;
    seconds += Number(amount) * UNIT_SECONDS[unit];
  }
  return seconds;
}

export function durationSeconds(d: Duration): number {
  const seconds = parseDurationSeconds(d);
  if (seconds === undefined) throw new Error(`not a duration: ${d}`);
  return seconds;
}

/** Formats seconds as the shortest Prometheus duration ("90" → "1m30s"). */
export function formatDuration(seconds: number): Duration {
  if (seconds <= 0) return "0s" as Duration;
  let rest = Math.round(seconds * 1000);
  let out = "";
  for (const unit of UNIT_ORDER) {
    const size = Math.round(UNIT_SECONDS[unit] * 1000);
    if (unit === "y" || unit === "w") continue; // "d" reads better than "w" in alerts and rules
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out as Duration;
}

const HINT = 'a Prometheus duration: a positive whole number and a unit (ms, s, m, h, d, w, y), e.g. "30s", "2m", "1h30m"';

/** zod schema for a positive Prometheus duration. */
export const duration = z.string({ error: `must be ${HINT}` }).transform((text, ctx) => {
  const seconds = parseDurationSeconds(text);
  if (seconds === undefined || seconds <= 0) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(text)} is not ${HINT}` });
    return z.NEVER;
  }
  return text as Duration;
});

/** A duration literal checked when the module loads; for defaults and tests. */
export function d(text: string): Duration {
  if (!(parseDurationSeconds(text)! > 0)) throw new Error(`invalid duration literal ${text}`);
  return text as Duration;
}
