import { SIGNALS, type Cell, type Light, type Signal, type StatusReport } from "./lights";

const HEADINGS: Record<Signal, string> = {
  up: "up",
  errorRatio: "errors",
  p95: "p95",
  queueDepth: "queue",
  restarts: "restarts",
  cpu: "cpu/limit",
  memory: "mem/limit",
};

const ANSI: Record<Light, string> = { green: "\x1b[32m", amber: "\x1b[33m", red: "\x1b[31m" };
const RESET = "\x1b[0m";
const DOT: Record<Light, string> = { green: "●", amber: "▲", red: "■" };
/** A cell whose alert is pending: its condition holds, the page waits for `for`. */
const PENDING = "△";

/**
 * The report as a terminal table: one row per service with its light, then the firing alerts.
 * Colour only when `color` (a TTY); the symbols alone (● ▲ ■) still tell green, amber and red
 * apart, and △ marks a cell whose alert is pending.
 */
export function formatReport(report: StatusReport, color: boolean): string {
  const paint = (light: Light | undefined, text: string) => (light === undefined || !color ? text : `${ANSI[light]}${text}${RESET}`);
  const cellText = (cell: Cell) => (cell.light === undefined || cell.light === "green" ? cell.text : `${cell.text} ${cell.state === "pending" ? PENDING : DOT[cell.light]}`);

  const header = ["", "service", ...SIGNALS.map((s) => HEADINGS[s]), "alerts"];
  const rows = report.services.map((row) => [
    { text: DOT[row.light], light: row.light as Light | undefined },
    { text: row.service, light: undefined },
    ...SIGNALS.map((s) => ({ text: cellText(row.cells[s]), light: row.cells[s].light === "green" ? undefined : row.cells[s].light })),
    { text: row.alerts.join(", "), light: undefined },
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i].text].length)));
  const pad = (text: string, i: number) => text + " ".repeat(Math.max(0, widths[i] - [...text].length));

  const lines = [`${paint(report.light, `${DOT[report.light]} ${report.light.toUpperCase()}`)}  Prometheus ${report.prometheusUrl.replace(/^https?:\/\//, "")}  ${report.at}`, ""];
  lines.push(header.map(pad).join("  ").trimEnd());
  for (const row of rows) lines.push(row.map((cell, i) => paint(cell.light, pad(cell.text, i))).join("  ").trimEnd());

  lines.push("");
  if (report.alerts.length === 0) lines.push("No alert firing.");
  else {
    lines.push(`Firing alerts (${report.alerts.length}):`);
    for (const alert of report.alerts) {
      const light = alert.severity === "critical" ? "red" : alert.severity === "warning" ? "amber" : undefined;
      lines.push(`  ${paint(light, `${alert.name} [${alert.severity}]`)}${alert.service ? ` ${alert.service}` : ""} since ${alert.since}: ${alert.summary}`);
    }
  }
  for (const problem of report.problems) lines.push(paint("red", `! ${problem}`));
  return lines.join("\n");
}
