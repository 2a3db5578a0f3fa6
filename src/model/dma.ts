// The DMA layer above the rcache (dma-iommu): devices map and unmap through their domain's cookie;
// strict domains free at once on the unmapping CPU, lazy ones through flush queues; PCI devices
// whose limit is above 4 GiB try a 32-bit IOVA first (the SAC trick).
import type { DeviceConfig, DmaBus, DmaDomainType, DmaLayerFacets } from '../engine.js';
import { DMA_DOMAIN_TYPES } from '../engine.js';
import { Status } from '../errors.js';
import { fail } from './validate.js';
import { DMA_DEFAULT_APERTURE_BITS, DMA_DEFAULT_HZ, IOVA_SG_MAX_SEGMENTS } from '../generated/abi.js';
import { isIntIn as isInt } from '../numbers.js';
import { FlushQueue, type FlushQueueEnv } from './flush-queue.js';
import { IOVA_RANGE_CACHE_MAX_SIZE } from '../kernel.js';
import type { IovaDomain } from './rcache.js';
import { orderBase2 } from './tree.js';

export { DMA_DEFAULT_APERTURE_BITS, DMA_DEFAULT_HZ };
const DMA_32BIT_MASK = 0xffffffffn;

export interface DmaStats {
  maps: number;
  unmaps: number;
  /** Bytes asked for by successful maps (segments summed), before alignment. */
  mappedBytes: bigint;
  mapFailures: number;
  /** 32-bit attempts, their successes, devices switched to the full range. */
  sacAttempts: number;
  sacSuccesses: number;
  sacSwitched: number;
}

export interface DmaCookieOptions {
  facets: DmaLayerFacets;
  /** The forced aperture: IOVAs below 2^bits, 32..63. */
  apertureBits: number;
  /** The kernel's HZ for the flush-queue timer, 1..1000. */
  hz: number;
}

const bitMask = (bits: number): bigint => (1n << BigInt(bits)) - 1n;

/** A domain's DMA state: the kernel's iommu_dma_cookie (its iova_domain is the rcache domain). */
export class IommuDmaCookie {
  readonly apertureEnd: bigint;
  readonly facets: DmaLayerFacets;
  /** null for strict domains. */
  readonly fq: FlushQueue | null;
  readonly stats: DmaStats = {
    maps: 0,
    unmaps: 0,
    mappedBytes: 0n,
    mapFailures: 0,
    sacAttempts: 0,
    sacSuccesses: 0,
    sacSwitched: 0,
  };

  /**
   * iommu_dma_init_domain's checks, before the domain exists: a type the facets allow, an aperture of
   * 32..63 bits that reaches startPfn. Same order and statuses as the C model.
   */
  static check(
    type: DmaDomainType,
    apertureBits: number,
    shift: number,
    startPfn: bigint,
    facets: DmaLayerFacets,
  ): void {
    if (!DMA_DOMAIN_TYPES.includes(type) || (type === 'lazy-single' && !facets.singleQueueAvailable)) {
      fail(Status.DOMAIN_TYPE, { domainType: String(type), singleQueue: facets.singleQueueAvailable });
    }
    if (!isInt(apertureBits, 32, 63) || bitMask(apertureBits) >> BigInt(shift) < startPfn) {
      fail(Status.APERTURE, { apertureBits, startPfn });
    }
  }

  /** iommu_dma_init_domain (+ iommu_dma_init_fq for lazy types), after check(). */
  constructor(
    readonly domain: IovaDomain,
    readonly type: DmaDomainType,
    env: Omit<FlushQueueEnv, 'hz'>,
    possibleCpus: number,
    options: DmaCookieOptions,
  ) {
    this.apertureEnd = bitMask(options.apertureBits);
    this.facets = { ...options.facets };
    const fqEnv = { ...env, hz: options.hz };
    this.fq = type === 'strict' ? null : new FlushQueue(domain, fqEnv, type === 'lazy-single', possibleCpus);
  }

  /** Devices attached. */
  devices = 0;

  get granule(): bigint {
    return 1n << BigInt(this.domain.tree.shift);
  }

  /** The device's limit for a mask: min with the forced aperture (no bus limit in the model). */
  dmaLimit(mask: bigint): bigint {
    return mask < this.apertureEnd ? mask : this.apertureEnd;
  }

  /** Probe a device into this domain. */
  attachDevice(config: DeviceConfig): DmaDevice {
    const device = new DmaDevice(this, config);
    this.devices++;
    return device;
  }

  /** bytes at offset off in one granule, aligned up; SizeError when empty or past the aperture. */
  alignedSize(bytes: bigint, off: bigint): bigint {
    if (bytes < 1n || bytes - 1n > this.apertureEnd - off) {
      fail(Status.SIZE, { domain: this.domain.id, bytes, offset: off });
    }
    const g = this.granule;
    return (bytes + off + g - 1n) & ~(g - 1n);
  }

  /** The device's DMA (free_iova_fast or queue_iova) for an unmap already checked. */
  freeIova(cpu: number, pfn: bigint, pages: bigint): void {
    if (this.fq) this.fq.queueIova(cpu, pfn, pages);
    else this.domain.freeIovaFast(cpu, pfn, pages);
  }

  /** CPU hotplug: the rings stay (the timer walks every possible CPU); only a pending timer moves. */
  cpuDead(cpu: number): void {
    this.fq?.cpuDead(cpu);
  }

  put(): void {
    this.fq?.free();
  }
}

export class DmaDevice {
  readonly dmaMask: bigint;
  readonly coherentDmaMask: bigint;
  readonly bus: DmaBus;
  readonly forceDac: boolean;
  /** Scatter-gather segments may not cross it: 4 GiB for PCI, none otherwise. */
  readonly segBoundary: bigint;
  /** v6.6+: still tries the 32-bit window. */
  pci32BitWorkaround: boolean;

  constructor(
    readonly cookie: IommuDmaCookie,
    config: DeviceConfig,
  ) {
    const { dmaMaskBits, coherentMaskBits, bus, forceDac } = config;
    const { tree } = cookie.domain;
    for (const [name, bits] of [
      ['dmaMaskBits', dmaMaskBits],
      ['coherentMaskBits', coherentMaskBits],
    ] as const) {
      if (!isInt(bits, 1, 64) || cookie.dmaLimit(bitMask(bits)) >> BigInt(tree.shift) < tree.startPfn) {
        fail(Status.DMA_MASK, { [name]: bits, startPfn: tree.startPfn });
      }
    }
    if (bus !== 'pci' && bus !== 'platform') fail(Status.BUS, { bus: String(bus) });
    this.dmaMask = bitMask(dmaMaskBits);
    this.coherentDmaMask = bitMask(coherentMaskBits);
    this.bus = bus;
    this.forceDac = forceDac;
    this.segBoundary = bus === 'pci' ? DMA_32BIT_MASK : (1n << 64n) - 1n;
    this.pci32BitWorkaround = bus === 'pci' && !forceDac;
  }

  /** The SAC trick applies: a PCI device whose limit is above 4 GiB and (from v6.6) whose flag holds. */
  private try32Bit(limit: bigint): boolean {
    if (limit <= DMA_32BIT_MASK || this.bus !== 'pci' || this.forceDac) return false;
    return this.cookie.facets.sacLatch ? this.pci32BitWorkaround : true;
  }

  /** iommu_dma_alloc_iova: size is granule-aligned bytes; a pfn or 0n. */
  private allocIova(cpu: number, size: bigint, mask: bigint): bigint {
    const { cookie } = this;
    const { domain, stats, facets } = cookie;
    const shift = BigInt(domain.tree.shift);
    let pages = size >> shift;
    const limit = cookie.dmaLimit(mask);
    if (facets.roundInCaller && pages < 1n << BigInt(IOVA_RANGE_CACHE_MAX_SIZE - 1)) {
      pages = 1n << BigInt(orderBase2(pages));
    }
    if (this.try32Bit(limit)) {
      stats.sacAttempts++;
      const pfn = domain.allocIovaFast(cpu, pages, DMA_32BIT_MASK >> shift, false);
      if (pfn !== 0n) {
        stats.sacSuccesses++;
        return pfn;
      }
      if (facets.sacLatch) {
        this.pci32BitWorkaround = false;
        stats.sacSwitched++;
      }
    }
    return domain.allocIovaFast(cpu, pages, limit >> shift, true);
  }

  private mapSize(cpu: number, size: bigint, mask: bigint, bytes: bigint, off: bigint): bigint {
    const { stats, domain } = this.cookie;
    const pfn = this.allocIova(cpu, size, mask);
    if (pfn === 0n) {
      stats.mapFailures++;
      return 0n;
    }
    stats.maps++;
    stats.mappedBytes = BigInt.asUintN(64, stats.mappedBytes + bytes); // a u64 counter, as in C
    return (pfn << BigInt(domain.tree.shift)) | off;
  }

  /** iommu_dma_map_page (coherent: an iommu_dma_alloc under coherentDmaMask) on an online cpu; 0n on failure. */
  map(cpu: number, bytes: bigint, options: { offset?: bigint; coherent?: boolean } = {}): bigint {
    const { offset = 0n, coherent = false } = options;
    if (offset < 0n || offset >= this.cookie.granule) fail(Status.OFFSET, { domain: this.cookie.domain.id, offset });
    const size = this.cookie.alignedSize(bytes, offset);
    return this.mapSize(cpu, size, coherent ? this.coherentDmaMask : this.dmaMask, bytes, offset);
  }

  /**
   * The IOVA length of a scatter-gather map: segments back to back, each aligned; a segment that
   * would cross the boundary mask starts on the boundary instead (the padding joins the previous one).
   */
  sgLength(segmentBytes: readonly bigint[]): bigint {
    const { cookie } = this;
    const mask = this.segBoundary;
    const n = segmentBytes.length;
    if (n < 1 || n > IOVA_SG_MAX_SEGMENTS) fail(Status.SEGMENTS, { domain: cookie.domain.id, segments: n });
    let total = 0n;
    for (const bytes of segmentBytes) {
      const s = cookie.alignedSize(bytes, 0n);
      const pad = (mask - total + 1n) & mask;
      if (pad !== 0n && pad < s - 1n) total += pad;
      if (total > cookie.apertureEnd || s - 1n > cookie.apertureEnd - total) {
        fail(Status.SIZE, { domain: cookie.domain.id, sgBytes: total + s });
      }
      total += s;
    }
    return total;
  }

  /** iommu_dma_map_sg: one allocation of the summed aligned length; 0n on failure. */
  mapSg(cpu: number, segmentBytes: readonly bigint[]): bigint {
    const size = this.sgLength(segmentBytes);
    const bytes = segmentBytes.reduce((a, b) => a + b, 0n);
    return this.mapSize(cpu, size, this.dmaMask, bytes, 0n);
  }

  /** __iommu_dma_unmap on an online cpu: strict frees there at once, lazy queues. */
  unmap(cpu: number, dmaAddr: bigint, bytes: bigint): void {
    const { cookie } = this;
    const { domain } = cookie;
    const shift = BigInt(domain.tree.shift);
    const off = dmaAddr & (cookie.granule - 1n);
    const pfn = dmaAddr >> shift;
    const pages = cookie.alignedSize(bytes, off) >> shift;
    const node = domain.tree.findExact(pfn);
    const args = { domain: domain.id, dmaAddr, bytes };
    if (!node) return fail(Status.NOT_ALLOCATED, args);
    if (node.cached) fail(Status.DOUBLE_FREE, args);
    if (cookie.fq?.queuedPfns.has(pfn)) fail(Status.QUEUED, args);
    if (orderBase2(pages) !== orderBase2(node.pfnHi - node.pfnLo + 1n)) fail(Status.SIZE_CLASS, args);
    cookie.freeIova(cpu, pfn, pages);
    cookie.stats.unmaps++;
  }
}
