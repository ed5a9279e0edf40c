import { PINS, TEST_PINS } from "../../config/versions";

/**
 * The README's "What runs where, at which version" table, built from config/versions.ts, so the
 * README cannot name a version the stacks or the tests do not use.
 */

/** What the tests, `npm run local` and the bench run for components that are not built from Go. */
const NOT_BUILT: Record<string, string> = {
  redis: "Debian 12's `redis-server` 7.0 (see below)",
  postgres: "Debian 12's `postgresql` 15 (see below)",
  cadvisor: "not run (no containers locally)",
  grafana: "not run: config checked statically only",
  loki: "not run: config checked statically only",
  alloy: "not run: config checked statically only",
};

export function versionTable(): string {
  const rows = [
    "| component | Docker and Kubernetes image | tests, `npm run local`, bench | version |",
    "|---|---|---|---|",
  ];
  for (const [name, pin] of Object.entries(PINS)) {
    const local = "go" in pin ? `built from \`${pin.go.module}@${pin.go.version}\` (${Object.keys(pin.go.programs).map((p) => `\`${p}\``).join(", ")})` : NOT_BUILT[name];
    if (local === undefined) throw new Error(`README table: say what the tests run for ${name}`);
    rows.push(`| ${name} | \`${pin.image}\` | ${local} | [${pin.release}](${pin.releaseNotes}) |`);
  }
  for (const [name, pin] of Object.entries(TEST_PINS)) {
    rows.push(`| ${name} | (tests only) | built from \`${pin.go.module}@${pin.go.version}\` | [${pin.release}](${pin.releaseNotes}) |`);
  }
  return rows.join("\n");
}
