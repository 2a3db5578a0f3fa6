// One IOVA domain with rcaches: the object a library user holds. dispose() puts the domain, and
// with it every device attached to it.
import { DmaDevice, type AttachOptions } from './device.js';
import type { Engine } from './engine.js';
import { toIndex, toU64 } from './numbers.js';

export interface AllocFastOptions { flushRcache?: boolean }
export interface AllocOptions { sizeAligned?: boolean }
export interface IovaRange { pfnLo: bigint; pfnHi: bigint }

export class IovaDomain implements Disposable {
  private put = false;
  private readonly devices = new Set<DmaDevice>();

  constructor(private readonly engine: Engine, readonly id: number, private readonly onPut: (d: IovaDomain) => void) {}

  /** alloc_iova_fast on `cpu`: the PFN, or 0n when the allocation failed. */
  allocFast(cpu: number, size: number | bigint, limitPfn: number | bigint, options: AllocFastOptions = {}): bigint {
    return this.engine.allocFast(this.id, toIndex('cpu', cpu), toU64('size', size), toU64('limitPfn', limitPfn), options.flushRcache ?? true);
  }

  /** free_iova_fast on `cpu`. */
  freeFast(cpu: number, pfn: number | bigint, size: number | bigint): void {
    this.engine.freeFast(this.id, toIndex('cpu', cpu), toU64('pfn', pfn), toU64('size', size));
  }

  /** alloc_iova, the rbtree slow path: the PFN, or 0n. */
  alloc(size: number | bigint, limitPfn: number | bigint, options: AllocOptions = {}): bigint {
    return this.engine.alloc(this.id, toU64('size', size), toU64('limitPfn', limitPfn), options.sizeAligned ?? false);
  }

  /** free_iova: frees the range containing `pfn`. */
  free(pfn: number | bigint): void {
    this.engine.free(this.id, toU64('pfn', pfn));
  }

  /** find_iova: the allocated range containing `pfn`, or null. */
  find(pfn: number | bigint): IovaRange | null {
    const found = this.engine.find(this.id, toU64('pfn', pfn));
    return found && { pfnLo: found[0], pfnHi: found[1] };
  }

  /** reserve_iova: the pfn_lo of the node now covering [lo, hi], or 0n. */
  reserve(lo: number | bigint, hi: number | bigint): bigint {
    return this.engine.reserve(this.id, toU64('lo', lo), toU64('hi', hi));
  }

  /** Probe a device into this DMA domain (created with a type); unmapped and put with the domain. */
  attachDevice(options: AttachOptions): DmaDevice {
    const device = DmaDevice.attach(this.engine, this.id, options, (d) => this.devices.delete(d));
    this.devices.add(device);
    return device;
  }

  /** Every online CPU's magazines and the depot back to the tree. */
  flush(): void {
    this.engine.flush(this.id);
  }

  /** put_iova_domain. Idempotent. */
  dispose(): void {
    if (this.put) return;
    this.engine.putDomain(this.id);
    this.markPut();
  }

  /** The lab was disposed, which put this domain with it. */
  markPut(): void {
    this.put = true;
    for (const d of [...this.devices]) d.markDetached();
    this.onPut(this);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
