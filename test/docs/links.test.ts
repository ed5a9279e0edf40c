import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";

/**
 * Docs that a test keeps true: every relative link of every Markdown file resolves (file and, for
 * `#anchor`, heading), and every repository path a doc names in backticks exists.
 */
const ROOT = resolve(__dirname, "../..");
const SKIP_DIRS = new Set(["node_modules", ".git", "generated", ".voteobs", "dist"]);

function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP_DIRS.has(name)) return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith(".md") ? [path] : [];
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

/** Text outside fenced code blocks. */
const prose = (text: string) => text.replace(/```[\s\S]*?```/g, "");

/** Top-level entries of the repository: a backticked path is checked when it starts with one. */
const TOP = new Set(readdirSync(ROOT).filter((name) => !SKIP_DIRS.has(name) || name === "generated"));

/**
 * A backticked span that names a repository path: starts with a top-level folder or file of the
 * repository and has no placeholder (`<service>`), no command line (spaces) and no URL.
 */
function namedPaths(text: string): string[] {
  return [...prose(text).matchAll(/`([^`\s]+)`/g)]
    .map((m) => m[1].replace(/[.,:;)]+$/, ""))
    .filter((span) => !/[<>{}$]|^https?:|^[a-z]+:\/\//.test(span) && TOP.has(span.split("/")[0]) && (span.includes("/") || /\.[a-z]+$/i.test(span)));
}

/** A path whose segments may hold a `*` wildcard, as in `test/promtool/*.test.yml`: some entry matches it. */
function exists(path: string, base = ROOT): boolean {
  const [head, ...rest] = path.replace(/#.*$/, "").replace(/\/$/, "").split("/");
  if (head === undefined || head === "") return true;
  if (!head.includes("*")) return existsSync(join(base, head)) && (rest.length === 0 || exists(rest.join("/"), join(base, head)));
  const pattern = new RegExp(`^${head.replace(/[.+?^()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
  return existsSync(base) && statSync(base).isDirectory() && readdirSync(base).some((name) => pattern.test(name) && (rest.length === 0 || exists(rest.join("/"), join(base, name))));
}

/** Build output the docs may name (the services' tsc output), absent from a clean clone. */
const BUILD_OUTPUT = /(^|\/)dist(\/|$)/;

describe("docs that a test keeps true", () => {
  const files = markdownFiles();

  it("finds the docs", () => {
    for (const expected of ["README.md", "RUNBOOK.md", "docs/deploy.md", "docs/local.md", "docs/dashboards.md", "services/README.md"]) assert.ok(files.includes(join(ROOT, expected)), expected);
  });

  for (const file of files) {
    const name = relative(ROOT, file);
    it(`${name}: every relative link resolves, anchors included`, () => {
      const problems: string[] = [];
      for (const [, target] of prose(readFileSync(file, "utf8")).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:)/.test(target)) continue;
        const [path, anchor] = target.split("#");
        const resolved = path === "" ? file : resolve(dirname(file), path);
        if (!existsSync(resolved)) problems.push(`${target}: no such file`);
        else if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(resolved).has(anchor)) problems.push(`${target}: no heading #${anchor} in ${relative(ROOT, resolved)}`);
      }
      assert.deepEqual(problems, []);
    });

    it(`${name}: every repository path it names exists`, () => {
      const missing = [...new Set(namedPaths(readFileSync(file, "utf8")))].filter((path) => !BUILD_OUTPUT.test(path) && !exists(path));
      assert.deepEqual(missing, []);
    });
  }

  it("the checks can fail: a missing file, a missing anchor and a missing named path are caught", () => {
    assert.equal(exists("config/no-such-file.ts"), false);
    assert.equal(exists("services/*/src/config.ts"), true);
    assert.equal(exists("services/*/no-such.ts"), false);
    assert.equal(anchorsOf(join(ROOT, "README.md")).has("no-such-heading"), false);
    assert.deepEqual(namedPaths("see `config/schema.ts`, `npm run local`, `<state>/logs`, `stacks/docker/`"), ["config/schema.ts", "stacks/docker/"]);
    assert.equal(anchorOf("How it fits together"), "how-it-fits-together");
  });
});
