/** Request counts per route ("POST create_password") and in total. */
export class RequestCounter {
  /** When the first request since the last reset arrived (ms since the epoch, real time): when a run got going. */
  firstAt: number | undefined;
  private readonly counts = new Map<string, number>();

  record(method: string, operation: string): void {
    this.firstAt ??= Date.now();
    const key = `${method} ${operation}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Count for one operation id (e.g. 'create_password'), any method unless given. */
  count(operation: string, method?: string): number {
    let total = 0;
    for (const [key, value] of this.counts) {
      const [m, op] = key.split(' ');
      if (op === operation && (!method || m === method)) total += value;
    }
    return total;
  }

  get total(): number {
    let total = 0;
    for (const value of this.counts.values()) total += value;
    return total;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  reset(): void {
    this.firstAt = undefined;
    this.counts.clear();
  }
}
