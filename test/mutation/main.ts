import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { parseDurationSeconds } from "../../config/duration";
import { toolPath } from "../../toolchain";
import { mutantsOf, type Mutant } from "./mutants";

/**
 * `npm run test:mutation`: every alert of every rendered rule file (generated/dev/prometheus/rules)
 * is mutated (threshold halved and doubled, comparison flipped, `for` zeroed and doubled, severity
 * swapped, each and/or/unless clause dropped, each range window changed), and the promtool tests
 * of test/promtool/ run against each mutant. A mutant the tests do not turn red survives; the run
 * fails on any survivor not listed in equivalent.yml with a reason, and on a listed one that no
 * longer survives (the list stays true).
 */

const ROOT = resolve(__dirname, "../..");
const RULES = join(ROOT, "generated/dev/prometheus/rules");
const TESTS = join(ROOT, "test/promtool");
const EQUIVALENT_FILE = join(__dirname, "equivalent.yml");
const PROMTOOL = toolPath("promtool");

interface TestFile {
  path: string;
  doc: { rule_files: string[]; tests: Array<{ name?: string; alert_rule_test?: Array<{ alertname: string }>; promql_expr_test?: Array<{ expr: string }> }> } & Record<string, unknown>;
}

interface Equivalent {
  mutant: string;
  reason: string;
}

function run(args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const child = spawn(PROMTOOL, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => done({ code: code ?? -1, output }));
  });
}

/** Runs `jobs` at most `width` at a time. */
async function pool<T, R>(items: readonly T[], width: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await job(items[i]);
      }
    }),
  );
  return results;
}

function loadTests(): TestFile[] {
  return readdirSync(TESTS)
    .filter((f) => f.endsWith(".test.yml"))
    .sort()
    .map((f) => ({ path: join(TESTS, f), doc: parse(readFileSync(join(TESTS, f), "utf8"), { maxAliasCount: -1 }) }));
}

/** The rule file names a test file loads (without extension). */
const ruleNames = (test: TestFile) => test.doc.rule_files.map((f) => basename(f, ".yml"));

/** Seconds of a promtool duration ("1h5m"), for ordering tests by how long they simulate. */
function seconds(text: string | undefined): number {
  return text === undefined ? 0 : (parseDurationSeconds(text) ?? 0);
}

/** How many evaluations a test group costs: the span it simulates over the file's evaluation interval. */
function cost(test: TestFile, group: TestFile["doc"]["tests"][number]): number {
  const times = [...(group.alert_rule_test ?? []), ...(group.promql_expr_test ?? [])].map((c) => seconds((c as { eval_time?: string }).eval_time));
  return Math.max(0, ...times) / Math.max(1, seconds(test.doc.evaluation_interval as string | undefined) || 60);
}

/**
 * The tests one mutant runs against: each test group that looks at the mutated alert (or reads
 * ALERTS) as a file of its own, its rule files pointing at the mutated one (the others at
 * generated/), cheapest first. A mutant is killed by the first group that fails, so most mutants
 * cost one short promtool run.
 */
function testsFor(tests: readonly TestFile[], mutant: Mutant, mutatedPath: string): Array<{ name: string; text: string; cost: number }> {
  return tests
    .filter((t) => ruleNames(t).includes(mutant.file))
    .flatMap((test) => {
      const rule_files = test.doc.rule_files.map((f) => (basename(f, ".yml") === mutant.file ? mutatedPath : resolve(TESTS, f)));
      return test.doc.tests
        .filter(
          (t) =>
            (t.alert_rule_test ?? []).some((c) => c.alertname === mutant.alert || c.alertname === "InfoInhibitor") ||
            (t.promql_expr_test ?? []).some((c) => c.expr.includes("ALERTS") || c.expr.includes(mutant.alert)),
        )
        .map((group, i) => ({
          name: `${basename(test.path, ".test.yml")}-${i}.test.yml`,
          text: stringify({ ...test.doc, rule_files, tests: [group] }, { aliasDuplicateObjects: false, lineWidth: 0 }),
          cost: cost(test, group),
        }));
    })
    .sort((a, b) => a.cost - b.cost);
}

async function main(): Promise<number> {
  const started = Date.now();
  const width = Math.max(1, availableParallelism());
  const tests = loadTests();
  const equivalents = (parse(readFileSync(EQUIVALENT_FILE, "utf8")) as Equivalent[] | null) ?? [];
  const badEntries = equivalents.filter((e) => typeof e.mutant !== "string" || typeof e.reason !== "string" || e.reason.trim().length < 10);
  if (badEntries.length > 0) {
    console.error(`equivalent.yml: every entry needs a mutant id and a reason:\n${badEntries.map((e) => `  ${JSON.stringify(e)}`).join("\n")}`);
    return 1;
  }

  // The unmutated rules must pass first, or every mutant would be "killed".
  const baseline = await pool(tests, width, (t) => run(["test", "rules", t.path], TESTS));
  const broken = baseline.map((r, i) => [tests[i], r] as const).filter(([, r]) => r.code !== 0);
  if (broken.length > 0) {
    for (const [t, r] of broken) console.error(`${basename(t.path)} fails on the unmutated rules:\n${r.output}`);
    return 1;
  }

  const files = readdirSync(RULES).filter((f) => f.endsWith(".yml")).sort();
  const mutants = files.flatMap((f) => mutantsOf(basename(f, ".yml"), readFileSync(join(RULES, f), "utf8")));
  const dir = mkdtempSync(join(tmpdir(), "voteobs-mutation-"));
  try {
    const jobs = mutants.map((mutant, i) => {
      const folder = join(dir, String(i));
      mkdirSync(folder);
      const mutatedPath = join(folder, `${mutant.file}.yml`);
      writeFileSync(mutatedPath, mutant.text);
      const testFiles = testsFor(tests, mutant, mutatedPath).map((t) => {
        const path = join(folder, t.name);
        writeFileSync(path, t.text);
        return path;
      });
      return { mutant, mutatedPath, testFiles };
    });

    // Every mutant must still be a valid rule file: a broken one would die for the wrong reason.
    const checked = await run(["check", "rules", ...jobs.map((j) => j.mutatedPath)], dir);
    if (checked.code !== 0) {
      console.error(`some mutants are not valid rule files (a bug of the mutation tool):\n${checked.output}`);
      return 1;
    }

    const outcomes = await pool(jobs, width, async (job) => {
      if (job.testFiles.length === 0) return { job, killed: false, untested: true };
      for (const file of job.testFiles) {
        if ((await run(["test", "rules", file], dir)).code !== 0) return { job, killed: true, untested: false };
      }
      return { job, killed: false, untested: false };
    });

    const equivalentIds = new Map(equivalents.map((e) => [e.mutant, e.reason]));
    const survivors = outcomes.filter((o) => !o.killed).map((o) => o.job.mutant);
    const listed = survivors.filter((m) => equivalentIds.has(m.id));
    const unlisted = survivors.filter((m) => !equivalentIds.has(m.id));
    const known = new Set(mutants.map((m) => m.id));
    const stale = equivalents.filter((e) => !known.has(e.mutant) || !survivors.some((m) => m.id === e.mutant));
    const killed = outcomes.filter((o) => o.killed).length;
    const counted = mutants.length - listed.length;
    const score = counted === 0 ? 100 : (100 * killed) / counted;

    const byKind = new Map<string, [number, number]>();
    for (const o of outcomes) {
      const [k, n] = byKind.get(o.job.mutant.kind) ?? [0, 0];
      byKind.set(o.job.mutant.kind, [k + (o.killed ? 1 : 0), n + 1]);
    }
    const alerts = new Set(mutants.map((m) => `${m.file}/${m.alert}`)).size;
    console.log(
      `mutation testing: ${mutants.length} mutants of ${alerts} alerts in ${files.length} rule files, ${killed} killed, ${listed.length} equivalent (listed), ${unlisted.length} surviving; ` +
        `score ${score.toFixed(1)}% (${killed}/${counted}, equivalents left out) in ${((Date.now() - started) / 1000).toFixed(1)}s on ${width} cores`,
    );
    console.log(`  by kind: ${[...byKind].map(([kind, [k, n]]) => `${kind} ${k}/${n}`).join(", ")}`);
    for (const m of listed) console.log(`  equivalent: ${m.id} (${equivalentIds.get(m.id)})`);
    for (const m of unlisted) console.log(`  SURVIVOR: ${m.id}${outcomes.find((o) => o.job.mutant === m)?.untested ? " (no test looks at this alert)" : ""}`);
    for (const e of stale) console.log(`  STALE equivalent.yml entry (no such surviving mutant): ${e.mutant}`);
    return unlisted.length === 0 && stale.length === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
