import { performance } from "node:perf_hooks";
import { Registry } from "prom-client";
import { createHttpMetrics } from "../services/shared/src/http-metrics";

/**
 * Nanoseconds the HTTP instrumentation adds to one request (record() plus the two clock reads),
 * measured in this process: a figure that, unlike the throughput ratio, does not move with the load
 * of other processes on the machine.
 */
export function instrumentationNanosPerRequest(iterations = 1_000_000): number {
  const registry = new Registry();
  registry.setDefaultLabels({ service: "vote" });
  const recorder = createHttpMetrics(registry, { "/": ["GET", "POST"] });
  const once = (i: number): void => {
    const started = performance.now();
    recorder.record("/", "POST", i % 50 === 0 ? 400 : 200, (performance.now() - started) / 1000 + (i % 7) * 0.001);
  };
  for (let i = 0; i < iterations / 10; i++) once(i);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) once(i);
  return ((performance.now() - started) * 1e6) / iterations;
}
