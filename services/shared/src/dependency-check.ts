import { Gauge } from "prom-client";
import { Dependency } from "./metrics";
import { errorMessage, withTimeout } from "./timeout";

export interface DependencyCheck {
  dependency: Dependency;
  /** Resolves when the dependency answered (a PING, a SELECT 1). */
  ping: () => Promise<unknown>;
}

export interface DependencyReport {
  /** Every dependency answered. */
  ready: boolean;
  dependencies: Record<string, string>;
  failed: string[];
}

/** Pings every dependency in parallel with a deadline and records each result in dependency_up. */
export async function checkDependencies(checks: readonly DependencyCheck[], timeoutMs: number, dependencyUp: Gauge<"dependency">): Promise<DependencyReport> {
  const results = await Promise.all(
    checks.map(async ({ dependency, ping }) => {
      try {
        await withTimeout(ping(), timeoutMs, `${dependency} ping`);
        dependencyUp.set({ dependency }, 1);
        return [dependency, "up"] as const;
      } catch (error) {
        dependencyUp.set({ dependency }, 0);
        return [dependency, errorMessage(error)] as const;
      }
    }),
  );
  const failed = results.filter(([, state]) => state !== "up").map(([dependency]) => dependency);
  return { ready: failed.length === 0, dependencies: Object.fromEntries(results), failed };
}
