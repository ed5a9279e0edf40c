/**
 * Alertmanager inhibit rules: while the source alert fires, matching target alerts with equal
 * labels are not sent. Each silences only what its source explains (kube-prometheus): a page
 * never hides a user-facing alert it does not account for. Plain data, rendered into
 * alertmanager.yml.
 */
export interface Inhibition {
  /** Why it exists; rendered as a comment. */
  reason: string;
  source: string[];
  target: string[];
  equal: string[];
}

/** Alerts that say why a service is down: a down service never silences them. */
const CAUSES_OF_DOWN = ["ServiceCrashLooping", "ServiceHighCpu", "ServiceHighMemory"] as const;

export const INHIBITIONS: readonly Inhibition[] = [
  {
    reason: "The page of an alert silences the ticket of the same alert for the same service (a critical VoteErrorBudgetBurn pair makes its warning pairs redundant).",
    source: ['severity="critical"'],
    target: ['severity="warning"'],
    equal: ["alertname", "service"],
  },
  {
    reason:
      "The seed's VoteHighErrorRate explains the error-budget burn of its service: the same 5xx, already paged with the seed's words. A slow burn under the seed's threshold has no VoteHighErrorRate and still pages.",
    source: ['alertname="VoteHighErrorRate"'],
    target: ['alertname="VoteErrorBudgetBurn"'],
    equal: ["service"],
  },
  {
    reason:
      "VoteErrorBudgetBurnInhibitor stands for the seed's incident from the moment VoteHighErrorRate is pending until the burn pages' short windows no longer hold it: no burn page comes first, and none after the seed's resolution.",
    source: ['alertname="VoteErrorBudgetBurnInhibitor"'],
    target: ['alertname="VoteErrorBudgetBurn"', 'severity="critical"'],
    equal: ["service"],
  },
  {
    reason:
      "A service with no target up (ServiceDown) silences its other alerts: they are its consequences or cannot be computed without its metrics. A share of targets down (TargetDown) silences nothing. Crash-loops, CPU and memory at the limit say why it is down and stay.",
    source: ['alertname="ServiceDown"'],
    target: [`alertname!~"${["ServiceDown", ...CAUSES_OF_DOWN].join("|")}"`],
    equal: ["service"],
  },
  {
    reason: "Redis or Postgres down silences the services that cannot reach it.",
    source: ['alertname=~"RedisDown|PostgresDown"'],
    target: ['alertname="DependencyUnreachable"'],
    equal: ["dependency"],
  },
  {
    reason: "Info alerts stay quiet unless something worse fires for the same service (see InfoInhibitor).",
    source: ['alertname="InfoInhibitor"'],
    target: ['severity="info"'],
    equal: ["service"],
  },
];
