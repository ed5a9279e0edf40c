/** The service's JSON log lines; anything else it prints (a runtime warning on stderr) is skipped. */
export function parseLogLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** Collects parsed log lines; pass `collect` as a service's onLine. */
export function logCollector(): { logs: Record<string, unknown>[]; collect: (line: string) => void } {
  const logs: Record<string, unknown>[] = [];
  return {
    logs,
    collect: (line) => {
      const parsed = parseLogLine(line);
      if (parsed !== undefined) logs.push(parsed);
    },
  };
}
