// /proc/slabinfo version 2.1 lines of a snapshot's caches.
import type { CacheCounters, Snapshot } from '../snapshot.js';
import { reportedCaches } from './caches.js';

export const SLABINFO_HEADER = [
  'slabinfo - version: 2.1',
  '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>' +
    ' : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
].join('\n');

export function slabinfoLine(c: CacheCounters): string {
  const col = (n: number, width: number): string => String(n).padStart(width);
  return (
    `${c.name.padEnd(17)} ${col(c.activeObjs, 6)} ${col(c.numObjs, 6)} ${col(c.objSize, 6)} ` +
    `${col(c.objPerSlab, 4)} ${col(c.pagesPerSlab, 4)} : tunables    0    0    0 : slabdata ` +
    `${col(c.numSlabs, 6)} ${col(c.numSlabs, 6)}      0`
  );
}

export function formatSlabinfo(s: Snapshot): string {
  return [SLABINFO_HEADER, ...reportedCaches(s).map(slabinfoLine)].join('\n') + '\n';
}
