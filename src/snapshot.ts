// Counter snapshot: what slabtop, /proc/slabinfo and the rcache would show. Plain numbers
// (all counts stay far below 2^53); both engines must produce deep-equal snapshots.
import type { MagazineMode } from './engine.js';

export const CACHE_NAMES = [
  'iommu_iova', 'iommu_iova_magazine',
  'kmalloc-8', 'kmalloc-16', 'kmalloc-32', 'kmalloc-64', 'kmalloc-96', 'kmalloc-128',
  'kmalloc-192', 'kmalloc-256', 'kmalloc-512', 'kmalloc-1k', 'kmalloc-2k', 'kmalloc-4k', 'kmalloc-8k',
] as const;
export type CacheName = (typeof CACHE_NAMES)[number];
export const CACHE_FIELDS = ['objSize', 'objPerSlab', 'pagesPerSlab', 'activeObjs', 'numObjs', 'numSlabs', 'allocs', 'frees'] as const;
export const MAGAZINE_FIELDS = ['loaded', 'prev', 'depot', 'total', 'loadedPfns', 'prevPfns', 'depotPfns'] as const;
export const CLASS_FIELDS = ['hits', 'misses', 'depotPushes', 'depotPops', 'depotTrims', 'depotMags', 'depotHighWater',
  'depotOverflows', 'loaded', 'prev', 'loadedPfns', 'prevPfns', 'depotPfns'] as const;
export const DOMAIN_FIELDS = ['id', 'liveIovas', 'cachedPfns', 'magazines', 'depotMags', 'hits', 'misses',
  'depotPushes', 'depotPops', 'depotTrims', 'flushRetries', 'slowAllocFailures'] as const;
export const RCACHE_CLASSES = 6;

export type CacheCounters = { name: CacheName } & Record<(typeof CACHE_FIELDS)[number], number>;
export type MagazineCounters = Record<(typeof MAGAZINE_FIELDS)[number], number>;
export type ClassCounters = Record<(typeof CLASS_FIELDS)[number], number>;
export type DomainCounters = Record<(typeof DOMAIN_FIELDS)[number], number>;

export interface Snapshot {
  nowMs: number;
  possibleCpus: number;
  onlineCpus: number;
  magazineMode: MagazineMode;
  /** Bytes of one magazine object in the cache that holds them (1024 for 127-PFN magazines). */
  magazineObjSize: number;
  /** The cache the magazines are allocated from: iommu_iova_magazine, or a kmalloc-N cache. */
  magazineCache: CacheName;
  /** Every cache in CACHE_NAMES order; in unnamed mode `iommu_iova_magazine` is left out. */
  caches: CacheCounters[];
  magazines: MagazineCounters;
  classes: ClassCounters[];
  domains: DomainCounters[];
}

/** Decode the flat uint64 layout of docs/design.md (written by the C engine). */
export function decodeSnapshot(words: ArrayLike<bigint>): Snapshot {
  let at = 0;
  const next = (): number => Number(words[at++]);
  const record = <F extends readonly string[]>(fields: F): Record<F[number], number> => {
    const out = {} as Record<F[number], number>;
    for (const f of fields) out[f as F[number]] = next();
    return out;
  };
  const nowMs = next();
  const possibleCpus = next();
  const onlineCpus = next();
  const magazineMode: MagazineMode = next() === 0 ? 'named' : 'unnamed';
  const liveDomains = next();
  const magazineObjSize = next();
  const magazineCache = CACHE_NAMES[next()]!;
  const caches: CacheCounters[] = [];
  for (const name of CACHE_NAMES) {
    const c = { name, ...record(CACHE_FIELDS) };
    if (!(magazineMode === 'unnamed' && name === 'iommu_iova_magazine')) caches.push(c);
  }
  const magazines = record(MAGAZINE_FIELDS);
  const classes = Array.from({ length: RCACHE_CLASSES }, () => record(CLASS_FIELDS));
  const domains = Array.from({ length: liveDomains }, () => record(DOMAIN_FIELDS));
  return { nowMs, possibleCpus, onlineCpus, magazineMode, magazineObjSize, magazineCache, caches, magazines, classes, domains };
}

export function cacheByName(s: Snapshot, name: CacheName): CacheCounters | undefined {
  return s.caches.find((c) => c.name === name);
}
