// One IOVA domain with rcaches: the object a library user holds. dispose() puts the domain (and
// with it every device attached to it); a domain dropped without dispose() is put when the
// garbage collector reclaims it.
import { DmaDevice, type AttachOptions } from './device.js';
import type { Engine } from './engine.js';
import { toIndex, toU64 } from './numbers.js';

/**
 * Options of {@link IovaDomain.allocFast}.
 * @example `domain.allocFast(0, 1, 0xfffffn, { flushRcache: false })`
 */
export interface AllocFastOptions {
  /**
   * On a failed allocation, flush every CPU's rcache and retry, as alloc_iova_fast does. Default true.
   * @example `domain.allocFast(0, 1, 0xfffffn, { flushRcache: false })`
   */
  flushRcache?: boolean;
}
/**
 * Options of {@link IovaDomain.alloc}.
 * @example `domain.alloc(8, 0xfffffn, { sizeAligned: true })`
 */
export interface AllocOptions {
  /**
   * Align the range to its size rounded up to a power of two. Default false.
   * @example `domain.alloc(8, 0xfffffn, { sizeAligned: true })`
   */
  sizeAligned?: boolean;
}
/**
 * An allocated range as {@link IovaDomain.find} returns it.
 * @example `domain.find(pfn)?.pfnLo`
 */
export interface IovaRange {
  /** First PFN of the range. @example `0xffffen` */
  pfnLo: bigint;
  /** Last PFN of the range (inclusive). @example `0xfffffn` */
  pfnHi: bigint;
}

/** @internal What a domain needs from its lab (the lab itself: holding it keeps it alive). */
export interface DomainOwner {
  readonly engine: Engine;
  readonly disposed: boolean;
}

interface Held {
  owner: DomainOwner;
  id: number;
}
// Puts a domain nobody disposed once it is unreachable, unless its lab went first.
const unreclaimed = new FinalizationRegistry<Held>(({ owner, id }) => {
  if (owner.disposed) return;
  try {
    owner.engine.putDomain(id);
  } catch {
    // nothing to report to: the lab may have been released in the same collection
  }
});

/**
 * One IOVA domain (struct iova_domain with its rcaches), created by {@link IovaLab.createDomain}.
 * Put it with `dispose()` (or `using`); a domain never disposed is put when reclaimed by the
 * garbage collector, and every domain is put with its lab.
 *
 * @example
 * ```ts
 * const domain = lab.createDomain();
 * const pfn = domain.allocFast(0, 1, 0xfffffn);
 * domain.freeFast(0, pfn, 1);
 * domain.dispose();
 * ```
 */
export class IovaDomain implements Disposable {
  private put = false;

  private constructor(
    private readonly owner: DomainOwner,
    readonly id: number,
  ) {
    unreclaimed.register(this, { owner, id }, this);
  }

  /** @internal The lab's way to wrap a domain id it just created. */
  static attach(owner: DomainOwner, id: number): IovaDomain {
    return new IovaDomain(owner, id);
  }

  private get engine(): Engine {
    return this.owner.engine;
  }

  /**
   * alloc_iova_fast on `cpu`: the PFN, or 0n when the allocation failed.
   * @throws InvalidNumberError for a value that is not a non-negative integer; CpuRangeError,
   *   CpuOfflineError, SizeError, LimitError, UnknownDomainError or DisposedError from the engine.
   * @example `const pfn = domain.allocFast(0, 1, 0xfffffn);`
   */
  allocFast(cpu: number, size: number | bigint, limitPfn: number | bigint, options: AllocFastOptions = {}): bigint {
    const flush = options.flushRcache ?? true;
    return this.engine.allocFast(this.id, toIndex('cpu', cpu), toU64('size', size), toU64('limitPfn', limitPfn), flush);
  }

  /**
   * free_iova_fast on `cpu`: the PFN goes into that CPU's magazine (or the tree).
   * @throws InvalidNumberError, CpuRangeError, CpuOfflineError, NotAllocatedError, DoubleFreeError,
   *   SizeClassError, UnknownDomainError or DisposedError.
   * @example `domain.freeFast(0, pfn, 1);`
   */
  freeFast(cpu: number, pfn: number | bigint, size: number | bigint): void {
    this.engine.freeFast(this.id, toIndex('cpu', cpu), toU64('pfn', pfn), toU64('size', size));
  }

  /**
   * alloc_iova, the rbtree slow path: the PFN, or 0n.
   * @throws InvalidNumberError, SizeError, LimitError, UnknownDomainError or DisposedError.
   * @example `const pfn = domain.alloc(4, 0xfffffn, { sizeAligned: true });`
   */
  alloc(size: number | bigint, limitPfn: number | bigint, options: AllocOptions = {}): bigint {
    return this.engine.alloc(this.id, toU64('size', size), toU64('limitPfn', limitPfn), options.sizeAligned ?? false);
  }

  /**
   * free_iova: frees the range containing `pfn`.
   * @throws InvalidNumberError, NotAllocatedError, UnknownDomainError or DisposedError.
   * @example `domain.free(pfn);`
   */
  free(pfn: number | bigint): void {
    this.engine.free(this.id, toU64('pfn', pfn));
  }

  /**
   * find_iova: the allocated range containing `pfn`, or null.
   * @throws InvalidNumberError, UnknownDomainError or DisposedError.
   * @example `domain.find(pfn)?.pfnHi`
   */
  find(pfn: number | bigint): IovaRange | null {
    const found = this.engine.find(this.id, toU64('pfn', pfn));
    return found && { pfnLo: found[0], pfnHi: found[1] };
  }

  /**
   * reserve_iova: the pfn_lo of the node now covering [lo, hi], or 0n.
   * @throws InvalidNumberError, ReserveRangeError, UnknownDomainError or DisposedError.
   * @example `domain.reserve(0xfee00n, 0xfeeffn);`
   */
  reserve(lo: number | bigint, hi: number | bigint): bigint {
    return this.engine.reserve(this.id, toU64('lo', lo), toU64('hi', hi));
  }

  /**
   * Probe a device into this DMA domain (one created with a type); it lives as long as the domain.
   * @throws NotDmaDomainError for a plain domain; DmaMaskError, BusError, InvalidNumberError.
   * @example `const nvme = domain.attachDevice({ dmaMaskBits: 64 });`
   */
  attachDevice(options: AttachOptions): DmaDevice {
    return DmaDevice.attach(this.engine, this.id, options, () => !this.put && !this.owner.disposed);
  }

  /**
   * Every online CPU's magazines and the depot back to the tree.
   * @throws UnknownDomainError or DisposedError.
   * @example `domain.flush();`
   */
  flush(): void {
    this.engine.flush(this.id);
  }

  /**
   * put_iova_domain. Idempotent; a no-op once the lab is disposed (which put the domain).
   * @throws UnknownDomainError if the engine no longer knows the domain.
   * @example `domain.dispose();`
   */
  dispose(): void {
    if (this.put) return;
    if (!this.owner.disposed) this.engine.putDomain(this.id);
    this.put = true;
    unreclaimed.unregister(this);
  }

  /** The same as dispose(), for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
