interface TargetsResponse {
  data: { activeTargets: Array<{ labels: Record<string, string>; health: "up" | "down" | "unknown"; lastError: string }> };
}

/**
 * Waits until Prometheus has scraped every active target successfully; resolves with their
 * number, or fails after `timeoutMs` naming the targets still down and why.
 */
export async function waitForTargetsUp(prometheusUrl: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let notUp: string[] = [];
  for (;;) {
    try {
      const response = await fetch(`${prometheusUrl}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(2_000) });
      const targets = ((await response.json()) as TargetsResponse).data.activeTargets;
      notUp = targets.filter((t) => t.health !== "up").map((t) => `${t.labels.job} (${t.health}${t.lastError ? `: ${t.lastError}` : ""})`);
      if (targets.length > 0 && notUp.length === 0) return targets.length;
    } catch (error) {
      notUp = [`Prometheus API: ${(error as Error).message}`];
    }
    if (Date.now() > deadline) throw new Error(`scrape targets not up after ${timeoutMs}ms: ${notUp.join(", ")}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
