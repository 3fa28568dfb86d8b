import type { EmulatorClock } from './clock';
import { SlidingWindow } from '../api/rate-limit';

/**
 * PlanetScale's rate limit: past `limit` requests of one credential in any `windowMs`, a request is refused (the API
 * answers 429 with Retry-After; PlanetScale documents 600 per minute). Played as a sliding window per credential, the
 * strictest reading, on the emulator's clock.
 */
export class CallerRateLimit {
  /** How many requests it refused. */
  refused = 0;
  private readonly windows = new Map<string, SlidingWindow>();

  constructor(
    private readonly limit: { readonly limit: number; readonly windowMs: number },
    private readonly clock: EmulatorClock,
  ) {}

  /** Counts a request of the credential `actorId` if its window has room; else how long until it has. */
  take(actorId: string): { ok: true } | { ok: false; waitMs: number } {
    const { limit, windowMs } = this.limit;
    const window = this.windows.get(actorId) ?? new SlidingWindow(limit, windowMs, () => this.clock.now().getTime());
    this.windows.set(actorId, window);
    const taken = window.tryTake();
    if (!taken.ok) this.refused += 1;
    return taken;
  }
}
