/**
 * At most `limit` requests in any `windowMs`: a sliding window over the moments requests were sent. PlanetScale
 * allows 600 requests per minute; a token bucket of that rate would let a burst at the end of one minute and another
 * at the start of the next through (up to twice the limit within 60 s), which a sliding window never does. Bursts
 * up to the limit still go out at once, so a run of 500 creates is not slowed down.
 *
 * The client takes one slot per request actually sent (retries included); the emulator uses the same window to play
 * PlanetScale's limit (answering 429 with Retry-After), so the client is tested against the strictest reading.
 */
export class SlidingWindow {
  /** Send times within the current window, oldest first. */
  private readonly sent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1 || !(windowMs > 0)) throw new Error('a rate limit needs a positive limit and window');
  }

  /** Records a request now if the window has room; else returns how long until it has (nothing recorded). */
  tryTake(): { ok: true } | { ok: false; waitMs: number } {
    const now = this.now();
    while (this.sent.length > 0 && this.sent[0] <= now - this.windowMs) this.sent.shift();
    if (this.sent.length < this.limit) {
      this.sent.push(now);
      return { ok: true };
    }
    return { ok: false, waitMs: this.sent[0] + this.windowMs - now };
  }

  /** Resolves when one more request may be sent, and records it. Callers are served in order. */
  take(): Promise<void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const result = this.tryTake();
        if (result.ok) return;
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, result.waitMs)));
      }
    });
    this.queue = turn;
    return turn;
  }
}

/** PlanetScale's documented limit. */
export const PLANETSCALE_RATE_LIMIT = { limit: 600, windowMs: 60_000 } as const;
