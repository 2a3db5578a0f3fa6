// Slab caches with slabtop/slabinfo counters (docs/design.md "Slab fill" and "Geometry").
// Each cache keeps a LIFO partial list of slabs that are neither full nor empty.
import type { SlabGeometry } from '../engine.js';
import { CACHE_LINE_SIZE, IOMMU_IOVA_OBJ_SIZE, IOVA_MAGAZINE_OBJ_SIZE, PAGE_SIZE, SLAB_MAX_ORDER } from '../kernel.js';
import { CACHE_NAMES, type CacheName } from '../snapshot.js';

/** One slab: only its in-use count matters; identity is never observable. */
export interface Slab {
  inuse: number;
}

/** fls: 1-based index of the highest set bit; fls(0) = 0. */
export function fls(x: number): number {
  let n = 0;
  while (x > 0) {
    n++;
    x = Math.floor(x / 2);
  }
  return n;
}

/** Object size of a kmalloc-N cache or iommu_iova; the named magazine cache's depends on the policy. */
export function objSizeOf(name: CacheName): number {
  if (name === 'iommu_iova') return IOMMU_IOVA_OBJ_SIZE;
  if (name === 'iommu_iova_magazine') return IOVA_MAGAZINE_OBJ_SIZE;
  const s = name.slice('kmalloc-'.length);
  return s.endsWith('k') ? Number(s.slice(0, -1)) * 1024 : Number(s);
}

const KMALLOC_NAMES = CACHE_NAMES.filter((n) => n.startsWith('kmalloc-'));

/** kmalloc_index: the kmalloc-N cache that kmalloc(bytes) lands in (bytes 1..8192). */
export function kmallocCacheFor(bytes: number): CacheName {
  return KMALLOC_NAMES.find((n) => objSizeOf(n) >= bytes) ?? 'kmalloc-8k';
}

/** iommu_iova_magazine is created with SLAB_HWCACHE_ALIGN: objects round up to whole cache lines. */
export function namedMagazineObjSize(magazineBytes: number): number {
  return Math.ceil(magazineBytes / CACHE_LINE_SIZE) * CACHE_LINE_SIZE;
}

/** calculate_order: SLUB's pages-per-slab order (order0: the smallest order that fits one object). */
export function slabOrder(objSize: number, geometry: SlabGeometry, possibleCpus: number): number {
  if (geometry === 'order0') {
    let order = 0;
    while (PAGE_SIZE << order < objSize) order++;
    return order;
  }
  const minObjects = Math.min(4 * (fls(possibleCpus) + 1), Math.floor((PAGE_SIZE << SLAB_MAX_ORDER) / objSize));
  for (let order = 0; order <= SLAB_MAX_ORDER; order++) {
    if (Math.floor((PAGE_SIZE << order) / objSize) >= minObjects) return order;
  }
  return SLAB_MAX_ORDER;
}

export class SlabCache {
  readonly objSize: number;
  readonly objPerSlab: number;
  readonly pagesPerSlab: number;
  activeObjs = 0;
  numSlabs = 0;
  allocs = 0;
  frees = 0;
  /** LIFO: the head is the last element. */
  private readonly partial: Slab[] = [];

  constructor(
    readonly name: CacheName,
    geometry: SlabGeometry,
    possibleCpus: number,
    objSize = objSizeOf(name),
  ) {
    this.objSize = objSize;
    const order = slabOrder(this.objSize, geometry, possibleCpus);
    this.pagesPerSlab = 1 << order;
    this.objPerSlab = Math.floor((PAGE_SIZE << order) / this.objSize);
  }

  get numObjs(): number {
    return this.numSlabs * this.objPerSlab;
  }

  /** kmem_cache_alloc: take an object from the partial list's head slab, or a new slab. */
  alloc(): Slab {
    let slab: Slab;
    if (this.partial.length > 0) {
      slab = this.partial[this.partial.length - 1];
      slab.inuse++;
      if (slab.inuse === this.objPerSlab) this.partial.pop();
    } else {
      slab = { inuse: 1 };
      this.numSlabs++;
      if (slab.inuse < this.objPerSlab) this.partial.push(slab);
    }
    this.activeObjs++;
    this.allocs++;
    return slab;
  }

  /** kmem_cache_free: a full slab rejoins the partial list; an empty one is discarded. */
  free(slab: Slab): void {
    if (slab.inuse === this.objPerSlab) this.partial.push(slab);
    slab.inuse--;
    if (slab.inuse === 0) {
      const i = this.partial.lastIndexOf(slab);
      if (i >= 0) this.partial.splice(i, 1);
      this.numSlabs--;
    }
    this.activeObjs--;
    this.frees++;
  }
}

/** All 15 caches of the lab, by name. */
export class SlabSet {
  readonly caches: Map<CacheName, SlabCache> = new Map();

  constructor(geometry: SlabGeometry, possibleCpus: number, magazineObjSize: number) {
    for (const name of CACHE_NAMES) {
      const size = name === 'iommu_iova_magazine' ? magazineObjSize : objSizeOf(name);
      this.caches.set(name, new SlabCache(name, geometry, possibleCpus, size));
    }
  }

  get(name: CacheName): SlabCache {
    return this.caches.get(name)!;
  }
}
