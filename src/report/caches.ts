// Which caches a report shows: every cache holding objects, plus the ones the IOVA allocator
// always owns (iommu_iova, iommu_iova_magazine in named mode, kmalloc-1k, and the cache the
// snapshot's magazines come from, e.g. kmalloc-2k for 128-PFN magazines).
import { PAGE_SIZE } from '../kernel.js';
import type { CacheCounters, Snapshot } from '../snapshot.js';

const ALWAYS = new Set<string>(['iommu_iova', 'iommu_iova_magazine', 'kmalloc-1k']);

export function reportedCaches(s: Snapshot): CacheCounters[] {
  return s.caches.filter(
    (c) =>
      c.numObjs > 0 ||
      c.activeObjs > 0 ||
      c.name === s.magazineCache ||
      (ALWAYS.has(c.name) && !(c.name === 'iommu_iova_magazine' && s.magazineMode === 'unnamed')),
  );
}

/** SLABS × pages per slab × 4 KiB, in bytes (bigint: exact). */
export function cacheSizeBytes(c: CacheCounters): bigint {
  return BigInt(c.numSlabs) * BigInt(c.pagesPerSlab) * BigInt(PAGE_SIZE);
}

/** floor(ACTIVE / OBJS × 100); 0 for an empty cache. */
export function usePercent(c: Pick<CacheCounters, 'activeObjs' | 'numObjs'>): number {
  return c.numObjs === 0 ? 0 : Math.floor((c.activeObjs * 100) / c.numObjs);
}
