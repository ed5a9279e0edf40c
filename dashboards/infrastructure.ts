import { alertDefinition } from "../alert-rules";
import { COMPONENTS } from "../config/components";
import type { StackConfig } from "../config/schema";
import { hostFilesystemUsed, hostLoad1 } from "../queries/host";
import { cpuLimitCores, memoryLimitBytes, onlyServices } from "../queries/limits";
import { cpuSaturation, cpuUsageCores, hostCpuBusy, hostMemoryUsed, memoryBytes, memorySaturation, restarts } from "../queries/resources";
import { targetUp } from "../queries/targets";
import { RATE_WINDOW, promQuery } from "./datasources";
import { finish, newDashboard, type RenderedDashboard } from "./dashboard";
import { percent } from "./format";
import { logsOfSeries } from "./links";
import { row, stateTimelinePanel, timeSeries, valueTexts } from "./panels";
import { COLORS, stepsFor } from "./thresholds";
import { SERVICE, serviceVariable } from "./variables";

/**
 * Is every container running, is any restarting, is any starved: CPU and memory per service
 * against its configured limit, restarts, scrape targets up or down, and the host under them.
 */
export function infrastructureDashboard(config: StackConfig): RenderedDashboard {
  const { cpu, memory, restarts: crash } = config.alerts;
  const scoped = (expr: string) => onlyServices(expr, SERVICE);
  const selected = `~${SERVICE}`;

  const builder = newDashboard("infrastructure", "voteobs / Infrastructure", "Containers up or restarting, CPU and memory of each service against its limit, and the host.")
    .withVariable(serviceVariable(COMPONENTS, { all: true }))
    .withRow(row("Containers of $service"))
    .withPanel(
      stateTimelinePanel({
        title: "Scrape targets up",
        description: "One band per target Prometheus scrapes. TargetDown warns when more than a share of a job's targets stay red for its `for`; ServiceDown pages when every target of a service does.",
        targets: [promQuery("A", targetUp(selected), { legend: "{{service}} {{instance}}" })],
        mappings: [valueTexts({ 0: { text: "down", color: COLORS.critical }, 1: { text: "up", color: COLORS.ok } })],
        w: 16,
        h: 8,
        links: [logsOfSeries()],
      }),
    )
    .withPanel(
      timeSeries({
        title: `Restarts within ${crash.window}`,
        description: `Container or process restarts of each service in the trailing ${crash.window}. Red line: ServiceCrashLooping fires at ${crash.count}.`,
        targets: [promQuery("A", scoped(restarts(crash.window)), { legend: "{{service}}" })],
        unit: "short",
        min: 0,
        lines: stepsFor(alertDefinition(config, "ServiceCrashLooping")),
        w: 8,
        h: 8,
        links: [logsOfSeries()],
      }),
    )
    .withRow(row("CPU of $service"))
    .withPanel(
      timeSeries({
        title: "CPU cores used",
        description: "Cores each service uses (all its instances), and its per-instance limit from config (dashed).",
        targets: [promQuery("A", scoped(cpuUsageCores(RATE_WINDOW)), { legend: "{{service}}" }), promQuery("B", cpuLimitCores(selected), { legend: "{{service}} limit" })],
        unit: "short",
        min: 0,
        dashed: ".* limit$",
        w: 12,
        h: 8,
        links: [logsOfSeries()],
      }),
    )
    .withPanel(
      timeSeries({
        title: "CPU use of the limit (busiest instance)",
        description: `Busiest instance's CPU as a share of its limit. Orange line: ServiceHighCpu fires above ${percent(cpu.threshold)} for ${cpu.for}; near 100% the service slows down.`,
        targets: [promQuery("A", scoped(cpuSaturation(cpu.window)), { legend: "{{service}}" })],
        unit: "percentunit",
        min: 0,
        lines: stepsFor(alertDefinition(config, "ServiceHighCpu")),
        w: 12,
        h: 8,
        links: [logsOfSeries()],
      }),
    )
    .withRow(row("Memory of $service"))
    .withPanel(
      timeSeries({
        title: "Memory used",
        description: "Working set of each service (all its instances), and its per-instance limit from config (dashed).",
        targets: [promQuery("A", scoped(memoryBytes()), { legend: "{{service}}" }), promQuery("B", memoryLimitBytes(selected), { legend: "{{service}} limit" })],
        unit: "bytes",
        min: 0,
        dashed: ".* limit$",
        w: 12,
        h: 8,
        links: [logsOfSeries()],
      }),
    )
    .withPanel(
      timeSeries({
        title: "Memory use of the limit (largest instance)",
        description: `Largest instance's memory as a share of its limit. Orange line: ServiceHighMemory fires above ${percent(memory.threshold)} for ${memory.for}; at 100% the container is killed (OOM).`,
        targets: [promQuery("A", scoped(memorySaturation()), { legend: "{{service}}" })],
        unit: "percentunit",
        min: 0,
        lines: stepsFor(alertDefinition(config, "ServiceHighMemory")),
        w: 12,
        h: 8,
        links: [logsOfSeries()],
      }),
    )
    .withRow(row("Host"))
    .withPanel(timeSeries({ title: "Host CPU busy", description: "Share of the host's CPU time not idle (node-exporter).", targets: [promQuery("A", hostCpuBusy(RATE_WINDOW), { legend: "{{instance}}" })], unit: "percentunit", min: 0, max: 1, w: 6, h: 7 }))
    .withPanel(timeSeries({ title: "Host memory used", description: "Share of the host's memory not available to new processes.", targets: [promQuery("A", hostMemoryUsed(), { legend: "{{instance}}" })], unit: "percentunit", min: 0, max: 1, w: 6, h: 7 }))
    .withPanel(timeSeries({ title: "Host load (1m)", description: "Runnable processes, averaged over one minute; above the core count means waiting.", targets: [promQuery("A", hostLoad1(), { legend: "{{instance}}" })], unit: "short", min: 0, w: 6, h: 7 }))
    .withPanel(timeSeries({ title: "Host disk used", description: "Share of the fullest real filesystem in use (Prometheus, Loki and Postgres data live there).", targets: [promQuery("A", hostFilesystemUsed(), { legend: "{{instance}}" })], unit: "percentunit", min: 0, max: 1, w: 6, h: 7 }));

  return finish(builder);
}
