// `slabtop -o` style table of a snapshot's caches.
import type { CacheCounters, Snapshot } from '../snapshot.js';
import { cacheSizeBytes, reportedCaches, usePercent } from './caches.js';

export const SLABTOP_HEADER = '  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME';

/** Object size as slabtop prints it: KiB with two decimals and a K suffix (1024 → "1.00K"). */
export function formatObjSize(bytes: number): string {
  return `${(bytes / 1024).toFixed(2)}K`;
}

export function slabtopRow(c: CacheCounters): string {
  const kib = cacheSizeBytes(c) / 1024n;
  return [
    String(c.numObjs).padStart(6),
    String(c.activeObjs).padStart(6),
    `${usePercent(c)}%`.padStart(4),
    formatObjSize(c.objSize).padStart(8),
    String(c.numSlabs).padStart(6),
    String(c.objPerSlab).padStart(8),
    `${kib}K`.padStart(10),
    c.name,
  ].join(' ');
}

export function formatSlabtop(s: Snapshot): string {
  return [SLABTOP_HEADER, ...reportedCaches(s).map(slabtopRow)].join('\n') + '\n';
}
