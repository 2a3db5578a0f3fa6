// A device attached to a DMA domain: the object a library user maps and unmaps through. It lives
// as long as its domain and lab; dispose() only detaches this handle (the kernel has no per-device
// teardown of the IOVA domain), after which every call throws DisposedError.
import type { DmaBus, Engine } from './engine.js';
import { DisposedError, LabConfigError } from './errors.js';
import { toIndex, toU64 } from './numbers.js';

/**
 * How {@link IovaDomain.attachDevice} probes a device: its DMA masks and bus.
 * @example `domain.attachDevice({ dmaMaskBits: 32, bus: 'platform' })`
 */
export interface AttachOptions {
  /** dma_mask: the device addresses 2^dmaMaskBits bytes (1..64). @example `{ dmaMaskBits: 32 }` */
  dmaMaskBits: number;
  /** Default 'pci' (PCI devices try a 32-bit IOVA first: the SAC trick). @example `{ bus: 'platform' }` */
  bus?: DmaBus;
  /** iommu.forcedac=1: no 32-bit attempt. Default false. @example `{ forceDac: true }` */
  forceDac?: boolean;
  /**
   * coherent_dma_mask for coherent allocations. Default: dmaMaskBits.
   * @example `{ dmaMaskBits: 64, coherentMaskBits: 32 }`
   */
  coherentMaskBits?: number;
}

/**
 * Options of {@link DmaDevice.map}.
 * @example `dev.map(0, 4096, { offset: 0x80 })`
 */
export interface MapOptions {
  /**
   * Offset of the buffer in its first granule (the low bits of the DMA address). Default 0.
   * @example `{ offset: 0x200 }`
   */
  offset?: number | bigint;
  /**
   * A coherent allocation (dma_alloc_coherent): limited by coherent_dma_mask. Default false.
   * @example `{ coherent: true }`
   */
  coherent?: boolean;
}

/**
 * A device attached to a DMA domain, mapping and unmapping through the dma-iommu layer.
 * Get one from {@link IovaDomain.attachDevice}; it lives as long as its domain and lab.
 * @example
 * ```ts
 * const dev = domain.attachDevice({ dmaMaskBits: 64 });
 * const addr = dev.map(0, 4096);
 * if (addr !== 0n) dev.unmap(0, addr, 4096);
 * ```
 */
export class DmaDevice implements Disposable {
  private detached = false;

  private constructor(
    private readonly engine: Engine,
    readonly id: number,
    readonly domainId: number,
    private readonly domainLive: () => boolean,
  ) {}

  /** @internal IovaDomain.attachDevice's way in; domainLive: the domain is neither put nor its lab disposed. */
  static attach(engine: Engine, domain: number, options: AttachOptions, domainLive: () => boolean): DmaDevice {
    const bus = options.bus ?? 'pci';
    if (bus !== 'pci' && bus !== 'platform') {
      throw new LabConfigError(`bus must be pci or platform, got ${String(bus)}`, -1);
    }
    const dmaMaskBits = toIndex('dmaMaskBits', options.dmaMaskBits);
    const coherentMaskBits = toIndex('coherentMaskBits', options.coherentMaskBits ?? dmaMaskBits);
    const id = engine.attachDevice(domain, { bus, dmaMaskBits, coherentMaskBits, forceDac: options.forceDac ?? false });
    return new DmaDevice(engine, id, domain, domainLive);
  }

  private live(): void {
    if (this.detached || !this.domainLive()) {
      throw new DisposedError(`device ${this.id} is detached (disposed, or its domain or lab is gone)`, -2);
    }
  }

  /**
   * iommu_dma_map_page on `cpu`: the DMA address (pfn << shift | offset), or 0n when the allocation failed.
   * @throws OffsetError, SizeError, CpuRangeError, CpuOfflineError, InvalidNumberError or DisposedError.
   * @example `const addr = dev.map(0, 8192);`
   */
  map(cpu: number, bytes: number | bigint, options: MapOptions = {}): bigint {
    this.live();
    const offset = toU64('offset', options.offset ?? 0n);
    return this.engine.map(this.id, toIndex('cpu', cpu), toU64('bytes', bytes), offset, options.coherent ?? false);
  }

  /**
   * iommu_dma_map_sg on `cpu`: one allocation for all segments; the DMA address or 0n.
   * @throws SegmentsError, SizeError, CpuRangeError, CpuOfflineError, InvalidNumberError or DisposedError.
   * @example `const addr = dev.mapSg(1, [4096, 512, 65536]);`
   */
  mapSg(cpu: number, segmentBytes: readonly (number | bigint)[]): bigint {
    this.live();
    const segs = segmentBytes.map((b, i) => toU64(`segmentBytes[${i}]`, b));
    return this.engine.mapSg(this.id, toIndex('cpu', cpu), segs);
  }

  /**
   * A coherent allocation (dma_alloc_coherent's IOVA): map under coherent_dma_mask; 0n on failure.
   * @throws SizeError, CpuRangeError, CpuOfflineError, InvalidNumberError or DisposedError.
   * @example `const addr = dev.allocCoherent(0, 16384);`
   */
  allocCoherent(cpu: number, bytes: number | bigint): bigint {
    return this.map(cpu, bytes, { coherent: true });
  }

  /**
   * __iommu_dma_unmap on `cpu`: strict domains free there at once, lazy ones queue there.
   * @throws NotAllocatedError, DoubleFreeError, QueuedError, SizeClassError, CpuRangeError, CpuOfflineError,
   * InvalidNumberError or DisposedError.
   * @example `dev.unmap(0, addr, 8192);`
   */
  unmap(cpu: number, dmaAddr: bigint, bytes: number | bigint): void {
    this.live();
    this.engine.unmap(this.id, toIndex('cpu', cpu), toU64('dmaAddr', dmaAddr), toU64('bytes', bytes));
  }

  /**
   * Detaches this handle (the domain keeps its IOVAs); later calls throw DisposedError. Idempotent.
   * @example `dev.dispose();`
   */
  dispose(): void {
    this.detached = true;
  }

  /** dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
