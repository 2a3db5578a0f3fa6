// The TS model's DMA state beside its domains: cookies by domain id, devices by id (never reused;
// dead once their domain is put), the batch's pending scatter list, and the snapshot and checker
// views of it. The engine facade (lab.ts) validates and dispatches; this holds and reports.
import type { DeviceConfig, DmaDomainType, DmaLayerFacets } from '../engine.js';
import { Status } from '../errors.js';
import { fail } from './validate.js';
import { IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import type { DomainCounters, FlushQueueCounters } from '../snapshot.js';
import type { VirtualClock } from './clock.js';
import { IommuDmaCookie, type DmaDevice } from './dma.js';
import type { IovaDomain } from './rcache.js';

const TYPE_CODE: Record<DmaDomainType, number> = { strict: 1, lazy: 2, 'lazy-single': 3 };

export interface DmaRegistryEnv {
  clock: VirtualClock;
  onlineCpuList: () => number[];
  possibleCpus: number;
  hz: number;
  facets: DmaLayerFacets;
}

export class DmaRegistry {
  private readonly cookies = new Map<number, IommuDmaCookie>();
  private readonly devices: (DmaDevice | null)[] = [];
  /** SG_SEGMENTS ops append here; MAP_SG maps and empties it. */
  private pendingSg: bigint[] = [];

  constructor(private readonly env: DmaRegistryEnv) {}

  get facets(): DmaLayerFacets {
    return this.env.facets;
  }

  cookie(domain: number): IommuDmaCookie | undefined {
    return this.cookies.get(domain);
  }

  /** The cookie of a domain just created (its checks passed before the domain existed). */
  addCookie(domain: IovaDomain, type: DmaDomainType, apertureBits: number): void {
    const { clock, onlineCpuList, possibleCpus, hz, facets } = this.env;
    const options = { facets, apertureBits, hz };
    const cookie = new IommuDmaCookie(domain, type, { clock, onlineCpuList }, possibleCpus, options);
    this.cookies.set(domain.id, cookie);
  }

  attach(domain: number, config: DeviceConfig): number {
    const cookie = this.cookies.get(domain);
    if (!cookie) return fail(Status.NOT_DMA_DOMAIN, { domain });
    this.devices.push(cookie.attachDevice(config));
    return this.devices.length - 1;
  }

  device(id: number): DmaDevice {
    const d = Number.isInteger(id) && id >= 0 ? this.devices[id] : undefined;
    if (!d) return fail(Status.NO_DEVICE, { device: id });
    return d;
  }

  /** SG_SEGMENTS: the nonzero words join the pending list. */
  appendSegments(words: readonly bigint[]): void {
    const add = words.filter((w) => w !== 0n);
    if (this.pendingSg.length + add.length > IOVA_SG_MAX_SEGMENTS) {
      fail(Status.SEGMENTS, { segments: this.pendingSg.length + add.length });
    }
    this.pendingSg.push(...add);
  }

  /** MAP_SG's list, emptied whatever the map does. */
  takeSegments(): bigint[] {
    const segs = this.pendingSg;
    this.pendingSg = [];
    return segs;
  }

  /** A queued IOVA of the domain whose node overlaps [lo, hi] (the plain frees and reserve leave it be). */
  queuedOverlaps(domain: number, lo: bigint, hi: bigint): boolean {
    const fq = this.cookies.get(domain)?.fq;
    if (!fq || fq.queuedPfns.size === 0) return false;
    if (lo === hi) return fq.queuedPfns.has(lo);
    const { tree } = this.cookies.get(domain)!.domain;
    for (const pfn of fq.queuedPfns) {
      const node = tree.findExact(pfn);
      if (node && node.pfnLo <= hi && node.pfnHi >= lo) return true;
    }
    return false;
  }

  /** iommu_put_dma_cookie before put_iova_domain; the domain's devices die with it. */
  putDomain(domain: number): void {
    const cookie = this.cookies.get(domain);
    if (!cookie) return;
    this.devices.forEach((d, i) => d?.cookie === cookie && (this.devices[i] = null));
    cookie.put();
    this.cookies.delete(domain);
  }

  /** CPU hotplug dead, after the CPU left the online list: pending timers on it migrate. */
  cpuDead(cpu: number): void {
    for (const id of [...this.cookies.keys()].sort((a, b) => a - b)) this.cookies.get(id)!.cpuDead(cpu);
  }

  /** A domain row's DMA counters (left at 0 for a plain domain). */
  fillCounters(row: DomainCounters): void {
    const cookie = this.cookies.get(row.id);
    if (!cookie) return;
    const { stats, fq } = cookie;
    Object.assign(row, {
      dmaType: TYPE_CODE[cookie.type],
      devices: cookie.devices,
      maps: stats.maps,
      unmaps: stats.unmaps,
      mappedBytes: Number(stats.mappedBytes),
      mapFailures: stats.mapFailures,
      sacAttempts: stats.sacAttempts,
      sacSuccesses: stats.sacSuccesses,
      sacSwitched: stats.sacSwitched,
    });
    if (!fq) return;
    Object.assign(row, {
      queued: fq.queuedPfns.size,
      fqRings: fq.rings.length,
      flushesFull: fq.stats.flushesFull,
      flushesTimer: fq.stats.flushesTimer,
      timerExpiries: fq.stats.timerExpiries,
      timerPending: fq.fqTimerOn ? 1 : 0,
      queueFreed: fq.stats.queueFreed,
      timerFreed: fq.stats.timerFreed,
    });
  }

  /** Every lazy domain's per-ring and per-CPU words, in domain id order. */
  flushQueues(): FlushQueueCounters[] {
    return [...this.cookies.keys()]
      .sort((a, b) => a - b)
      .flatMap((id) => {
        const fq = this.cookies.get(id)!.fq;
        return fq ? [{ domain: id, queued: fq.queuedCounts(), timerFreedOn: [...fq.stats.timerFreedOn] }] : [];
      });
  }

  /** The first broken flush-queue invariant, or null. */
  check(): string | null {
    for (const [id, cookie] of this.cookies) {
      const why = cookie.fq?.check();
      if (why) return `domain ${id}: ${why}`;
    }
    return null;
  }
}
