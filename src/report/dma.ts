// The DMA layer's counters for reports: totals over the DMA domains, where the flush-queue timer
// freed IOVAs, and the CPUs whose loaded/prev magazines hold the most PFNs (the timer's funnel).
import type { Snapshot } from '../snapshot.js';

export const DMA_TYPE_NAMES = ['plain', 'strict', 'lazy', 'lazy-single'] as const;

export interface DmaTotals {
  /** DMA domains by type. */
  domains: { strict: number; lazy: number; lazySingle: number };
  devices: number;
  maps: number;
  unmaps: number;
  /** Decimal string: exact at any size. */
  mappedBytes: string;
  mapFailures: number;
  sacAttempts: number;
  sacSuccesses: number;
  sacSwitched: number;
  queued: number;
  flushesFull: number;
  flushesTimer: number;
  timerExpiries: number;
  queueFreed: number;
  timerFreed: number;
  /** IOVAs the timers freed on each possible CPU, summed over domains. */
  timerFreedOn: number[];
  /** PFNs in each possible CPU's loaded + prev magazines (all domains, all classes). */
  cpuCachedPfns: number[];
}

/** Totals over the DMA domains, or null when the lab has none. */
export function dmaTotals(s: Snapshot): DmaTotals | null {
  const dma = s.domains.filter((d) => d.dmaType > 0);
  if (dma.length === 0) return null;
  const sum = (f: (d: (typeof dma)[number]) => number): number => dma.reduce((n, d) => n + f(d), 0);
  const timerFreedOn = new Array<number>(s.possibleCpus).fill(0);
  for (const q of s.flushQueues) q.timerFreedOn.forEach((n, cpu) => (timerFreedOn[cpu] += n));
  const add = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    domains: {
      strict: dma.filter((d) => d.dmaType === 1).length,
      lazy: dma.filter((d) => d.dmaType === 2).length,
      lazySingle: dma.filter((d) => d.dmaType === 3).length,
    },
    devices: sum((d) => d.devices),
    maps: sum((d) => d.maps),
    unmaps: sum((d) => d.unmaps),
    mappedBytes: dma.reduce((n, d) => n + BigInt(d.mappedBytes), 0n).toString(),
    mapFailures: sum((d) => d.mapFailures),
    sacAttempts: sum((d) => d.sacAttempts),
    sacSuccesses: sum((d) => d.sacSuccesses),
    sacSwitched: sum((d) => d.sacSwitched),
    queued: sum((d) => d.queued),
    flushesFull: sum((d) => d.flushesFull),
    flushesTimer: sum((d) => d.flushesTimer),
    timerExpiries: sum((d) => d.timerExpiries),
    queueFreed: sum((d) => d.queueFreed),
    timerFreed: sum((d) => d.timerFreed),
    timerFreedOn,
    cpuCachedPfns: s.cpus.map((c) => add(c.loadedPfns) + add(c.prevPfns)),
  };
}

/** "cpu 0: 600, cpu 4: 300": the largest nonzero entries, at most `top`. */
export function topCpus(perCpu: readonly number[], top = 4): string {
  const ranked = perCpu
    .map((n, cpu) => ({ n, cpu }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || a.cpu - b.cpu);
  const shown = ranked.slice(0, top).map((x) => `cpu ${x.cpu}: ${x.n}`);
  if (ranked.length > top) shown.push(`${ranked.length - top} more CPUs`);
  return shown.length ? shown.join(', ') : 'none';
}

/** The DMA lines of a text report ('' without DMA domains). */
export function formatDma(s: Snapshot): string {
  const t = dmaTotals(s);
  if (!t) return '';
  const types = Object.entries({ strict: t.domains.strict, lazy: t.domains.lazy, 'lazy-single': t.domains.lazySingle })
    .filter(([, n]) => n > 0)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  return (
    [
      `dma: domains ${types}; devices ${t.devices}; maps ${t.maps} (failed ${t.mapFailures}), unmaps ${t.unmaps}, ` +
        `mapped ${t.mappedBytes} bytes`,
      `flush queues: queued ${t.queued}; IOTLB flushes ring-full ${t.flushesFull}, timer ${t.flushesTimer}; ` +
        `timer expiries ${t.timerExpiries}; freed by queueing CPUs ${t.queueFreed}, by the timer ${t.timerFreed} ` +
        `(${topCpus(t.timerFreedOn)})`,
      `32-bit (SAC) attempts ${t.sacAttempts}, successes ${t.sacSuccesses}; ` +
        `devices switched to the full range ${t.sacSwitched}`,
      `loaded+prev PFNs by CPU: ${topCpus(t.cpuCachedPfns)}`,
    ].join('\n') + '\n'
  );
}
