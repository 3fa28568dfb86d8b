/**
 * The emulator's notion of "now". Tests move it forward to make TTLs expire without waiting.
 */
export class EmulatorClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves time forward (or back, with a negative value). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Jumps to an absolute moment; real time keeps passing from there. */
  set(to: Date): void {
    this.offsetMs = to.getTime() - Date.now();
  }
}
