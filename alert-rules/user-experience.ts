import { durationSeconds } from "../config/duration";
import type { AlertsConfig } from "../config/schema";
import { errorRatioOrAbsent, latencyQuantile } from "../queries/http";
import { alertRule, type AlertContext } from "./build";
import type { Compared } from "./condition";
import { durationWords, percent } from "./i18n";
import type { RuleFile } from "./types";

/** The seed's alert: more than `threshold` of vote requests answer 5xx over `window`, for `for`. */
function seedCondition(alerts: AlertsConfig): Compared {
  const { threshold, window, for: holdFor } = alerts.voteErrorRatio;
  return { operand: errorRatioOrAbsent("vote", window), comparison: ">", threshold, for: holdFor };
}

/** What users feel: the seed's error-rate alert and vote latency. */
export function userExperienceRules(alerts: AlertsConfig, ctx: AlertContext): RuleFile {
  const { voteErrorRatio: errors, voteLatency: latency } = alerts;
  const pct = percent(errors.threshold);

  const rules = [
    alertRule(
      {
        name: "VoteHighErrorRate",
        severity: "critical",
        service: "vote",
        dashboard: "userExperience",
        condition: seedCondition(alerts),
        text: {
          id: {
            summary: "🚨 Waspada! Tingkat Error Aplikasi Vote Tinggi! 🚨",
            description: `Tingkat error telah melampaui ${pct} dalam ${durationWords(errors.window, "id")} terakhir. Kemungkinan ada masalah di service \`vote\` atau dependensinya. Mohon segera diperiksa.\nNilai saat ini: {{ $value | humanizePercentage }} permintaan gagal (5xx).`,
          },
          en: {
            summary: "🚨 Warning! Vote App Error Rate High! 🚨",
            description: `The error rate has exceeded ${pct} over the last ${durationWords(errors.window, "en")}. There may be a problem in the \`vote\` service or its dependencies. Please check immediately.\nCurrent value: {{ $value | humanizePercentage }} of requests failing (5xx).`,
          },
        },
      },
      ctx,
    ),
    ...([
      ["P95", 0.95, latency.p95],
      ["P99", 0.99, latency.p99],
    ] as const).map(([label, quantile, threshold]) =>
      alertRule(
        {
          name: `VoteHighLatency${label}`,
          severity: "warning",
          service: "vote",
          dashboard: "userExperience",
          condition: { operand: latencyQuantile("vote", quantile, latency.window), comparison: ">", threshold: durationSeconds(threshold), for: latency.for },
          text: {
            id: {
              summary: `Latensi ${label.toLowerCase()} aplikasi vote tinggi`,
              description: `Latensi ${label.toLowerCase()} permintaan ke \`vote\` adalah {{ $value | humanizeDuration }} selama ${durationWords(latency.window, "id")} terakhir, di atas batas ${durationWords(threshold, "id")}. Pengguna menunggu lama saat memilih.`,
            },
            en: {
              summary: `Vote app ${label.toLowerCase()} latency high`,
              description: `The ${label.toLowerCase()} latency of \`vote\` requests is {{ $value | humanizeDuration }} over the last ${durationWords(latency.window, "en")}, above the ${durationWords(threshold, "en")} limit. Voters are kept waiting.`,
            },
          },
        },
        ctx,
      ),
    ),
  ];
  return { name: "user-experience", groups: [{ name: "voteobs.user-experience", rules }] };
}
