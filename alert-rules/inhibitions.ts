/**
 * Alertmanager inhibit rules: while the source alert fires, matching target alerts with equal
 * labels are not sent. Plain data, rendered into alertmanager.yml.
 */
export interface Inhibition {
  /** Why it exists; rendered as a comment. */
  reason: string;
  source: string[];
  target: string[];
  equal: string[];
}

export const INHIBITIONS: readonly Inhibition[] = [
  {
    reason: "A critical alert silences warnings about the same service.",
    source: ['severity="critical"'],
    target: ['severity="warning"'],
    equal: ["service"],
  },
  {
    reason: "A target that cannot be scraped silences its other alerts (they are consequences), except a crash-loop, which says why it is down.",
    source: ['alertname="TargetDown"'],
    target: ['alertname!~"TargetDown|ServiceCrashLooping"'],
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
