import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface LoadResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers other than 2xx (wrk also counts socket errors here). */
  errors: number;
}

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  body?: string;
  contentType?: string;
  connections: number;
  seconds: number;
}

export type LoadGenerator = (spec: LoadSpec) => Promise<LoadResult>;

/** wrk (C, one thread) when installed: it leaves more of the 2 cores to the servers than autocannon. */
export async function chooseLoadGenerator(workDir: string, prefer = process.env.BENCH_LOADGEN): Promise<{ name: string; run: LoadGenerator }> {
  const wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((path) => existsSync(path));
  if (wrk !== undefined && prefer !== "autocannon") return { name: "wrk", run: (spec) => runWrk(wrk, workDir, spec) };
  return { name: "autocannon", run: runAutocannon };
}

const TIME_UNITS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function wrkMs(text: string, label: string): number {
  const match = new RegExp(`^\\s*${label}\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(text);
  if (match === null) throw new Error(`wrk output has no ${label} latency:\n${text}`);
  return Number(match[1]) * TIME_UNITS[match[2]];
}

async function runWrk(wrk: string, workDir: string, spec: LoadSpec): Promise<LoadResult> {
  const args = ["-t1", `-c${spec.connections}`, `-d${spec.seconds}s`, "--latency", "--timeout", "5s"];
  if (spec.method !== "GET") {
    const script = join(workDir, "wrk-request.lua");
    await writeFile(
      script,
      [
        `wrk.method = "${spec.method}"`,
        `wrk.body = ${JSON.stringify(spec.body ?? "")}`,
        `wrk.headers["Content-Type"] = ${JSON.stringify(spec.contentType ?? "text/plain")}`,
      ].join("\n"),
    );
    args.push("-s", script);
  }
  const { stdout } = await run(wrk, [...args, spec.url], { timeout: (spec.seconds + 30) * 1000 });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (rps === null) throw new Error(`unexpected wrk output:\n${stdout}`);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors = Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return { rps: Number(rps[1]), p50Ms: wrkMs(stdout, "50%"), p99Ms: wrkMs(stdout, "99%"), errors };
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const bin = join(__dirname, "..", "node_modules", ".bin", "autocannon");
  const args = ["--json", "-c", String(spec.connections), "-d", String(spec.seconds), "-m", spec.method];
  if (spec.body !== undefined) args.push("-b", spec.body, "-H", `content-type=${spec.contentType ?? "text/plain"}`);
  // A separate process, so the load generator does not share the event loop of this script.
  const { stdout } = await run(bin, [...args, spec.url], { timeout: (spec.seconds + 30) * 1000, maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout) as { requests: { average: number }; latency: { p50: number; p99: number }; non2xx: number; errors: number; timeouts: number };
  return { rps: result.requests.average, p50Ms: result.latency.p50, p99Ms: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
}
