// A small lab for DMA-layer tests: rcache domains (v6.8 policy) on one virtual clock, each with
// its DMA cookie, built from the model's parts without the engine facade; and a DmaTarget over it
// for the workloads.
import { KERNEL_PROFILES } from '../../src/policy.js';
import { VirtualClock } from '../../src/model/clock.js';
import { IommuDmaCookie, type DmaDevice, type DmaDomainType, type DmaFacets } from '../../src/model/dma.js';
import { newClassStats, RcacheDomain } from '../../src/model/rcache.js';
import { SlabCache } from '../../src/model/slab.js';
import { IovaTree } from '../../src/model/tree.js';
import type { DmaTarget } from '../../src/workloads/dma-target.js';

export const PAGE = 4096n;

export interface DomainOptions {
  type: DmaDomainType;
  startPfn?: bigint;
  facets?: DmaFacets;
  hz?: number;
}

export class DmaLab {
  readonly clock = new VirtualClock();
  readonly online: boolean[];
  readonly domains: RcacheDomain[] = [];
  readonly cookies: IommuDmaCookie[] = [];
  private readonly iovaCache: SlabCache;
  private readonly magCache: SlabCache;
  private readonly labStats = Array.from({ length: 6 }, newClassStats);

  constructor(readonly cpus: number) {
    this.online = new Array<boolean>(cpus).fill(true);
    this.iovaCache = new SlabCache('iommu_iova', 'slub', cpus);
    this.magCache = new SlabCache('iommu_iova_magazine', 'slub', cpus);
  }

  onlineCpuList(): number[] {
    return this.online.flatMap((on, i) => (on ? [i] : []));
  }

  addDomain(options: DomainOptions): IommuDmaCookie {
    const { clock } = this;
    const tree = new IovaTree(12, options.startPfn ?? 1n, this.iovaCache, () => false);
    const domain = RcacheDomain.create(this.domains.length, tree, {
      policy: KERNEL_PROFILES['v6.8'].policy,
      magCache: this.magCache,
      arrayCache: null,
      failMagazine: () => false,
      clock,
      onlineCpuList: () => this.onlineCpuList(),
      depotTrimThreshold: () => this.onlineCpuList().length,
      labStats: this.labStats,
      labDepotMags: (k) => this.domains.reduce((n, d) => n + d.rcaches[k].depot.length, 0),
    }, this.cpus)!;
    const cookie = new IommuDmaCookie(domain, options.type, { clock, onlineCpuList: () => this.onlineCpuList() },
      this.cpus, { facets: options.facets, hz: options.hz });
    this.domains.push(domain);
    this.cookies.push(cookie);
    return cookie;
  }

  /** Full magazines in every depot, all classes. */
  depotMags(): number {
    return this.domains.reduce((n, d) => n + d.rcaches.reduce((m, rc) => m + rc.depot.length, 0), 0);
  }

  /** The workloads' view of this lab. */
  target(): DmaTarget {
    const devices: DmaDevice[] = [];
    return {
      onlineCpus: this.onlineCpuList().length,
      createDmaDomain: (type) => this.addDomain({ type }).domain.id,
      attachDevice: (dom, options) => devices.push(this.cookies[dom].attachDevice(options)) - 1,
      map: (dev, cpu, bytes) => devices[dev].map(cpu, bytes),
      mapSg: (dev, cpu, segs) => devices[dev].mapSg(cpu, segs),
      unmap: (dev, cpu, addr, bytes) => devices[dev].unmap(cpu, addr, bytes),
      advanceClock: (ms) => this.clock.advance(ms),
    };
  }
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

/** One domain on a lab of `cpus` CPUs (default 4). */
export function dmaFixture(options: DomainOptions & { cpus?: number }): DmaFixture {
  const lab = new DmaLab(options.cpus ?? 4);
  const cookie = lab.addDomain(options);
  const { domain } = cookie;
  const cpu = (k: number, c: number) => domain.rcaches[k].cpus[c];
  return {
    clock: lab.clock, online: lab.online, domain, cookie,
    loaded: (k, c) => cpu(k, c).loaded?.pfns.length ?? 0,
    prev: (k, c) => cpu(k, c).prev?.pfns.length ?? 0,
    depot: (k) => domain.rcaches[k].depot.length,
    queued: (c) => cookie.fq!.ringOf(c).count,
    isCached: (pfn) => domain.tree.findExact(pfn)!.cached,
  };
}
