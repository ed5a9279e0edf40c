import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { toolPath } from "../../toolchain";

const ROOT = resolve(__dirname, "../..");
const WORKFLOWS = join(ROOT, ".github", "workflows");

/** shellcheck and pyflakes checks of `run:` scripts only where those programs are installed. */
function onPath(program: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${program}`], { encoding: "utf8" }).status === 0;
}
const integrations = [onPath("shellcheck") ? [] : ["-shellcheck="], onPath("pyflakes") ? [] : ["-pyflakes="]].flat();

/** Runs the pinned actionlint on the given workflow files from `cwd` (it finds the repository root there). */
function actionlint(files: string[], cwd: string) {
  const result = spawnSync(toolPath("actionlint"), ["-no-color", "-oneline", ...integrations, ...files], { cwd, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("the GitHub workflows pass the pinned actionlint", () => {
  const scratch = mkdtempSync(join(tmpdir(), "voteobs-actionlint-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("every workflow under .github/workflows is clean", () => {
    const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(WORKFLOWS, f));
    assert.ok(files.length > 0, "no workflow found");
    const { status, output } = actionlint(files, ROOT);
    assert.equal(status, 0, output);
  });

  it("a broken workflow fails, naming each error", () => {
    mkdirSync(join(scratch, ".github", "workflows"), { recursive: true });
    const file = join(scratch, ".github", "workflows", "broken.yml");
    writeFileSync(
      file,
      [
        "name: broken",
        "on:",
        "  pull_requests:", // misspelt event
        "jobs:",
        "  test:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: echo ${{ github.evnt_name }}", // unknown context property
        "        timeout: 5", // unknown step key
        "",
      ].join("\n"),
    );
    const { status, output } = actionlint([file], scratch);
    assert.equal(status, 1, output);
    assert.match(output, /pull_requests/);
    assert.match(output, /evnt_name/);
    assert.match(output, /timeout/);
  });
});
