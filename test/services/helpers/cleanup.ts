/** Undo steps run last-in first-out; every step runs even if an earlier one fails. */
export class Cleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];

  add(step: () => Promise<unknown>): void {
    this.steps.push(step);
  }

  /**
   * Awaits processes started in parallel; each one that started is registered with `undo` even when
   * another failed to start (then the first failure is thrown).
   */
  async startAll<T>(starts: Promise<T>[], undo: (started: T) => Promise<unknown>): Promise<T[]> {
    const settled = await Promise.allSettled(starts);
    for (const outcome of settled) if (outcome.status === "fulfilled") this.add(() => undo(outcome.value));
    const failure = settled.find((outcome) => outcome.status === "rejected");
    if (failure !== undefined) throw (failure as PromiseRejectedResult).reason;
    return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
  }

  async run(): Promise<void> {
    const failures: unknown[] = [];
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, "cleanup failed");
  }
}
