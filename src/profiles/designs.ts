// What a kernel version's IOVA allocator is: each behaviour ("facet") switched on at the release
// that merged it, and the four rcache designs the profiles are named after. resolveKernel() turns
// any version from v4.7 on into the policy both engines run plus the DMA-layer facets.
import type { MagazineMode } from '../engine.js';
import {
  IOVA_DEPOT_DELAY_MS,
  IOVA_MAG_SIZE,
  IOVA_MAG_SIZE_V4_7,
  IOVA_RANGE_CACHE_MAX_SIZE,
  IOVA_RCACHE_BYTES,
  IOVA_RCACHE_BYTES_V6_0,
  MAX_GLOBAL_MAGS,
} from '../kernel.js';
import type { RcachePolicy } from '../policy.js';
import { compareReleases, parseKernelVersion, release, versionName, type KernelVersion } from './versions.js';

/** How sure the release of a facet is: stated in docs/kernel-behaviour.md ('spec'), marked "verify"
 * there, or recalled only. */
export type Evidence = 'spec' | 'verify' | 'recalled';

/**
 * When a facet arrived, what change brought it, and how sure that is.
 * @example `FACET_RELEASES.sacLatch.since // 'v6.6'`
 */
export interface FacetRelease {
  /** The first release with the facet. @example `'v6.6'` */
  since: string;
  /**
   * The kernel change, by its subject line or what it did.
   * @example `'iommu.forcedac=1 skips the 32-bit (SAC) attempt'`
   */
  change: string;
  /** How sure the release is: 'spec', 'verify' or 'recalled'. @example `'spec'` */
  evidence: Evidence;
}

/**
 * Every facet whose arrival depends on the release; the release each one was merged in.
 * @example `FACET_RELEASES.depotList.since // 'v6.7'`
 */
export const FACET_RELEASES = {
  anchorWalk: { since: 'v4.15', change: 'anchor node, cached_node and cached32_node walk', evidence: 'spec' },
  flushRcacheArg: { since: 'v4.15', change: 'alloc_iova_fast() takes flush_rcache', evidence: 'recalled' },
  magazineScan: {
    since: 'v4.19',
    change: 'iommu/iova: Try harder to allocate from rcache magazine',
    evidence: 'verify',
  },
  max32AllocSize: {
    since: 'v5.1',
    change: 'iommu/iova: Optimise attempts to allocate iova from 32bit address range',
    evidence: 'verify',
  },
  retry: { since: 'v5.11', change: 'iommu/iova: Retry from last rb tree node if iova search fails', evidence: 'spec' },
  depotFlushOnFailure: {
    since: 'v5.11',
    change: 'iommu/iova: Free global iova rcache on iova alloc failure',
    evidence: 'verify',
  },
  forcedac: { since: 'v5.13', change: 'iommu.forcedac=1 skips the 32-bit (SAC) attempt', evidence: 'verify' },
  roundInFastAlloc: { since: 'v5.17', change: 'size round-up moved into alloc_iova_fast()', evidence: 'spec' },
  rcacheArray: {
    since: 'v5.18',
    change: 'rcaches in their own kcalloc array (iova_domain_init_rcaches)',
    evidence: 'recalled',
  },
  magazine127: { since: 'v6.0', change: 'IOVA_MAG_SIZE 127: a magazine fits kmalloc-1k', evidence: 'spec' },
  retryOverflowFixed: { since: 'v6.2', change: 'iommu/iova: Fix alloc iova overflows issue', evidence: 'verify' },
  sacLatch: { since: 'v6.6', change: 'dma-iommu remembers a failed SAC attempt per device', evidence: 'spec' },
  depotList: { since: 'v6.7', change: 'depot as a list of magazines trimmed by delayed work', evidence: 'spec' },
  singleFlushQueue: { since: 'v6.7', change: 'one flush queue per domain when strict mode is off', evidence: 'spec' },
  namedCache: { since: 'v6.9', change: 'magazines in the named iommu_iova_magazine cache', evidence: 'spec' },
} as const satisfies Record<string, FacetRelease>;

export type FacetName = keyof typeof FACET_RELEASES;

/**
 * The rcache designs the profiles are named after, oldest first.
 * @example `DESIGN_NAMES[DESIGN_NAMES.length - 1] // 'v6.9'`
 */
export const DESIGN_NAMES = ['v4.7', 'v6.0', 'v6.7', 'v6.9'] as const;
/**
 * One of {@link DESIGN_NAMES}.
 * @example `const d: DesignName = 'v6.7';`
 */
export type DesignName = (typeof DESIGN_NAMES)[number];

export const DESIGN_SUMMARIES: Readonly<Record<DesignName, string>> = {
  'v4.7': 'first rcache: 128-PFN magazines (kmalloc-2k), fixed depot of 32 per class, no trimming',
  'v6.0': 'IOVA_MAG_SIZE 127 so a magazine fits kmalloc-1k; still the fixed depot',
  'v6.7': 'depot as an unbounded list trimmed every 100 ms down to num_online_cpus(); magazines in kmalloc-1k',
  'v6.9': 'as v6.7, magazines in the named iommu_iova_magazine slab cache',
};

/**
 * Facets of the DMA layer above the allocator, for the code that models dma-iommu.
 * @example `resolveKernel('6.6').dma.sacLatch // true`
 */
export interface DmaFacets {
  /** The iommu.forcedac boot option exists. @example `true` */
  forcedacOption: boolean;
  /** A failed 32-bit (SAC) attempt is remembered and later allocations go straight to 64 bits. @example `true` */
  sacLatch: boolean;
  /** One flush queue per domain instead of one per CPU. @example `true` */
  singleFlushQueue: boolean;
  /** The DMA layer rounds the size to a power of two before alloc_iova_fast(). @example `false` */
  roundInCaller: boolean;
}

/**
 * Everything a kernel version resolves to.
 * @example `resolveKernel('5.15').design // 'v4.7'`
 */
export interface KernelProfile {
  /** Canonical version name: "v5.15". @example `'v5.15'` */
  name: string;
  /** The parsed version (major, minor, patch). @example `{ major: 5, minor: 15, patch: null }` */
  version: KernelVersion;
  /** The rcache design of the release (the newest design at or below it). @example `'v4.7'` */
  design: DesignName;
  /** One line on the design. @example `resolveKernel('6.9').summary` */
  summary: string;
  /** Where the release's magazines live. @example `'unnamed'` */
  magazines: MagazineMode;
  /** The rcache policy the release runs. @example `p.policy.magazineSize` */
  policy: Readonly<RcachePolicy>;
  /** The release's DMA layer facets. @example `p.dma.sacLatch` */
  dma: Readonly<DmaFacets>;
}

/** The design a release belongs to. */
export function designOf(v: KernelVersion): DesignName {
  return DESIGN_NAMES.filter((d) => compareReleases(v, release(d)) >= 0).at(-1)!;
}

/** Whether release v has the facet. */
export function hasFacet(v: KernelVersion, facet: FacetName): boolean {
  return compareReleases(v, release(FACET_RELEASES[facet].since)) >= 0;
}

/** kcalloc of IOVA_RANGE_CACHE_MAX_SIZE iova_rcache structs: with the 32-slot depot array, then as a list. */
const RCACHE_ARRAY_BYTES = {
  fixedDepot: IOVA_RANGE_CACHE_MAX_SIZE * IOVA_RCACHE_BYTES_V6_0,
  depotList: IOVA_RANGE_CACHE_MAX_SIZE * IOVA_RCACHE_BYTES,
};

/** The policy (both engines run it) of release v. */
export function policyOfRelease(v: KernelVersion): RcachePolicy {
  const has = (f: FacetName): boolean => hasFacet(v, f);
  const list = has('depotList');
  const retryFixed = has('retryOverflowFixed') ? 'fixed' : 'overflow';
  return {
    magazineSize: has('magazine127') ? IOVA_MAG_SIZE : IOVA_MAG_SIZE_V4_7,
    depotCap: list ? 0 : MAX_GLOBAL_MAGS,
    trimDelayMs: list ? IOVA_DEPOT_DELAY_MS : 0,
    trimThreshold: 'online',
    lazy: false,
    dynamicInitial: 0,
    rcacheArrayBytes: !has('rcacheArray') ? 0 : list ? RCACHE_ARRAY_BYTES.depotList : RCACHE_ARRAY_BYTES.fixedDepot,
    treeWalk: has('anchorWalk') ? 'v4.15' : 'v4.7',
    max32AllocSize: has('max32AllocSize'),
    retry: has('retry') ? retryFixed : 'none',
    magazinePop: has('magazineScan') ? 'scan' : 'top',
    flushRcacheArg: has('flushRcacheArg'),
    flushDepotOnFailure: has('depotFlushOnFailure'),
    roundSizeInFastAlloc: has('roundInFastAlloc'),
  };
}

/**
 * What any kernel version from v4.7 on ("5.15", "v6.6", "6.12.3") resolves to.
 * @throws LabConfigError naming a text that is not such a version.
 * @example `resolveKernel('v6.6').policy.magazineSize // 127`
 */
export function resolveKernel(text: string): KernelProfile {
  const version = parseKernelVersion(text);
  const design = designOf(version);
  return {
    name: versionName(version),
    version,
    design,
    summary: DESIGN_SUMMARIES[design],
    magazines: hasFacet(version, 'namedCache') ? 'named' : 'unnamed',
    policy: Object.freeze(policyOfRelease(version)),
    dma: Object.freeze({
      forcedacOption: hasFacet(version, 'forcedac'),
      sacLatch: hasFacet(version, 'sacLatch'),
      singleFlushQueue: hasFacet(version, 'singleFlushQueue'),
      roundInCaller: !hasFacet(version, 'roundInFastAlloc'),
    }),
  };
}

/** "v6.6 (design v6.0)": how reports name a profile. */
export function profileTitle(p: Pick<KernelProfile, 'name' | 'design'>): string {
  return `${p.name} (design ${p.design})`;
}

/** "v6.0-v6.6", "v6.9 on": the releases whose rcache is design d. */
export function designReleases(d: DesignName): string {
  const next = DESIGN_NAMES[DESIGN_NAMES.indexOf(d) + 1];
  if (!next) return `${d} and later`;
  const { major, minor } = release(next);
  // The release before the next design's: x.0 follows (x-1).last, which differs per major (v5.19, v4.20, v3.19).
  const LAST_MINOR: Record<number, number> = { 4: 20, 5: 19 };
  const before = minor > 0 ? `v${major}.${minor - 1}` : `v${major - 1}.${LAST_MINOR[major - 1]}`;
  return `${d}-${before}`;
}

/** The facets that switch on inside design d's releases (so they differ between its versions). */
export function facetsWithin(d: DesignName): FacetName[] {
  const next = DESIGN_NAMES[DESIGN_NAMES.indexOf(d) + 1];
  return (Object.keys(FACET_RELEASES) as FacetName[]).filter((f) => {
    const since = release(FACET_RELEASES[f].since);
    return compareReleases(since, release(d)) > 0 && (!next || compareReleases(since, release(next)) < 0);
  });
}
