import type { ChangeKind, StackDiff } from "./model";

/** The diff as text for a terminal and as Markdown for a pull-request comment. */

const MARK: Record<ChangeKind, string> = { added: "+", removed: "-", changed: "~" };

/** What one item of each section is called, for the summary line. */
const NOUNS: Record<string, string> = {
  Alerts: "alert",
  "Recording rules": "recording rule",
  Alertmanager: "Alertmanager change",
  "Prometheus scrape jobs": "scrape config change",
  Dashboards: "dashboard change",
  "Other files": "other file",
};

function counts(diff: StackDiff): string {
  const parts = diff.sections.map((s) => `${s.items.length} ${NOUNS[s.title] ?? s.title}${s.items.length === 1 ? "" : "s"}`);
  return parts.length > 0 ? parts.join(", ") : "no rendered file changes";
}

export function formatText(result: { ref: string; stacks: StackDiff[] }): string {
  const lines: string[] = [];
  for (const diff of result.stacks) {
    if (diff.status === "unchanged") {
      lines.push(`Stack ${diff.stack}: no changes against ${result.ref}`);
      continue;
    }
    lines.push(`Stack ${diff.stack} (Pulumi.${diff.stack}.yaml) against ${result.ref}: ${diff.status === "changed" ? counts(diff) : diff.status}`);
    for (const note of diff.notes) lines.push(`  note: ${note}`);
    if (diff.config.length > 0) {
      lines.push("  Config");
      for (const item of diff.config) lines.push(`    ${item.subject}`);
    }
    for (const section of diff.sections) {
      lines.push(`  ${section.title}`);
      for (const item of section.items) {
        lines.push(`    ${MARK[item.kind]} ${item.subject}${item.headline ? `: ${item.headline}` : ""}${item.where ? `  (${item.where})` : ""}`);
        for (const detail of item.details) lines.push(`        ${detail}`);
        if (item.block?.before !== undefined) for (const l of item.block.before.split("\n")) lines.push(`        - ${l}`);
        if (item.block?.after !== undefined) for (const l of item.block.after.split("\n")) lines.push(`        + ${l}`);
      }
    }
  }
  return `${lines.join("\n")}\n`;
}

const code = (text: string) => `\`${text.replace(/`/g, "ˋ")}\``;

export function formatMarkdown(result: { ref: string; stacks: StackDiff[] }): string {
  const out: string[] = ["<!-- voteobs-diff -->", `### Rendered artifacts against \`${result.ref}\``, ""];
  for (const diff of result.stacks) {
    if (diff.status === "unchanged") {
      out.push(`**${diff.stack}**: no changes.`, "");
      continue;
    }
    out.push(`#### Stack \`${diff.stack}\` — ${diff.status === "changed" ? counts(diff) : diff.status}`, "");
    for (const note of diff.notes) out.push(`> ${note}`, "");
    if (diff.config.length > 0) {
      out.push("**Config**", "");
      for (const item of diff.config) out.push(`- ${code(item.subject)}`);
      out.push("");
    }
    for (const section of diff.sections) {
      out.push(`**${section.title}**`, "");
      for (const item of section.items) {
        out.push(`- ${item.kind === "changed" ? "changed" : item.kind}: ${code(item.subject)}${item.headline ? ` — ${code(item.headline)}` : ""}${item.where ? ` in ${code(item.where)}` : ""}`);
        for (const detail of item.details) out.push(`  - ${code(detail)}`);
        if (item.block) {
          out.push("", "  ```diff");
          for (const l of item.block.before?.split("\n") ?? []) out.push(`  - ${l}`);
          for (const l of item.block.after?.split("\n") ?? []) out.push(`  + ${l}`);
          out.push("  ```", "");
        }
      }
      out.push("");
    }
  }
  return `${out.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd()}\n`;
}
