import { durationSeconds, type Duration } from "./duration";
import { at, pulumiPath } from "./errors";
import type { StackConfig } from "./schema";

/**
 * Rules that relate one field to another; the schema checks each field alone. Each problem
 * names the field path, the bad value and what is allowed.
 */
export function crossFieldProblems(config: StackConfig): string[] {
  const problems: string[] = [];
  const { prometheus, alerts, alerting } = config;
  const scrape = durationSeconds(prometheus.scrapeInterval);

  if (durationSeconds(prometheus.scrapeTimeout) > scrape) {
    problems.push(`${at("prometheus.scrapeTimeout")}: ${prometheus.scrapeTimeout} is longer than prometheus.scrapeInterval (${prometheus.scrapeInterval}); it must be at most the interval`);
  }

  const fors: Array<[string, Duration]> = [
    ["alerts.voteErrorRatio.for", alerts.voteErrorRatio.for],
    ["alerts.slo.pageFor", alerts.slo.pageFor],
    ["alerts.slo.ticketFor", alerts.slo.ticketFor],
    ["alerts.voteLatency.for", alerts.voteLatency.for],
    ["alerts.queue.for", alerts.queue.for],
    ["alerts.queue.stalledFor", alerts.queue.stalledFor],
    ["alerts.cpu.for", alerts.cpu.for],
    ["alerts.memory.for", alerts.memory.for],
    ["alerts.restarts.for", alerts.restarts.for],
    ["alerts.targetDown.for", alerts.targetDown.for],
    ["alerts.serviceDown.for", alerts.serviceDown.for],
    ["alerts.dependencyUnreachable.for", alerts.dependencyUnreachable.for],
    ["alerts.deadLetters.for", alerts.deadLetters.for],
    ["alerts.selfMonitoring.for", alerts.selfMonitoring.for],
    ["alerts.faultInjection.for", alerts.faultInjection.for],
  ];
  for (const [path, value] of fors) {
    if (durationSeconds(value) < scrape) {
      problems.push(`${at(path)}: ${value} is shorter than prometheus.scrapeInterval (${prometheus.scrapeInterval}); an alert cannot hold for less than one scrape, use at least ${prometheus.scrapeInterval}`);
    }
  }

  const windows: Array<[string, Duration]> = [
    ["alerts.voteErrorRatio.window", alerts.voteErrorRatio.window],
    ["alerts.voteLatency.window", alerts.voteLatency.window],
    ["alerts.queue.window", alerts.queue.window],
    ["alerts.cpu.window", alerts.cpu.window],
    ["alerts.restarts.window", alerts.restarts.window],
    ["alerts.queue.stalledWindow", alerts.queue.stalledWindow],
    ["alerts.deadLetters.window", alerts.deadLetters.window],
    ["alerts.selfMonitoring.notificationWindow", alerts.selfMonitoring.notificationWindow],
    ["alerts.selfMonitoring.reloadWindow", alerts.selfMonitoring.reloadWindow],
    ["alerts.selfMonitoring.failureWindow", alerts.selfMonitoring.failureWindow],
    ["alerts.selfMonitoring.logLossWindow", alerts.selfMonitoring.logLossWindow],
  ];
  for (const [path, value] of windows) {
    if (durationSeconds(value) < 2 * scrape) {
      problems.push(`${at(path)}: ${value} holds fewer than two scrapes at prometheus.scrapeInterval ${prometheus.scrapeInterval}; rate() needs at least ${2 * scrape}s (4 scrapes recommended)`);
    }
  }

  if (durationSeconds(alerts.slo.period) < 3 * 86400) {
    problems.push(`${at("alerts.slo.period")}: ${alerts.slo.period} is shorter than the longest burn-rate window (3d); use at least 3d (30d is usual)`);
  }

  if (durationSeconds(alerts.dependencyUnreachable.for) <= durationSeconds(alerts.serviceDown.for)) {
    problems.push(`${at("alerts.dependencyUnreachable.for")}: ${alerts.dependencyUnreachable.for} is not longer than alerts.serviceDown.for (${alerts.serviceDown.for}); RedisDown and PostgresDown must fire first to silence it, so make it longer`);
  }
  if (durationSeconds(alerts.targetDown.for) <= durationSeconds(alerts.serviceDown.for)) {
    problems.push(`${at("alerts.targetDown.for")}: ${alerts.targetDown.for} is not longer than alerts.serviceDown.for (${alerts.serviceDown.for}); when every target is down ServiceDown must fire first to silence TargetDown, so make it longer`);
  }

  if (durationSeconds(config.loki.retention) < 86400) {
    problems.push(`${at("loki.retention")}: ${config.loki.retention} is below Loki's minimum retention of 24h; use at least 24h`);
  }

  const latency = alerts.voteLatency;
  if (durationSeconds(latency.p95) > durationSeconds(latency.p99)) {
    problems.push(`${at("alerts.voteLatency.p95")}: ${latency.p95} is above alerts.voteLatency.p99 (${latency.p99}); the p95 threshold must not exceed the p99 one`);
  }

  const seen = new Map<string, number>();
  alerting.receivers.forEach((receiver, index) => {
    const first = seen.get(receiver.name);
    if (first !== undefined) {
      problems.push(`${pulumiPath(["alerting", "receivers", index, "name"])}: "${receiver.name}" is already the name of alerting.receivers[${first}]; receiver names must be unique`);
    } else {
      seen.set(receiver.name, index);
    }
    if (receiver.type === "email" && (receiver.authUsername === undefined) !== (receiver.authPassword === undefined)) {
      problems.push(`${pulumiPath(["alerting", "receivers", index])} (email "${receiver.name}"): authUsername and authPassword go together; give both (authPassword as { secret } or { file }) or neither`);
    }
  });
  for (const name of ["deadmansswitch", "blackhole"]) {
    if (seen.has(name)) problems.push(`${pulumiPath(["alerting", "receivers", seen.get(name)!, "name"])}: "${name}" is reserved for the Watchdog route; choose another name`);
  }

  if (config.app.faultInjection.errorRatio > 0 && !config.app.faultInjection.enabled) {
    problems.push(`${at("app.faultInjection.errorRatio")}: ${config.app.faultInjection.errorRatio} has no effect while app.faultInjection.enabled is false; enable it or set the ratio to 0`);
  }
  return problems;
}
