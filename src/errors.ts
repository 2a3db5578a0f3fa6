// One named error class per failure. Status numbers come from the ABI (abi/iova-abi.json); both
// engines turn a failed check into the same class through errorForStatus(). Every class spells
// its `name` out so it survives minification (a bundler may rename the class itself).
import { MAX_DOMAIN_CPUS, Status } from './generated/abi.js';

export { Status };

/**
 * The base of every error the library throws on purpose: catch it to tell iova-lab's errors
 * from others, and switch on `name` (stable, also in minified bundles) for the kind.
 *
 * @example
 * ```ts
 * try { domain.free(0x1234n); } catch (e) { if (e instanceof IovaLabError) console.log(e.name, e.status); }
 * ```
 */
export class IovaLabError extends Error {
  override name: string = 'IovaLabError';
  /**
   * @param status The engine status (see {@link Status}) that raised it; 0 or -1 for errors
   *   found before any engine ran.
   * @param cause The underlying error, if any (kept as `cause`).
   */
  constructor(
    message: string,
    readonly status: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}
/**
 * A lab option is out of range or of the wrong kind (e.g. a policy given as a string).
 * @example `if (e instanceof LabConfigError) console.error(e.status, e.message);`
 */
export class LabConfigError extends IovaLabError {
  override name = 'LabConfigError';
}
/**
 * The lab has been disposed.
 * @example `if (e instanceof DisposedError) console.error(e.status, e.message);`
 */
export class DisposedError extends IovaLabError {
  override name = 'DisposedError';
}
/**
 * A domain id that was never created or was already put.
 * @example `if (e instanceof UnknownDomainError) console.error(e.status, e.message);`
 */
export class UnknownDomainError extends IovaLabError {
  override name = 'UnknownDomainError';
}
/**
 * The granule is not a power of two in [1, 4096].
 * @example `if (e instanceof GranuleError) console.error(e.status, e.message);`
 */
export class GranuleError extends IovaLabError {
  override name = 'GranuleError';
}
/**
 * The start PFN is 0 or beyond the domain.
 * @example `if (e instanceof StartPfnError) console.error(e.status, e.message);`
 */
export class StartPfnError extends IovaLabError {
  override name = 'StartPfnError';
}
/**
 * A CPU id that is not a possible CPU.
 * @example `if (e instanceof CpuRangeError) console.error(e.status, e.message);`
 */
export class CpuRangeError extends IovaLabError {
  override name = 'CpuRangeError';
}
/**
 * The CPU is offline.
 * @example `if (e instanceof CpuOfflineError) console.error(e.status, e.message);`
 */
export class CpuOfflineError extends IovaLabError {
  override name = 'CpuOfflineError';
}
/**
 * A hotplug op refused: the CPU is already online (CPU_ALREADY_ONLINE), already offline
 * (CPU_ALREADY_OFFLINE), or is the last online CPU (LAST_ONLINE_CPU); the status says which.
 * @example `if (e instanceof CpuStateError) console.error(e.status, e.message);`
 */
export class CpuStateError extends IovaLabError {
  override name = 'CpuStateError';
}
/**
 * A size of 0 or larger than the domain.
 * @example `if (e instanceof SizeError) console.error(e.status, e.message);`
 */
export class SizeError extends IovaLabError {
  override name = 'SizeError';
}
/**
 * A limit PFN outside the domain.
 * @example `if (e instanceof LimitError) console.error(e.status, e.message);`
 */
export class LimitError extends IovaLabError {
  override name = 'LimitError';
}
/**
 * A reserve range with lo > hi or beyond the domain.
 * @example `if (e instanceof ReserveRangeError) console.error(e.status, e.message);`
 */
export class ReserveRangeError extends IovaLabError {
  override name = 'ReserveRangeError';
}
/**
 * Freeing a PFN that is not allocated.
 * @example `if (e instanceof NotAllocatedError) console.error(e.status, e.message);`
 */
export class NotAllocatedError extends IovaLabError {
  override name = 'NotAllocatedError';
}
/**
 * Freeing a PFN that already sits in a magazine.
 * @example `if (e instanceof DoubleFreeError) console.error(e.status, e.message);`
 */
export class DoubleFreeError extends IovaLabError {
  override name = 'DoubleFreeError';
}
/**
 * free_iova_fast with a size whose class differs from the allocation's.
 * @example `if (e instanceof SizeClassError) console.error(e.status, e.message);`
 */
export class SizeClassError extends IovaLabError {
  override name = 'SizeClassError';
}
/**
 * Advancing the virtual clock would pass 2^64 − 1 ms.
 * @example `if (e instanceof ClockOverflowError) console.error(e.status, e.message);`
 */
export class ClockOverflowError extends IovaLabError {
  override name = 'ClockOverflowError';
}
/**
 * One more domain would pass the lab's limit of live domains × possible CPUs.
 * @example `if (e instanceof DomainLimitError) console.error(e.status, e.message);`
 */
export class DomainLimitError extends IovaLabError {
  override name = 'DomainLimitError';
}
/**
 * The model's own heap (WASM) or memory budget (TS) is exhausted.
 * @example `if (e instanceof OutOfMemoryError) console.error(e.status, e.message);`
 */
export class OutOfMemoryError extends IovaLabError {
  override name = 'OutOfMemoryError';
}
/**
 * Domain init failed because a magazine allocation failed.
 * @example `if (e instanceof AllocationFailedError) console.error(e.status, e.message);`
 */
export class AllocationFailedError extends IovaLabError {
  override name = 'AllocationFailedError';
}
/**
 * A model invariant is broken (a bug in an engine).
 * @example `if (e instanceof InvariantError) console.error(e.status, e.message);`
 */
export class InvariantError extends IovaLabError {
  override name = 'InvariantError';
}
/**
 * A batch op with an unknown opcode.
 * @example `if (e instanceof BadOpError) console.error(e.status, e.message);`
 */
export class BadOpError extends IovaLabError {
  override name = 'BadOpError';
}
/** The kernel's own alloc_iova would loop here forever (the v5.11-v6.1 retry-start overflow, holding
 * the tree lock); the lab stops the op instead.
 * @example `if (e instanceof NonTerminatingWalkError) console.error(e.status, e.message);`
 */
export class NonTerminatingWalkError extends IovaLabError {
  override name = 'NonTerminatingWalkError';
}
/**
 * A device id that was never attached, or whose domain was put.
 * @example `if (e instanceof UnknownDeviceError) console.error(e.status, e.message);`
 */
export class UnknownDeviceError extends IovaLabError {
  override name = 'UnknownDeviceError';
}
/**
 * A DMA domain type other than strict, lazy or lazy-single (lazy-single needs the v6.7 facets).
 * @example `if (e instanceof DomainTypeError) console.error(e.status, e.message);`
 */
export class DomainTypeError extends IovaLabError {
  override name = 'DomainTypeError';
}
/**
 * Aperture bits outside 32..63, or an aperture ending below the start PFN.
 * @example `if (e instanceof ApertureError) console.error(e.status, e.message);`
 */
export class ApertureError extends IovaLabError {
  override name = 'ApertureError';
}
/**
 * DMA mask bits outside 1..64, or a mask whose limit lies below the domain's start PFN.
 * @example `if (e instanceof DmaMaskError) console.error(e.status, e.message);`
 */
export class DmaMaskError extends IovaLabError {
  override name = 'DmaMaskError';
}
/**
 * A device bus other than pci or platform.
 * @example `if (e instanceof BusError) console.error(e.status, e.message);`
 */
export class BusError extends IovaLabError {
  override name = 'BusError';
}
/**
 * A map's page offset not below the granule.
 * @example `if (e instanceof OffsetError) console.error(e.status, e.message);`
 */
export class OffsetError extends IovaLabError {
  override name = 'OffsetError';
}
/**
 * A device attached to a plain domain (one without the DMA layer).
 * @example `if (e instanceof NotDmaDomainError) console.error(e.status, e.message);`
 */
export class NotDmaDomainError extends IovaLabError {
  override name = 'NotDmaDomainError';
}
/**
 * A scatter-gather map with no segments or more than IOVA_SG_MAX_SEGMENTS.
 * @example `if (e instanceof SegmentsError) console.error(e.status, e.message);`
 */
export class SegmentsError extends IovaLabError {
  override name = 'SegmentsError';
}
/**
 * Unmapping (or freeing) an IOVA that already waits in a flush queue.
 * @example `if (e instanceof QueuedError) console.error(e.status, e.message);`
 */
export class QueuedError extends IovaLabError {
  override name = 'QueuedError';
}
/**
 * The lab's HZ outside 1..1000, or DMA facets that are not booleans.
 * @example `if (e instanceof DmaConfigError) console.error(e.status, e.message);`
 */
export class DmaConfigError extends IovaLabError {
  override name = 'DmaConfigError';
}
/**
 * A value that is not an integer in range before it ever reaches an engine.
 * @example `if (e instanceof InvalidNumberError) console.error(e.status, e.message);`
 */
export class InvalidNumberError extends IovaLabError {
  override name = 'InvalidNumberError';
}
/**
 * An argument of the wrong kind (e.g. a batch that is not a BigUint64Array of whole ops).
 * @example `if (e instanceof InvalidArgumentError) console.error(e.status, e.message);`
 */
export class InvalidArgumentError extends IovaLabError {
  override name = 'InvalidArgumentError';
}

/**
 * The WASM engine could not be loaded: `location` names the file or URL, `httpStatus` the HTTP
 * status when a fetch got one; the underlying error is the `cause`.
 *
 * @example
 * ```ts
 * await IovaLab.create({ possibleCpus: 1, wasm: { wasmUrl: '/missing.wasm' } })
 *   .catch((e) => { if (e instanceof WasmLoadError) console.log(e.location, e.httpStatus); });
 * ```
 */
export class WasmLoadError extends IovaLabError {
  override name = 'WasmLoadError';
  constructor(
    message: string,
    readonly location: string,
    readonly httpStatus?: number,
    cause?: unknown,
  ) {
    super(message, 0, cause);
  }
}

/**
 * An optional peer dependency (vega, vega-lite for SVG timelines) is not installed.
 * @example `if (e instanceof MissingDependencyError) console.error(e.status, e.message);`
 */
export class MissingDependencyError extends IovaLabError {
  override name = 'MissingDependencyError';
  constructor(
    message: string,
    readonly dependency: string,
    cause?: unknown,
  ) {
    super(message, 0, cause);
  }
}

type ErrorClass = new (message: string, status: number) => IovaLabError;
const CLASS_BY_STATUS: Record<number, [ErrorClass, string]> = {
  [Status.LAB_CONFIG]: [LabConfigError, 'invalid lab configuration'],
  [Status.NO_LAB]: [DisposedError, 'the lab has been disposed'],
  [Status.NO_DOMAIN]: [UnknownDomainError, 'no such domain (never created or already put)'],
  [Status.GRANULE]: [GranuleError, 'granule must be a power of two in [1, 4096]'],
  [Status.START_PFN]: [StartPfnError, 'start PFN must be at least 1 and below the domain maximum'],
  [Status.CPU_RANGE]: [CpuRangeError, 'CPU id is not a possible CPU'],
  [Status.CPU_OFFLINE]: [CpuOfflineError, 'CPU is offline'],
  [Status.CPU_ALREADY_ONLINE]: [CpuStateError, 'CPU is already online'],
  [Status.CPU_ALREADY_OFFLINE]: [CpuStateError, 'CPU is already offline'],
  [Status.LAST_ONLINE_CPU]: [CpuStateError, 'the last online CPU stays online'],
  [Status.SIZE]: [SizeError, 'size must be between 1 and the domain range'],
  [Status.LIMIT]: [LimitError, 'limit PFN must lie between the start PFN and the domain maximum'],
  [Status.RANGE]: [ReserveRangeError, 'reserve range must have start PFN <= lo <= hi <= domain maximum'],
  [Status.RESERVE_CACHED]: [ReserveRangeError, 'reserve range overlaps an IOVA cached in a magazine'],
  [Status.NOT_ALLOCATED]: [NotAllocatedError, 'PFN is not allocated'],
  [Status.NOT_RANGE_START]: [NotAllocatedError, 'PFN is inside an allocated range but is not its start'],
  [Status.DOUBLE_FREE]: [DoubleFreeError, 'PFN is already cached in a magazine (double free)'],
  [Status.SIZE_CLASS]: [SizeClassError, 'size class does not match the allocated range'],
  [Status.NOMEM]: [OutOfMemoryError, "the model's own heap is exhausted"],
  [Status.CLOCK_OVERFLOW]: [ClockOverflowError, 'advancing the virtual clock would pass 2^64 - 1 ms'],
  [Status.DOMAIN_LIMIT]: [DomainLimitError, `live domains x possible CPUs may be at most ${MAX_DOMAIN_CPUS}`],
  [Status.ALLOC_FAILED]: [AllocationFailedError, 'domain init failed: a magazine allocation failed'],
  [Status.INVARIANT]: [InvariantError, 'invariant violated'],
  [Status.BAD_OP]: [BadOpError, 'unknown batch opcode'],
  [Status.NON_TERMINATING]: [
    NonTerminatingWalkError,
    "the kernel's alloc_iova would never return: the retry-start overflow repeats a failed search",
  ],
  [Status.NO_DEVICE]: [UnknownDeviceError, 'no such device (never attached, or its domain was put)'],
  [Status.DOMAIN_TYPE]: [DomainTypeError, 'DMA domain type must be strict, lazy or lazy-single (from v6.7)'],
  [Status.APERTURE]: [ApertureError, 'aperture bits must lie in [32, 63] and reach the start PFN'],
  [Status.DMA_MASK]: [DmaMaskError, "DMA mask bits must lie in [1, 64] and reach the domain's start PFN"],
  [Status.BUS]: [BusError, 'device bus must be pci or platform'],
  [Status.OFFSET]: [OffsetError, 'page offset must be below the granule'],
  [Status.NOT_DMA_DOMAIN]: [NotDmaDomainError, 'devices attach only to DMA domains (strict, lazy, lazy-single)'],
  [Status.SEGMENTS]: [SegmentsError, 'a scatter-gather map needs 1 to 1024 segments'],
  [Status.QUEUED]: [QueuedError, 'the IOVA already waits in a flush queue (double unmap)'],
  [Status.DMA_CONFIG]: [DmaConfigError, 'HZ must lie in [1, 1000]'],
};

/** @internal The error for a negative status; `detail` names the offending value(s). */
export function errorForStatus(status: number, detail: string): IovaLabError {
  const entry = CLASS_BY_STATUS[status];
  if (!entry) return new IovaLabError(`unexpected status ${status}: ${detail}`, status);
  const [Cls, what] = entry;
  return new Cls(`${what}: ${detail}`, status);
}

/** The most characters an error message echoes of one value (longer ones end in "…"). */
export const MAX_ECHO_CHARS = 64;

/** @internal A value as an error message shows it: bigints in hex, at most MAX_ECHO_CHARS characters. */
export function echoValue(v: number | bigint | boolean | string): string {
  const text = typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v);
  return text.length > MAX_ECHO_CHARS ? `${text.slice(0, MAX_ECHO_CHARS)}… (${text.length} chars)` : text;
}

/** @internal "domain 0, cpu 3, pfn 0xfffff": the arguments of a failed call, PFNs in hex. */
export function describeArgs(args: Record<string, number | bigint | boolean | string>): string {
  return Object.entries(args)
    .map(([k, v]) => `${k} ${echoValue(v)}`)
    .join(', ');
}
