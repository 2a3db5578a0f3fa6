// Where a kernel profile keeps the rcache's slab objects: the magazines' cache and object size,
// PFNs per magazine, the cache of the per-domain rcache array, and the depot's bound.
import type { MagazineMode } from '../engine.js';
import { kmallocCacheFor, namedMagazineObjSize, objSizeOf } from '../model/slab.js';
import { magazineBytes, profileByName, type ProfileName } from '../policy.js';
import { RCACHE_CLASSES } from '../snapshot.js';
/** loaded + prev for each of the 6 classes: 12 magazines per possible CPU per domain. */
export const EAGER_MAGAZINES_PER_CPU = RCACHE_CLASSES * 2;

export interface RcacheLayout {
  profile: ProfileName;
  magazines: MagazineMode;
  magazineCache: string;
  magazineObjSize: number;
  /** PFNs a full magazine holds (a depot magazine is always full). */
  magazineSize: number;
  /** kmalloc cache of the per-domain rcache array; undefined when the array is embedded. */
  arrayCache?: string;
  /** 0: unbounded depot trimmed to the online CPUs; N: fixed array of N per class. */
  depotCap: number;
}

export function rcacheLayout(profile: ProfileName, magazines?: MagazineMode): RcacheLayout {
  const p = profileByName(profile);
  const mode = magazines ?? p.magazines;
  const bytes = magazineBytes(p.policy);
  const magazineCache = mode === 'named' ? 'iommu_iova_magazine' : kmallocCacheFor(bytes);
  return {
    profile,
    magazines: mode,
    magazineCache,
    magazineObjSize: mode === 'named' ? namedMagazineObjSize(bytes) : objSizeOf(magazineCache),
    magazineSize: p.policy.magazineSize,
    arrayCache: p.policy.rcacheArrayBytes > 0 ? kmallocCacheFor(p.policy.rcacheArrayBytes) : undefined,
    depotCap: p.policy.depotCap,
  };
}

/** Objects one domain puts into the magazine cache at init: its eager magazines, plus its rcache
 * array when both share a kmalloc cache. */
export function objectsPerDomain(l: RcacheLayout, possibleCpus: number): number {
  return EAGER_MAGAZINES_PER_CPU * possibleCpus + (l.arrayCache === l.magazineCache ? 1 : 0);
}
