// The text `iova-lab simulate` prints (before any sparklines): the slab view, the rcache by size
// class, then lab-wide and per-domain totals. The playground shows the same text.
import type { Snapshot } from '../snapshot.js';
import { formatDma } from './dma.js';
import { formatClassTable } from './classes.js';
import { domainTotals } from './json.js';
import { formatSlabinfo } from './slabinfo.js';
import { formatSlabtop } from './slabtop.js';

export type SlabViewFormat = 'slabtop' | 'slabinfo';

export function slabView(s: Snapshot, format: SlabViewFormat | undefined): string {
  return format === 'slabinfo' ? formatSlabinfo(s) : formatSlabtop(s);
}

/** Magazines, cached PFNs, per-domain sums and the clock, one line each; `profile` names what ran (variantTitle). */
export function formatBreakdown(s: Snapshot, profile: string): string {
  const m = s.magazines;
  const t = domainTotals(s);
  return (
    [
      `magazines: ${m.total} (loaded ${m.loaded}, prev ${m.prev}, depot ${m.depot}) in ${s.magazineCache}, ` +
        `${BigInt(m.total) * BigInt(s.magazineObjSize)} bytes`,
      `cached PFNs: ${m.loadedPfns + m.prevPfns + m.depotPfns} ` +
        `(loaded ${m.loadedPfns}, prev ${m.prevPfns}, depot ${m.depotPfns})`,
      `domains: ${t.domains}; live IOVAs ${t.liveIovas}, cached PFNs ${t.cachedPfns}, magazines ${t.magazines}, ` +
        `depot magazines ${t.depotMags}, rcache hits ${t.hits}, misses ${t.misses}`,
      `clock: ${s.nowMs} ms; CPUs ${s.onlineCpus} online of ${s.possibleCpus} possible; ` +
        `magazines ${s.magazineMode}; profile ${profile}`,
    ].join('\n') +
    '\n' +
    formatDma(s)
  );
}

export function formatSimulateReport(s: Snapshot, profile: string, format: SlabViewFormat | undefined): string {
  return slabView(s, format) + '\n' + formatClassTable(s) + '\n' + formatBreakdown(s, profile);
}
