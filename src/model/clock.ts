// Virtual clock (milliseconds) and the delayed-work queue for depot trims, ordered by
// (due, domain id, class). While a work runs, the clock reads its due time. Times are exact
// 64-bit values: a due time that would pass 2^64 − 1 stays at 2^64 − 1, and the facade refuses an
// advance past it (the C clock is a uint64_t and does the same).

/** The last millisecond the virtual clock can read. */
export const CLOCK_MAX = (1n << 64n) - 1n;

export interface DelayedWork {
  due: bigint;
  domainId: number;
  cls: number;
  run: () => void;
}

export class VirtualClock {
  now = 0n;
  private readonly queue: DelayedWork[] = [];

  isPending(domainId: number, cls: number): boolean {
    return this.queue.some((w) => w.domainId === domainId && w.cls === cls);
  }

  /** schedule_delayed_work: a pending work is not postponed. */
  schedule(domainId: number, cls: number, delayMs: bigint, run: () => void): void {
    if (this.isPending(domainId, cls)) return;
    const due = this.now + delayMs;
    this.queue.push({ due: due > CLOCK_MAX ? CLOCK_MAX : due, domainId, cls, run });
  }

  cancel(domainId: number, cls: number): void {
    const i = this.queue.findIndex((w) => w.domainId === domainId && w.cls === cls);
    if (i >= 0) this.queue.splice(i, 1);
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Whether advancing by ms would pass CLOCK_MAX (the caller refuses that advance). */
  wouldOverflow(ms: bigint): boolean {
    return this.now + ms > CLOCK_MAX;
  }

  /** Move forward by ms, running every work that falls due (rescheduled ones too). */
  advance(ms: bigint): void {
    const target = this.now + ms;
    for (;;) {
      let best = -1;
      for (let i = 0; i < this.queue.length; i++) {
        const w = this.queue[i];
        if (w.due > target) continue;
        if (best < 0) {
          best = i;
          continue;
        }
        const b = this.queue[best];
        if (
          w.due < b.due ||
          (w.due === b.due && (w.domainId < b.domainId || (w.domainId === b.domainId && w.cls < b.cls)))
        )
          best = i;
      }
      if (best < 0) break;
      const [work] = this.queue.splice(best, 1);
      this.now = work.due;
      work.run();
    }
    this.now = target;
  }
}
