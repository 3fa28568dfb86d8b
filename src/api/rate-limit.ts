/**
 * At most `limit` requests in any `windowMs`: a sliding window. PlanetScale allows 600 requests per minute; a token
 * bucket of that rate would let a burst at the end of one minute and another at the start of the next through (up to
 * twice the limit within 60 s), which a sliding window never does. Bursts up to the limit still go out at once, so a
 * run of 500 creates is not slowed down.
 *
 * The emulator plays PlanetScale's limit with it, counting each request when it arrives (`tryTake`). The client
 * cannot know that moment: it lies somewhere between sending and the answer. So the client's slot (`take`) is held
 * from the send until the answer (or failure) arrives, and counts for a whole window from then on: whatever the
 * network's delays, the server never sees more than the limit in a window. Measured: stamping the send time instead
 * let a burst of 17 requests against a 5-per-400-ms server draw six 429s (test/client.test.ts, "rate limit").
 */
export class SlidingWindow {
  /** When each request in the window was counted; `Infinity` while its answer is awaited. */
  private slots: number[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit) || limit < 1 || !(windowMs > 0)) throw new Error('a rate limit needs a positive limit and window');
  }

  /** Server side: counts a request arriving now if the window has room; else how long until it has (nothing counted). */
  tryTake(): { ok: true } | { ok: false; waitMs: number } {
    const room = this.room();
    if (room.ok) this.slots.push(this.now());
    return room;
  }

  /**
   * Client side: resolves when one more request may be sent, holding a slot for it; call the returned function when
   * its answer (or failure) arrives. Callers are served in order.
   */
  take(): Promise<() => void> {
    const turn = this.queue.then(async () => {
      for (;;) {
        const room = this.room();
        if (room.ok) return this.hold();
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, room.waitMs)));
      }
    });
    this.queue = turn;
    return turn;
  }

  private room(): { ok: true } | { ok: false; waitMs: number } {
    const now = this.now();
    this.slots = this.slots.filter((at) => at > now - this.windowMs);
    if (this.slots.length < this.limit) return { ok: true };
    const answered = this.slots.filter((at) => at !== Infinity);
    // All awaiting answers: look again shortly (one of them frees a slot a window after it is answered).
    return { ok: false, waitMs: answered.length > 0 ? Math.min(...answered) + this.windowMs - now : 10 };
  }

  private hold(): () => void {
    this.slots.push(Infinity);
    let answered = false;
    return () => {
      if (answered) return;
      answered = true;
      // Awaited slots are interchangeable: any one of them stands for this request.
      const i = this.slots.indexOf(Infinity);
      if (i >= 0) this.slots[i] = this.now();
    };
  }
}

/** PlanetScale's documented limit. */
export const PLANETSCALE_RATE_LIMIT = { limit: 600, windowMs: 60_000 } as const;
