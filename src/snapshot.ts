// Counter snapshot: what slabtop, /proc/slabinfo and the rcache would show. Plain numbers
// (all counts stay far below 2^53); both engines must produce deep-equal snapshots.
import type { ClassCounters, DomainCounters, MagazineCounters, SlabCounters } from './counters.js';
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

/** One slab cache by name. */
export type CacheCounters = { name: CacheName } & SlabCounters;
export type { ClassCounters, DomainCounters, MagazineCounters, SlabCounters };

// The field lists name exactly the documented counters (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type FieldListsMatchCounters = [
  Holds<Same<(typeof CACHE_FIELDS)[number], keyof SlabCounters>>,
  Holds<Same<(typeof MAGAZINE_FIELDS)[number], keyof MagazineCounters>>,
  Holds<Same<(typeof CLASS_FIELDS)[number], keyof ClassCounters>>,
  Holds<Same<(typeof DOMAIN_FIELDS)[number], keyof DomainCounters>>,
];

/** Every counter of a lab at one moment, as {@link IovaLab.snapshot} returns it. */
export interface Snapshot {
  /** Virtual time in ms. @example `100` */
  nowMs: number;
  /** Possible CPUs. @example `128` */
  possibleCpus: number;
  /** Online CPUs. @example `128` */
  onlineCpus: number;
  /** Where magazines are allocated. @example `'named'` */
  magazineMode: MagazineMode;
  /** Bytes of one magazine object in the cache that holds them (127-PFN magazines). @example `1024` */
  magazineObjSize: number;
  /**
   * The cache the magazines are allocated from: iommu_iova_magazine, or a kmalloc-N cache.
   * @example `'iommu_iova_magazine'`
   */
  magazineCache: CacheName;
  /**
   * Every cache in CACHE_NAMES order; in unnamed mode `iommu_iova_magazine` is left out.
   * @example `s.caches[0].name`
   */
  caches: CacheCounters[];
  /** Magazines of every domain. @example `s.magazines.total` */
  magazines: MagazineCounters;
  /** One record per size class k = 0..5. @example `s.classes[0].hits` */
  classes: ClassCounters[];
  /** One record per live domain, by id. @example `s.domains[0].liveIovas` */
  domains: DomainCounters[];
}

/** @internal Decode the flat uint64 layout of docs/design.md (written by the C engine). */
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

/**
 * One cache of a snapshot by name, or undefined when the snapshot has no such cache.
 * @example `cacheByName(lab.snapshot(), 'iommu_iova_magazine')?.activeObjs`
 */
export function cacheByName(s: Snapshot, name: CacheName): CacheCounters | undefined {
  return s.caches.find((c) => c.name === name);
}
