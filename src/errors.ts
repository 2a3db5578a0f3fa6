// One named error class per failure. Status numbers come from the ABI (abi/iova-abi.json); both
// engines turn a failed check into the same class through errorForStatus().
import { Status } from './generated/abi.js';

export { Status };

export class IovaLabError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
    this.name = new.target.name;
  }
}
export class LabConfigError extends IovaLabError {}
export class DisposedError extends IovaLabError {}
export class UnknownDomainError extends IovaLabError {}
export class GranuleError extends IovaLabError {}
export class StartPfnError extends IovaLabError {}
export class CpuRangeError extends IovaLabError {}
export class CpuOfflineError extends IovaLabError {}
export class CpuStateError extends IovaLabError {}
export class SizeError extends IovaLabError {}
export class LimitError extends IovaLabError {}
export class ReserveRangeError extends IovaLabError {}
export class NotAllocatedError extends IovaLabError {}
export class DoubleFreeError extends IovaLabError {}
export class SizeClassError extends IovaLabError {}
export class OutOfMemoryError extends IovaLabError {}
export class AllocationFailedError extends IovaLabError {}
export class InvariantError extends IovaLabError {}
export class BadOpError extends IovaLabError {}
export class UnknownDeviceError extends IovaLabError {}
export class DomainTypeError extends IovaLabError {}
export class ApertureError extends IovaLabError {}
export class DmaMaskError extends IovaLabError {}
export class BusError extends IovaLabError {}
export class OffsetError extends IovaLabError {}
export class NotDmaDomainError extends IovaLabError {}
export class SegmentsError extends IovaLabError {}
export class QueuedError extends IovaLabError {}
export class DmaConfigError extends IovaLabError {}
/** A value that is not an integer in range before it ever reaches an engine. */
export class InvalidNumberError extends IovaLabError {}

type ErrorClass = new (message: string, status: number) => IovaLabError;
const CLASS_BY_STATUS: Record<number, [ErrorClass, string]> = {
  [Status.LAB_CONFIG]: [LabConfigError, 'invalid lab configuration'],
  [Status.NO_LAB]: [DisposedError, 'the lab has been disposed'],
  [Status.NO_DOMAIN]: [UnknownDomainError, 'no such domain (never created or already put)'],
  [Status.GRANULE]: [GranuleError, 'granule must be a power of two in [1, 4096]'],
  [Status.START_PFN]: [StartPfnError, 'start PFN must be at least 1 and below the domain maximum'],
  [Status.CPU_RANGE]: [CpuRangeError, 'CPU id is not a possible CPU'],
  [Status.CPU_OFFLINE]: [CpuOfflineError, 'CPU is offline'],
  [Status.CPU_STATE]: [CpuStateError, 'CPU is already in that state, or is the last online CPU'],
  [Status.SIZE]: [SizeError, 'size must be between 1 and the domain range'],
  [Status.LIMIT]: [LimitError, 'limit PFN must lie between the start PFN and the domain maximum'],
  [Status.RANGE]: [ReserveRangeError, 'reserve range must have lo <= hi <= domain maximum'],
  [Status.NOT_ALLOCATED]: [NotAllocatedError, 'PFN is not allocated'],
  [Status.DOUBLE_FREE]: [DoubleFreeError, 'PFN is already cached in a magazine (double free)'],
  [Status.SIZE_CLASS]: [SizeClassError, 'size class does not match the allocated range'],
  [Status.NOMEM]: [OutOfMemoryError, "the model's own heap is exhausted"],
  [Status.ALLOC_FAILED]: [AllocationFailedError, 'domain init failed: a magazine allocation failed'],
  [Status.INVARIANT]: [InvariantError, 'invariant violated'],
  [Status.BAD_OP]: [BadOpError, 'unknown batch opcode'],
  [Status.NO_DEVICE]: [UnknownDeviceError, 'no such device (never attached, or its domain was put)'],
  [Status.DOMAIN_TYPE]: [DomainTypeError, "DMA domain type must be strict, lazy or lazy-single (lazy-single from v6.7)"],
  [Status.APERTURE]: [ApertureError, 'aperture bits must lie in [32, 63] and reach the start PFN'],
  [Status.DMA_MASK]: [DmaMaskError, "DMA mask bits must lie in [1, 64] and reach the domain's start PFN"],
  [Status.BUS]: [BusError, 'device bus must be pci or platform'],
  [Status.OFFSET]: [OffsetError, 'page offset must be below the granule'],
  [Status.NOT_DMA_DOMAIN]: [NotDmaDomainError, 'devices attach only to DMA domains (strict, lazy, lazy-single)'],
  [Status.SEGMENTS]: [SegmentsError, 'a scatter-gather map needs 1 to 1024 segments'],
  [Status.QUEUED]: [QueuedError, 'the IOVA already waits in a flush queue (double unmap)'],
  [Status.DMA_CONFIG]: [DmaConfigError, 'HZ must lie in [1, 1000]'],
};

/** The error for a negative status; `detail` names the offending value(s). */
export function errorForStatus(status: number, detail: string): IovaLabError {
  const entry = CLASS_BY_STATUS[status];
  if (!entry) return new IovaLabError(`unexpected status ${status}: ${detail}`, status);
  const [Cls, what] = entry;
  return new Cls(`${what}: ${detail}`, status);
}

type Args = Record<string, number | bigint | boolean | string>;

/** Throws the error for a failed check; both TS model files use it so messages match the WASM engine's. */
export function failWith(status: number, args: Args): never {
  throw errorForStatus(status, describeArgs(args));
}

/** "domain 0, cpu 3, pfn 0xfffff": the arguments of a failed call, PFNs in hex. */
export function describeArgs(args: Args): string {
  return Object.entries(args)
    .map(([k, v]) => `${k} ${typeof v === 'bigint' ? `0x${v.toString(16)}` : String(v)}`)
    .join(', ');
}
