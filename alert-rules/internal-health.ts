import type { AlertsConfig } from "../config/schema";
import { num } from "../queries/promql";
import { deadLetters, progressRate, queueDepth, queueGrowthPerMinute, workerAbsent } from "../queries/queue";
import { datastoreUp, dependencyReachable } from "../queries/targets";
import { alertRule, type AlertContext } from "./build";
import { durationWords } from "./i18n";
import type { RuleFile } from "./types";

/** Between vote and Postgres: the Redis queue, the worker and the data stores. */
export function internalHealthRules(alerts: AlertsConfig, ctx: AlertContext): RuleFile {
  const { queue, deadLetters: dead, serviceDown } = alerts;
  const growth = num(queue.growthPerMinute);

  const rules = [
    alertRule(
      {
        name: "VoteQueueBacklog",
        severity: "warning",
        service: "worker",
        dashboard: "internalHealth",
        condition: {
          operand: queueDepth(),
          comparison: ">",
          threshold: queue.depth,
          integer: true,
          clauses: [{ op: "and", on: [], condition: { operand: queueGrowthPerMinute(queue.window), comparison: ">", threshold: queue.growthPerMinute } }],
          for: queue.for,
        },
        text: {
          id: {
            summary: "Antrean suara di Redis terus bertambah",
            description: `{{ $value | humanize }} suara menunggu di list Redis \`votes\` (batas ${queue.depth}) dan antrean bertambah lebih dari ${growth} suara per menit selama ${durationWords(queue.window, "id")}. Worker tidak mampu mengikuti laju suara masuk.`,
          },
          en: {
            summary: "Vote queue in Redis keeps growing",
            description: `{{ $value | humanize }} votes wait in the Redis list \`votes\` (limit ${queue.depth}) and the queue grew by more than ${growth} votes per minute over ${durationWords(queue.window, "en")}. The worker cannot keep up with incoming votes.`,
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "WorkerNotConsuming",
        severity: "critical",
        service: "worker",
        dashboard: "internalHealth",
        condition: {
          operand: queueDepth(),
          comparison: ">",
          threshold: 0,
          integer: true,
          clauses: [{ op: "and", on: [], condition: { operand: progressRate(queue.stalledWindow), comparison: "==", threshold: 0, clauses: [{ op: "or", on: [], condition: workerAbsent() }] } }],
          for: queue.stalledFor,
        },
        text: {
          id: {
            summary: "Worker tidak memproses suara",
            description: `{{ $value | humanize }} suara menunggu di Redis tetapi worker tidak menyimpan satu pun ke Postgres (atau ke dead-letter) selama ${durationWords(queue.stalledWindow, "id")} terakhir; suara yang dicoba ulang tidak dihitung sebagai kemajuan. Hasil tidak diperbarui.`,
          },
          en: {
            summary: "Worker is not consuming votes",
            description: `{{ $value | humanize }} votes wait in Redis but the worker stored none in Postgres (nor dead-lettered any) in the last ${durationWords(queue.stalledWindow, "en")}; votes it retries do not count as progress. Results are not updated.`,
          },
        },
      },
      ctx,
    ),
    alertRule(
      {
        name: "VoteDeadLetters",
        severity: "warning",
        service: "worker",
        dashboard: "internalHealth",
        condition: { operand: deadLetters(dead.window), comparison: ">", threshold: 0, for: dead.for },
        text: {
          id: {
            summary: "Pesan suara rusak dipindahkan ke dead-letter",
            description: `Worker memindahkan {{ $value | humanize }} pesan yang tidak valid ke list Redis \`votes:dead\` dalam ${durationWords(dead.window, "id")} terakhir. Periksa log worker untuk isi pesan dan pengirimnya.`,
          },
          en: {
            summary: "Malformed votes moved to the dead-letter list",
            description: `The worker moved {{ $value | humanize }} invalid messages to the Redis list \`votes:dead\` in the last ${durationWords(dead.window, "en")}. Check the worker logs for their content and origin.`,
          },
        },
      },
      ctx,
    ),
    ...([
      ["RedisDown", "redis", "Redis", "antrean suara", "the vote queue"],
      ["PostgresDown", "postgres", "Postgres", "penyimpanan hasil", "the results store"],
    ] as const).map(([name, service, title, roleId, roleEn]) =>
      alertRule(
        {
          name,
          severity: "critical",
          service,
          dashboard: "internalHealth",
          condition: { operand: datastoreUp(service), comparison: "==", threshold: 0, for: serviceDown.for },
          labels: { dependency: service },
          text: {
            id: {
              summary: `${title} tidak dapat dijangkau`,
              description: `Exporter tidak dapat terhubung ke ${title} (${roleId}) selama ${durationWords(serviceDown.for, "id")}. Aplikasi yang bergantung padanya akan gagal.`,
            },
            en: {
              summary: `${title} is unreachable`,
              description: `The exporter cannot connect to ${title} (${roleEn}) for ${durationWords(serviceDown.for, "en")}. The services depending on it will fail.`,
            },
          },
        },
        ctx,
      ),
    ),
    alertRule(
      {
        name: "DependencyUnreachable",
        severity: "warning",
        dashboard: "internalHealth",
        condition: { operand: dependencyReachable(), comparison: "==", threshold: 0, for: alerts.dependencyUnreachable.for },
        text: {
          id: {
            summary: "Service {{ $labels.service }} tidak dapat menjangkau {{ $labels.dependency }}",
            description: `Service \`{{ $labels.service }}\` tidak dapat menjangkau {{ $labels.dependency }} selama ${durationWords(alerts.dependencyUnreachable.for, "id")}.`,
          },
          en: {
            summary: "Service {{ $labels.service }} cannot reach {{ $labels.dependency }}",
            description: `Service \`{{ $labels.service }}\` cannot reach {{ $labels.dependency }} for ${durationWords(alerts.dependencyUnreachable.for, "en")}.`,
          },
        },
      },
      ctx,
    ),
  ];
  return { name: "internal-health", groups: [{ name: "voteobs.internal-health", rules }] };
}
