// Kernel constants: the sizes and counts that the IOVA allocator, its rcache and the slab
// allocator fix. The TS model, the profiles, the reports and `explain` all read them from here.
// Those the C model needs too are declared once in the ABI description (abi/iova-abi.json, generated
// into src/generated/abi.ts) and re-exported; the rest exist only on the TypeScript side.
import { IOVA_MAGAZINE_HEADER_BYTES, PAGE_SIZE } from './generated/abi.js';

export {
  CACHE_LINE_SIZE,
  DYNAMIC_CONTENTION,
  DYNAMIC_WINDOW_MS,
  IOMMU_IOVA_OBJ_SIZE,
  IOVA_MAG_SIZE,
  IOVA_MAG_SIZE_MAX,
  IOVA_MAG_SIZE_V4_7,
  IOVA_MAGAZINE_HEADER_BYTES,
  IOVA_MAGAZINE_OBJ_SIZE,
  IOVA_RANGE_CACHE_MAX_SIZE,
  MAX_POSSIBLE_CPUS,
  MAX_RCACHE_ARRAY_BYTES,
  PAGE_SIZE,
  SLAB_MAX_ORDER,
} from './generated/abi.js';

/** The largest granule a domain may have: one page. */
export const MAX_GRANULE = PAGE_SIZE;

/** Bytes of one PFN in a magazine (an unsigned long on 64-bit kernels). */
export const PFN_BYTES = 8;

/** MAX_GLOBAL_MAGS: the fixed depot array of one size class before v6.7. */
export const MAX_GLOBAL_MAGS = 32;

/** Each CPU holds two magazines per size class: loaded and prev. */
export const MAGAZINES_PER_CPU_PER_CLASS = 2;

/** sizeof(struct iova_magazine) for a magazine of `pfns` PFNs: the size word and the PFN array. */
export function iovaMagazineBytes(pfns: number): number {
  return IOVA_MAGAZINE_HEADER_BYTES + PFN_BYTES * pfns;
}

/** Period of the depot trim work (iova_depot_work_func) since v6.7, in ms. */
export const IOVA_DEPOT_DELAY_MS = 100;

/** sizeof(struct iova_rcache) since v6.7 (lock, depot size and list head, cpu_rcaches, trim work). */
export const IOVA_RCACHE_BYTES = 120;

/** sizeof(struct iova_rcache) in v6.0..v6.6, with its MAX_GLOBAL_MAGS-entry depot array inline. */
export const IOVA_RCACHE_BYTES_V6_0 = 280;
