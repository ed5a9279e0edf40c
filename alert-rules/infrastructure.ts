import { COMPONENTS } from "../config/components";
import { memoryBytes as memoryLimitBytes } from "../config/quantities";
import type { StackConfig } from "../config/schema";
import { num } from "../queries/promql";
import { CPU_LIMIT_RECORD, MEMORY_LIMIT_RECORD, cpuSaturation, memorySaturation, restarts } from "../queries/resources";
import { serviceTargetsUp, targetsDownShare } from "../queries/targets";
import { alertRule, type AlertContext } from "./build";
import { durationWords, percent } from "./i18n";
import type { RuleFile } from "./types";

/** Containers and hosts: is everything running, is anything restarting or starved. */
export function infrastructureRules(config: StackConfig, ctx: AlertContext): RuleFile {
  const { cpu, memory, restarts: crash, targetDown: down, serviceDown } = config.alerts;

  // The configured limits as series, so alerts and dashboards compare usage with them the same
  // way on every target (cAdvisor does not run locally).
  const limits = COMPONENTS.flatMap((service) => [
    { record: CPU_LIMIT_RECORD, expr: `vector(${num(config.services[service].cpu)})`, labels: { service } },
    { record: MEMORY_LIMIT_RECORD, expr: `vector(${memoryLimitBytes(config.services[service].memory)})`, labels: { service } },
  ]);

  const alerts = [
    alertRule(
      {
        name: "TargetDown",
        severity: "warning",
        dashboard: "infrastructure",
        condition: { operand: targetsDownShare(), comparison: ">", threshold: down.ratio, for: down.for },
        text: {
          id: {
            summary: "Sebagian target {{ $labels.job }} (service {{ $labels.service }}) tidak dapat di-scrape",
            description: `{{ $value | humanizePercentage }} target \`{{ $labels.job }}\` tidak dapat di-scrape oleh Prometheus selama ${durationWords(down.for, "id")} (batas ${percent(down.ratio)}). Instance lain dari service \`{{ $labels.service }}\` masih menjawab; alert service ini tetap dikirim.`,
          },
          en: {
            summary: "Some {{ $labels.job }} targets (service {{ $labels.service }}) cannot be scraped",
            description: `{{ $value | humanizePercentage }} of the \`{{ $labels.job }}\` targets cannot be scraped by Prometheus for ${durationWords(down.for, "en")} (limit ${percent(down.ratio)}). The other instances of \`{{ $labels.service }}\` still answer; its alerts are still sent.`,
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "ServiceDown",
        severity: "critical",
        dashboard: "infrastructure",
        condition: { operand: serviceTargetsUp(), comparison: "==", threshold: 0, for: serviceDown.for },
        text: {
          id: {
            summary: "Service {{ $labels.service }} mati atau tidak terpantau: tidak ada target yang menjawab",
            description: `Tidak satu pun target service \`{{ $labels.service }}\` dapat di-scrape oleh Prometheus selama ${durationWords(serviceDown.for, "id")}. Service itu mati atau tidak dapat dijangkau. Alert lain tentangnya diredam, kecuali crash-loop, CPU dan memori yang menjelaskan penyebabnya.`,
          },
          en: {
            summary: "Service {{ $labels.service }} down or unobserved: no target answers",
            description: `No target of service \`{{ $labels.service }}\` can be scraped by Prometheus for ${durationWords(serviceDown.for, "en")}. It is down or unreachable. Its other alerts are silenced, except crash-loop, CPU and memory, which say why.`,
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "ServiceCrashLooping",
        severity: "critical",
        dashboard: "infrastructure",
        condition: { operand: restarts(crash.window), comparison: ">=", threshold: crash.count, integer: true, for: crash.for },
        text: {
          id: {
            summary: "Service {{ $labels.service }} terus-menerus restart (crash-loop)",
            description: `Service \`{{ $labels.service }}\` restart {{ $value }} kali dalam ${durationWords(crash.window, "id")} terakhir (batas ${crash.count}). Lihat log-nya untuk penyebab crash.`,
          },
          en: {
            summary: "Service {{ $labels.service }} is crash-looping",
            description: `Service \`{{ $labels.service }}\` restarted {{ $value }} times in the last ${durationWords(crash.window, "en")} (limit ${crash.count}). Its logs show why it crashes.`,
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "ServiceHighCpu",
        severity: "warning",
        dashboard: "infrastructure",
        condition: { operand: cpuSaturation(cpu.window), comparison: ">", threshold: cpu.threshold, for: cpu.for },
        text: {
          id: {
            summary: "Pemakaian CPU service {{ $labels.service }} mendekati batasnya",
            description: `Service \`{{ $labels.service }}\` memakai {{ $value | humanizePercentage }} dari batas CPU-nya (ambang ${percent(cpu.threshold)}) selama ${durationWords(cpu.for, "id")}. Di dekat 100% aplikasi melambat.`,
          },
          en: {
            summary: "Service {{ $labels.service }} CPU near its limit",
            description: `Service \`{{ $labels.service }}\` uses {{ $value | humanizePercentage }} of its CPU limit (threshold ${percent(cpu.threshold)}) for ${durationWords(cpu.for, "en")}. Near 100% it slows down.`,
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "ServiceHighMemory",
        severity: "warning",
        dashboard: "infrastructure",
        condition: { operand: memorySaturation(), comparison: ">", threshold: memory.threshold, for: memory.for },
        text: {
          id: {
            summary: "Pemakaian memori service {{ $labels.service }} mendekati batasnya",
            description: `Service \`{{ $labels.service }}\` memakai {{ $value | humanizePercentage }} dari batas memorinya (ambang ${percent(memory.threshold)}) selama ${durationWords(memory.for, "id")}. Jika mencapai batas, service akan dihentikan (OOM).`,
          },
          en: {
            summary: "Service {{ $labels.service }} memory near its limit",
            description: `Service \`{{ $labels.service }}\` uses {{ $value | humanizePercentage }} of its memory limit (threshold ${percent(memory.threshold)}) for ${durationWords(memory.for, "en")}. At the limit it gets killed (OOM).`,
          },
        },
      },
      ctx,
    ),
  ];

  return {
    name: "infrastructure",
    groups: [
      { name: "voteobs.limits", rules: limits },
      { name: "voteobs.infrastructure", rules: alerts },
    ],
  };
}
