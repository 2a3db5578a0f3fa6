// Kernel constants: the sizes and counts that the IOVA allocator, its rcache and the slab
// allocator fix. The TS model, the profiles, the reports and `explain` all read them from here,
// so each number has exactly one definition on the TypeScript side.

/** PAGE_SIZE: bytes in one page; a slab is 2^order pages. */
export const PAGE_SIZE = 4096;

/** The largest granule a domain may have: one page. */
export const MAX_GRANULE = PAGE_SIZE;

/** Most possible CPUs a lab accepts (the lab's NR_CPUS). */
export const MAX_POSSIBLE_CPUS = 4096;

/** Bytes in a word of the 64-bit kernel (unsigned long, a PFN, a pointer). */
export const WORD_BYTES = 8;

/** Cache-line size: SLAB_HWCACHE_ALIGN rounds a named cache's objects up to a multiple of it. */
export const CACHE_LINE_BYTES = 64;

/** sizeof(struct iova) as slabinfo shows it in the iommu_iova cache. */
export const IOMMU_IOVA_OBJ_SIZE = 64;

/** IOVA_RANGE_CACHE_MAX_SIZE: rcache size classes; class k caches IOVAs of up to 2^k pages. */
export const IOVA_RANGE_CACHE_MAX_SIZE = 6;

/** Largest IOVA size (pages) the rcache caches: 2^(IOVA_RANGE_CACHE_MAX_SIZE - 1). */
export const IOVA_RCACHE_MAX_PAGES = 1 << (IOVA_RANGE_CACHE_MAX_SIZE - 1);

/** IOVA_MAG_SIZE since v6.0: 127 PFNs plus the size word make a 1024-byte magazine. */
export const IOVA_MAG_SIZE = 127;

/** IOVA_MAG_SIZE before v6.0: 128 PFNs, so a magazine spilled into kmalloc-2k. */
export const IOVA_MAG_SIZE_BEFORE_V6_0 = 128;

/** MAX_GLOBAL_MAGS: the fixed depot array of one size class before v6.7. */
export const MAX_GLOBAL_MAGS = 32;

/** Each CPU holds two magazines per size class: loaded and prev. */
export const MAGAZINES_PER_CPU_PER_CLASS = 2;

/** sizeof(struct iova_magazine) for a magazine of `pfns` PFNs: the size word and the PFN array. */
export function iovaMagazineBytes(pfns: number): number {
  return WORD_BYTES + WORD_BYTES * pfns;
}

/** The 1024-byte magazine of IOVA_MAG_SIZE PFNs (the named cache's object since v6.8). */
export const IOVA_MAGAZINE_BYTES = iovaMagazineBytes(IOVA_MAG_SIZE);

/** Period of the depot trim work (iova_depot_work_func) since v6.7, in ms. */
export const IOVA_DEPOT_DELAY_MS = 100;

/** sizeof(struct iova_rcache) since v6.7 (lock, depot size and list head, cpu_rcaches, trim work). */
export const IOVA_RCACHE_BYTES = 120;

/** sizeof(struct iova_rcache) in v6.0..v6.6, with its MAX_GLOBAL_MAGS-entry depot array inline. */
export const IOVA_RCACHE_BYTES_V6_0 = 280;
