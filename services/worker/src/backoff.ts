/** Exponential backoff with jitter for reconnect loops: 100 ms doubling up to a cap, reset on success. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly baseMs = 100, private readonly maxMs = 5_000) {}

  nextDelayMs(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
