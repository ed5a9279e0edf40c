import { durationSeconds, formatDuration } from "../config/duration";
import type { Receiver, StackConfig } from "../config/schema";

/**
 * Config overlays of the local target, merged over the stack file by `loadStackFile`.
 * Only values that say where things are (and what the stand-in receivers accept) change;
 * every rule, route and threshold stays the stack's own.
 */

export interface LocalReceivers {
  /** host:port of the local SMTP receiver. */
  smtpSmarthost: string;
  /** URL of the local dead man's switch. */
  deadMansSwitchUrl: string;
}

/**
 * The stack's receivers pointed at the local stand-ins: email goes to the local SMTP server
 * (plain text: it has no certificate Alertmanager could trust), Watchdog to the local dead man's
 * switch, and fault injection is available (ratio stays as configured, 0 by default) so the
 * seed's scenario can be played with `PUT /-/fault`.
 */
export function localOverlay(config: StackConfig, receivers: LocalReceivers): Record<string, unknown> {
  return {
    app: { faultInjection: { enabled: true } },
    alerting: {
      receivers: config.alerting.receivers.map((r: Receiver) => (r.type === "email" ? { ...r, smarthost: receivers.smtpSmarthost, requireTls: false } : r)),
      deadMansSwitchUrl: receivers.deadMansSwitchUrl,
    },
  };
}

/**
 * The time-scaled profile of the end-to-end tests and of `npm run local -- --fast`: scrape and
 * evaluation every second, the drilled alerts' windows and `for` in seconds, Alertmanager waits
 * in seconds and no repeat within a run. Same rules, same thresholds, same routes.
 *
 * Left at their defaults on purpose: the SLO burn-rate alerts (their 5m…3d windows come from the
 * SRE workbook table and cannot be scaled, so their `for` stays long enough not to page during a
 * drill: 2% errors burn a 99.9% objective 20 times too fast, which is a real page), CPU and
 * memory (a loaded 2-core test machine is not a fault), and self-monitoring (its 5m windows are
 * fixed, and the Slack-500 drill makes notification failures on purpose).
 */
export const TIME_SCALED_PROFILE = {
  prometheus: { scrapeInterval: "1s", scrapeTimeout: "1s", evaluationInterval: "1s" },
  alerts: {
    voteErrorRatio: { window: "10s", for: "5s" },
    slo: { pageFor: "10m" },
    voteLatency: { window: "10s", for: "10s" },
    queue: { window: "10s", for: "3s", stalledWindow: "5s", stalledFor: "3s" },
    deadLetters: { window: "10s", for: "2s" },
    restarts: { window: "30s", for: "2s" },
    serviceDown: { for: "3s" },
    targetDown: { for: "6s" },
    dependencyUnreachable: { for: "5s" },
  },
  alerting: { groupWait: "1s", groupInterval: "2s", repeatInterval: "1h" },
} as const;

/**
 * How often Prometheus sends a firing alert again to Alertmanager: its 1m default at the default
 * 15s evaluation, four evaluations when evaluation is faster (so a restarted Alertmanager
 * relearns firing alerts within seconds in the time-scaled profile).
 */
export function alertResendDelay(config: StackConfig): string {
  return formatDuration(Math.min(60, 4 * durationSeconds(config.prometheus.evaluationInterval)));
}
