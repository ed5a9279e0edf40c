import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { installCommand, packagesFor } from "../../setup/debian";
import { readRunningState, stateFilePath, type LocalState } from "../../local/state-file";
import { ROOT } from "../support/render";
import { requireLocalPackages, setFaultRatio } from "./support/app";
import { report } from "./support/stack";
import { secondsSince, waitUntil } from "./support/wait";

/** `npm run <script> -- args`, to completion, bounded. */
function npmRun(script: string, args: string[], timeoutMs = 20_000): { code: number | null; stdout: string; stderr: string; seconds: number } {
  const began = Date.now();
  const result = spawnSync("npm", ["run", "-s", script, "--", ...args], { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, seconds: secondsSince(began) };
}

/** Pids of processes whose command line mentions `text` (the state folder: Redis, Postgres, Prometheus, Alertmanager...). */
function processesMentioning(text: string): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function portOpen(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

describe("the commands as a user runs them", { timeout: 180_000 }, () => {
  it("a missing Debian package stops `npm run local` with one message naming the exact install line", () => {
    const stateDir = mkdtempSync(join(tmpdir(), "voteobs-e2e-missing-"));
    try {
      // A PATH holding only node and sh, and no PostgreSQL: every package the local target needs is missing.
      const bin = join(stateDir, "bin");
      mkdirSync(bin);
      symlinkSync(process.execPath, join(bin, "node"));
      symlinkSync("/bin/sh", join(bin, "sh"));
      const result = spawnSync(join(bin, "node"), ["--import", "tsx", "local/main.ts", "--once", "--state-dir", stateDir], {
        cwd: ROOT,
        encoding: "utf8",
        timeout: 20_000,
        env: { PATH: bin, PG_BIN_DIR: join(stateDir, "no-postgres"), HOME: process.env.HOME },
      });
      assert.equal(result.status, 1, result.stderr);
      assert.ok(result.stderr.includes(installCommand(packagesFor("local"))), result.stderr);
      assert.ok(!result.stderr.includes("    at "), `no stack trace:\n${result.stderr}`);
      assert.ok(!existsSync(stateFilePath(stateDir)), "nothing was started");
      report(`missing packages → exit 1 with: ${result.stderr.split("\n").find((l) => l.includes("apt-get install"))?.trim()}`);
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it("npm test installs every package the local target needs (the e2e drills run it)", () => {
    assert.deepEqual(packagesFor("local").filter((p) => !packagesFor("test").includes(p)), []);
  });

  describe("npm run local, npm run status, Ctrl-C", () => {
    requireLocalPackages();
    const stateDir = mkdtempSync(join(tmpdir(), "voteobs-e2e-command-"));
    let local: ChildProcess | undefined;
    let output = "";
    let state: LocalState;

    after(async () => {
      if (local !== undefined && local.exitCode === null && local.signalCode === null) {
        try {
          process.kill(-local.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }
      rmSync(stateDir, { recursive: true, force: true });
    });

    it("`npm run local` starts everything, prints the URLs and the lights, and writes the state file", async () => {
      const began = Date.now();
      // Its own process group, as a terminal's foreground job: Ctrl-C reaches every process in it.
      local = spawn("npm", ["run", "-s", "local", "--", "--fast", "--traffic", "20", "--state-dir", stateDir], { cwd: ROOT, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      local.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      local.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      await waitUntil("`npm run local` to say it runs", () => output.includes("Running.") || (local!.exitCode !== null && Promise.reject(new Error(output))), 60_000);
      state = JSON.parse(readFileSync(stateFilePath(stateDir), "utf8")) as LocalState;
      for (const url of [state.urls.vote, state.urls.result, state.urls.prometheus, state.urls.alertmanager, state.urls.inbox]) assert.ok(output.includes(url), `${url} printed`);
      // Every link the banner prints answers (the curl lines are commands, run by the seed's drill).
      const links = [...new Set(output.split("\n").filter((line) => !line.includes("curl ")).flatMap((line) => line.match(/https?:\/\/[^\s)]+/g) ?? []))];
      assert.ok(links.length >= 8, `links printed: ${links.join(" ")}`);
      for (const link of links) assert.equal((await fetch(link)).ok, true, `${link} answers`);
      assert.match(output, /Grafana and Loki are not part of the local target/);
      assert.match(output, /service +up +errors +p95 +queue +restarts +cpu\/limit +mem\/limit/);
      assert.match(output, /✓ targets +8 scrape targets up/);
      report(`npm run local: up and printed in ${secondsSince(began)}s`);
    });

    it("`npm run status` answers within 5 s; it exits 1 once something is red", async () => {
      const green = npmRun("status", ["--state-dir", stateDir]);
      assert.equal(green.code, 0, green.stdout + green.stderr);
      assert.match(green.stdout, /^[●▲] (GREEN|AMBER) /);
      assert.ok(green.seconds < 5, `${green.seconds}s`);

      // The lights follow the alerts' states in Prometheus' ALERTS: amber while VoteHighErrorRate is
      // pending, red (exit 1) once it fires.
      type Report = { light: string; services: Array<{ service: string; light: string; cells: { errorRatio: { light?: string; reason?: string; state?: string } } }> };
      await setFaultRatio(state.urls.vote, 0.5);
      const faultAt = Date.now();
      const seen: string[] = [];
      let red: ReturnType<typeof npmRun> | undefined;
      let reportJson: Report | undefined;
      try {
        red = await waitUntil("`npm run status` to turn red", () => {
          const run = npmRun("status", ["--state-dir", stateDir, "--json"]);
          reportJson = JSON.parse(run.stdout) as Report;
          const cell = reportJson.services.find((s) => s.service === "vote")!.cells.errorRatio;
          seen.push(`${reportJson.light}${cell.reason ? ` (${cell.reason} ${cell.state})` : ""}`);
          return reportJson.light === "red" ? run : undefined;
        }, 40_000, 200);
      } finally {
        await setFaultRatio(state.urls.vote, 0);
      }
      const vote = reportJson!.services.find((s) => s.service === "vote")!;
      report(`npm run status: green in ${green.seconds}s (exit ${green.code}); with 50% errors red after ${secondsSince(faultAt)}s (${red.seconds}s, exit ${red.code}); states seen: ${[...new Set(seen)].join(" → ")}`);
      assert.equal(red.code, 1);
      assert.ok(red.seconds < 5, `${red.seconds}s`);
      assert.equal(vote.cells.errorRatio.reason, "VoteHighErrorRate");
      assert.equal(vote.cells.errorRatio.state, "firing");
    });

    it("Ctrl-C stops every process and leaves none behind", async () => {
      const before = processesMentioning(stateDir);
      assert.ok(before.length >= 5, `processes of the stack found: ${before.length}`);
      const stopAt = Date.now();
      process.kill(-local!.pid!, "SIGINT");
      // npm itself gets the SIGINT too and ends at once; our command goes on stopping the stack. Its
      // output pipe closes when the last process writing to it (our command) has exited.
      const outputClosed = new Promise((resolve) => local!.stdout!.once("close", resolve));
      const exit = await new Promise<string>((resolve) => {
        const describe = () => (local!.exitCode !== null ? `code ${local!.exitCode}` : `signal ${local!.signalCode}`);
        if (local!.exitCode !== null || local!.signalCode !== null) resolve(describe());
        else local!.once("exit", () => resolve(describe()));
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([outputClosed, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
      clearTimeout(timer);
      // Bounded wait for the last processes (Postgres finishes its shutdown checkpoint).
      let left: number[] = [];
      let open: string[] = [];
      await waitUntil(
        "every process of the stack to end",
        async () => {
          left = processesMentioning(stateDir);
          open = [];
          for (const url of Object.values(state.urls)) if (await portOpen(url)) open.push(url);
          return left.length === 0 && open.length === 0 ? true : undefined;
        },
        15_000,
      ).catch(() => undefined);
      const stoppedIn = secondsSince(stopAt);
      report(`Ctrl-C: npm ended (${exit}); ${before.length} processes of the state folder before, ${left.length} after ${stoppedIn}s; ${open.length} ports still open`);
      assert.ok(["code 0", "signal SIGINT"].includes(exit), `${exit}\n${output.slice(-2000)}`);
      assert.deepEqual(left, []);
      assert.deepEqual(open, []);
      assert.match(output, /Stopped; nothing left running/);
      assert.ok(!existsSync(stateFilePath(stateDir)), "state file removed");
      assert.equal(readRunningState(stateDir), undefined, "npm run status no longer sees a running stack");
    });
  });
});
