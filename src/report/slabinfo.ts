// /proc/slabinfo version 2.1 lines of a snapshot's caches.
import type { CacheCounters, Snapshot } from '../snapshot.js';
import { reportedCaches } from './caches.js';

export const SLABINFO_HEADER = [
  'slabinfo - version: 2.1',
  '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab>'
    + ' : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>',
].join('\n');

export function slabinfoLine(c: CacheCounters): string {
  const objects = `${String(c.activeObjs).padStart(6)} ${String(c.numObjs).padStart(6)} ${String(c.objSize).padStart(6)}`;
  return `${c.name.padEnd(17)} ${objects} `
    + `${String(c.objPerSlab).padStart(4)} ${String(c.pagesPerSlab).padStart(4)} : tunables    0    0    0 : slabdata `
    + `${String(c.numSlabs).padStart(6)} ${String(c.numSlabs).padStart(6)}      0`;
}

export function formatSlabinfo(s: Snapshot): string {
  return [SLABINFO_HEADER, ...reportedCaches(s).map(slabinfoLine)].join('\n') + '\n';
}
