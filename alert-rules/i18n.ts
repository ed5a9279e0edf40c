import { durationSeconds, type Duration } from "../config/duration";
import { num } from "../queries/promql";
import type { Language } from "./types";

/** 0.05 → "5%", 0.999 → "99.9%". */
export function percent(ratio: number): string {
  return `${num(ratio * 100)}%`;
}

const UNITS: Record<Language, Array<[number, string, string]>> = {
  id: [
    [86400, "hari", "hari"],
    [3600, "jam", "jam"],
    [60, "menit", "menit"],
    [1, "detik", "detik"],
  ],
  en: [
    [86400, "day", "days"],
    [3600, "hour", "hours"],
    [60, "minute", "minutes"],
    [1, "second", "seconds"],
  ],
};

/** "2m" → "2 menit" / "2 minutes"; "90s" → "1 menit 30 detik"; "300ms" → "300 ms". */
export function durationWords(duration: Duration, language: Language): string {
  let rest = durationSeconds(duration);
  if (rest < 1) return `${num(rest * 1000)} ms`;
  const parts: string[] = [];
  for (const [size, one, many] of UNITS[language]) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${count === 1 ? one : many}`);
      rest -= count * size;
    }
  }
  if (rest > 0) parts.push(`${num(rest * 1000)} ms`);
  return parts.join(" ");
}

/** Picks the text of the configured language. */
export function pick<T>(language: Language, texts: Record<Language, T>): T {
  return texts[language];
}
