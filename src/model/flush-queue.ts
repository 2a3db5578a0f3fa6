// Flush queues of a lazy (DMA-FQ) domain: unmapped IOVAs wait in rings until an IOTLB flush covers
// them, then go back through freeFast on the CPU that frees them. The timer is delayed work on the
// lab's virtual clock and runs on the CPU that armed it.
import type { VirtualClock } from './clock.js';
import type { IovaDomain } from './rcache.js';

export const IOVA_DEFAULT_FQ_SIZE = 256;
export const IOVA_SINGLE_FQ_SIZE = 32768;
export const IOVA_DEFAULT_FQ_TIMEOUT = 10;
export const IOVA_SINGLE_FQ_TIMEOUT = 1000;

const U64_MAX = (1n << 64n) - 1n;

/**
 * The clock key of a domain's flush-queue timer. Keys of timers lie below every domain id and the
 * clock orders works by (due, key, class): at one due time every domain's timer runs before any
 * depot trim work, timers in domain id order.
 */
export const fqTimerKey = (domainId: number): number => -0x80000000 + domainId;

/**
 * The due time (ms) of a timer armed at nowMs for timeoutMs: whole jiffies at hz (the lab's clock
 * starts at jiffy 0), the jiffy tick rounded up to a whole ms. Saturates at 2^64 − 1.
 */
export function fqTimerDue(nowMs: bigint, timeoutMs: number, hz: number): bigint {
  const h = BigInt(hz);
  const dueJiffy = (nowMs * h) / 1000n + (BigInt(timeoutMs) * h + 999n) / 1000n;
  const due = (dueJiffy * 1000n + h - 1n) / h;
  return due > U64_MAX ? U64_MAX : due;
}

/** counter: the flush-start count when queued; freeable once counter < the flush-finish count. */
export interface IovaFqEntry {
  iovaPfn: bigint;
  pages: bigint;
  counter: number;
}

/** A ring of `size` slots, full when (tail + 1) mod size === head: it holds size − 1 entries. */
export class IovaFq {
  readonly entries: IovaFqEntry[] = [];
  head = 0;
  tail = 0;

  constructor(readonly size: number) {}

  get count(): number {
    return (this.tail - this.head + this.size) % this.size;
  }

  get full(): boolean {
    return (this.tail + 1) % this.size === this.head;
  }

  add(entry: IovaFqEntry): void {
    this.entries[this.tail] = entry;
    this.tail = (this.tail + 1) % this.size;
  }

  /** Entries from head to tail. */
  *queued(): Generator<IovaFqEntry> {
    for (let i = this.head; i !== this.tail; i = (i + 1) % this.size) yield this.entries[i];
  }
}

export interface FlushQueueStats {
  /** IOTLB flushes forced by a full ring. */
  flushesFull: number;
  /** IOTLB flushes by the timer. */
  flushesTimer: number;
  timerExpiries: number;
  /** Entries ever queued: each leaves only through queueFreed or timerFreed. */
  queuedTotal: number;
  /** IOVAs freed by a queueing CPU, into its own magazines. */
  queueFreed: number;
  /** IOVAs freed by the timer… */
  timerFreed: number;
  /** …and on which CPU. */
  timerFreedOn: number[];
}

export interface FlushQueueEnv {
  clock: VirtualClock;
  hz: number;
  /** Online CPUs, ascending (a timer on a CPU that went offline moves to the first). */
  onlineCpuList: () => number[];
}

/** A domain's flush queues, flush counters and timer (the kernel keeps them in iommu_dma_cookie). */
export class FlushQueue {
  readonly rings: IovaFq[];
  readonly timeoutMs: number;
  fqFlushStartCnt = 0;
  fqFlushFinishCnt = 0;
  fqTimerOn = false;
  timerCpu = 0;
  timerDue = 0n;
  /** Every PFN sitting in a ring (a second unmap of one is a double free). */
  readonly queuedPfns = new Set<bigint>();
  readonly stats: FlushQueueStats;

  /** iommu_dma_init_fq: one ring per possible CPU, or (single) one shared ring. */
  constructor(
    private readonly domain: IovaDomain,
    private readonly env: FlushQueueEnv,
    readonly single: boolean,
    possibleCpus: number,
  ) {
    const size = single ? IOVA_SINGLE_FQ_SIZE : IOVA_DEFAULT_FQ_SIZE;
    this.rings = Array.from({ length: single ? 1 : possibleCpus }, () => new IovaFq(size));
    this.timeoutMs = single ? IOVA_SINGLE_FQ_TIMEOUT : IOVA_DEFAULT_FQ_TIMEOUT;
    this.stats = {
      flushesFull: 0,
      flushesTimer: 0,
      timerExpiries: 0,
      queuedTotal: 0,
      queueFreed: 0,
      timerFreed: 0,
      timerFreedOn: new Array<number>(possibleCpus).fill(0),
    };
  }

  ringOf(cpu: number): IovaFq {
    return this.rings[this.single ? 0 : cpu];
  }

  /** fq_flush_iotlb: the invalidation completes at once, so start and finish move together. */
  private flushIotlb(): void {
    this.fqFlushStartCnt++;
    this.fqFlushFinishCnt++;
  }

  /** fq_ring_free: from the head, every entry a completed flush covers, by freeFast on cpu. */
  private ringFree(ring: IovaFq, cpu: number): number {
    let freed = 0;
    while (ring.head !== ring.tail) {
      const e = ring.entries[ring.head];
      if (e.counter >= this.fqFlushFinishCnt) break;
      this.domain.freeIovaFast(cpu, e.iovaPfn, e.pages);
      this.queuedPfns.delete(e.iovaPfn);
      ring.head = (ring.head + 1) % ring.size;
      freed++;
    }
    return freed;
  }

  /** queue_iova on an online cpu. */
  queueIova(cpu: number, pfn: bigint, pages: bigint): void {
    const ring = this.ringOf(cpu);
    // Entries another CPU's flush already covered make room first.
    this.stats.queueFreed += this.ringFree(ring, cpu);
    if (ring.full) {
      this.flushIotlb();
      this.stats.flushesFull++;
      this.stats.queueFreed += this.ringFree(ring, cpu);
    }
    ring.add({ iovaPfn: pfn, pages, counter: this.fqFlushStartCnt });
    this.queuedPfns.add(pfn);
    this.stats.queuedTotal++;
    if (!this.fqTimerOn) this.armTimer(cpu);
  }

  private armTimer(cpu: number): void {
    const { clock, hz } = this.env;
    this.fqTimerOn = true;
    this.timerCpu = cpu;
    this.timerDue = fqTimerDue(clock.now, this.timeoutMs, hz);
    clock.schedule(fqTimerKey(this.domain.id), 0, this.timerDue - clock.now, () => this.fqFlushTimeout());
  }

  /** fq_flush_timeout: every possible CPU's ring, offline ones too, freed on the timer's CPU. */
  fqFlushTimeout(): void {
    const cpu = this.timerCpu;
    this.fqTimerOn = false;
    this.stats.timerExpiries++;
    this.flushIotlb();
    this.stats.flushesTimer++;
    for (const ring of this.rings) {
      const n = this.ringFree(ring, cpu);
      this.stats.timerFreed += n;
      this.stats.timerFreedOn[cpu] += n;
    }
  }

  /** CPU hotplug: a timer pending on a CPU that went offline moves to the first online CPU. */
  cpuDead(cpu: number): void {
    if (this.fqTimerOn && this.timerCpu === cpu) this.timerCpu = this.env.onlineCpuList()[0];
  }

  /** Queued entries per ring (per possible CPU, or the one shared ring). */
  queuedCounts(): number[] {
    return this.rings.map((r) => r.count);
  }

  /** iommu_dma_free_fq: the timer is cancelled; queued entries go with the domain's tree. */
  free(): void {
    if (this.fqTimerOn) this.env.clock.cancel(fqTimerKey(this.domain.id), 0);
    this.fqTimerOn = false;
  }

  /** null when every queued entry is accounted for, else what is wrong. */
  check(): string | null {
    if (this.fqFlushFinishCnt !== this.fqFlushStartCnt) return 'flush started but not finished';
    let total = 0;
    for (const ring of this.rings) {
      let last = 0;
      for (const e of ring.queued()) {
        const node = this.domain.tree.findExact(e.iovaPfn);
        const at = `queued pfn 0x${e.iovaPfn.toString(16)}`;
        if (!node) return `${at} is not in the tree`;
        if (node.cached) return `${at} is cached at once`;
        if (!this.queuedPfns.has(e.iovaPfn)) return `${at} is missing from the queued index`;
        if (e.counter < last || e.counter > this.fqFlushStartCnt) return `${at}: flush counters out of order`;
        last = e.counter;
        total++;
      }
    }
    if (total !== this.queuedPfns.size) return 'the queued index holds IOVAs no ring holds';
    const { queuedTotal, queueFreed, timerFreed } = this.stats;
    if (queuedTotal !== total + queueFreed + timerFreed) return 'a queued IOVA was lost';
    if (total > 0 && !this.fqTimerOn) return 'IOVAs queued without a pending timer';
    return null;
  }
}
