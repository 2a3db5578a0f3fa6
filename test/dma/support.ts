// A small lab for DMA-layer unit tests: one rcache domain (v6.8 policy) on a virtual clock with
// its DMA cookie, built from the model's parts without the engine facade.
import { KERNEL_PROFILES } from '../../src/policy.js';
import { VirtualClock } from '../../src/model/clock.js';
import { IommuDmaCookie, type DmaDomainType, type DmaFacets } from '../../src/model/dma.js';
import { newClassStats, RcacheDomain } from '../../src/model/rcache.js';
import { SlabCache } from '../../src/model/slab.js';
import { IovaTree } from '../../src/model/tree.js';

export const PAGE = 4096n;

export interface DmaFixtureOptions {
  type: DmaDomainType;
  cpus?: number;
  startPfn?: bigint;
  facets?: DmaFacets;
  hz?: number;
}

export interface DmaFixture {
  clock: VirtualClock;
  online: boolean[];
  domain: RcacheDomain;
  cookie: IommuDmaCookie;
  /** PFNs in a CPU's loaded / prev magazine of class k. */
  loaded: (k: number, cpu: number) => number;
  prev: (k: number, cpu: number) => number;
  depot: (k: number) => number;
  /** Entries queued in a CPU's ring (or the shared ring). */
  queued: (cpu: number) => number;
  isCached: (pfn: bigint) => boolean;
}

export function dmaFixture(options: DmaFixtureOptions): DmaFixture {
  const cpus = options.cpus ?? 4;
  const clock = new VirtualClock();
  const online = new Array<boolean>(cpus).fill(true);
  const onlineCpuList = (): number[] => online.flatMap((on, i) => (on ? [i] : []));
  const tree = new IovaTree(12, options.startPfn ?? 1n, new SlabCache('iommu_iova', 'slub', cpus), () => false);
  const labStats = Array.from({ length: 6 }, newClassStats);
  const domain: RcacheDomain = RcacheDomain.create(0, tree, {
    policy: KERNEL_PROFILES['v6.8'].policy,
    magCache: new SlabCache('iommu_iova_magazine', 'slub', cpus),
    arrayCache: null,
    failMagazine: () => false,
    clock,
    onlineCpuList,
    depotTrimThreshold: () => onlineCpuList().length,
    labStats,
    labDepotMags: (k) => domain.rcaches[k].depot.length,
  }, cpus)!;
  const cookie = new IommuDmaCookie(domain, options.type, { clock, onlineCpuList }, cpus, {
    facets: options.facets, hz: options.hz,
  });
  const cpu = (k: number, c: number) => domain.rcaches[k].cpus[c];
  return {
    clock, online, domain, cookie,
    loaded: (k, c) => cpu(k, c).loaded?.pfns.length ?? 0,
    prev: (k, c) => cpu(k, c).prev?.pfns.length ?? 0,
    depot: (k) => domain.rcaches[k].depot.length,
    queued: (c) => cookie.fq!.ringOf(c).count,
    isCached: (pfn) => domain.tree.findExact(pfn)!.cached,
  };
}
