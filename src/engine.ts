// The interface both engines implement: the WASM-backed C model and the pure-TS model.
// Ids are small integers; PFNs are bigint. Every method throws an IovaLabError subclass
// (src/errors.ts) on bad input and then leaves the model unchanged.
import type { RcachePolicy } from './policy.js';
import type { BatchWindow } from './batch-window.js';
import type { Snapshot } from './snapshot.js';

export type MagazineMode = 'named' | 'unnamed';
export type SlabGeometry = 'slub' | 'order0';
export type EngineName = 'wasm' | 'ts';
export type FailureKind = 'magazine' | 'iova';

export interface LabConfig {
  possibleCpus: number;
  onlineCpus: number;
  magazines: MagazineMode;
  slabGeometry: SlabGeometry;
  /** The kernel version the policy came from (a label; the policy is what the engines run). */
  profile?: string;
  /** The rcache design to run. Default: the v6.9 policy (src/policy.ts). */
  policy?: RcachePolicy;
}

/** Batch opcodes and the words per op, declared in abi/iova-abi.json. */
export { OpCode, OP_WORDS } from './generated/abi.js';

export interface BatchResult {
  /** One word per op: the pfn / domain id it returned, 0 for ops without a result. */
  results: BigUint64Array;
  /** How many ops ran; fewer than asked means op `completed` failed with `error`. */
  completed: number;
  error?: Error;
}

export interface Engine {
  readonly name: EngineName;
  readonly config: LabConfig;
  createDomain(granule: number, startPfn: bigint): number;
  putDomain(domain: number): void;
  allocFast(domain: number, cpu: number, size: bigint, limitPfn: bigint, flushRcache: boolean): bigint;
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void;
  alloc(domain: number, size: bigint, limitPfn: bigint, sizeAligned: boolean): bigint;
  free(domain: number, pfn: bigint): void;
  /** The node containing pfn as [pfnLo, pfnHi], or null. */
  find(domain: number, pfn: bigint): [bigint, bigint] | null;
  reserve(domain: number, lo: bigint, hi: bigint): bigint;
  advanceClock(ms: bigint): void;
  cpuOffline(cpu: number): void;
  cpuOnline(cpu: number): void;
  flush(domain: number): void;
  injectFailure(kind: FailureKind, nth: number): void;
  /** Runs encoded ops; results go into `out` (at least one word per op) when given, so repeated
   * calls need not allocate. Built on a batch window of the engine's own. */
  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult;
  /** A reusable transfer window of capacityOps ops (see BatchWindow for its lifetime rule). */
  batchWindow(capacityOps: number): BatchWindow;
  snapshot(): Snapshot;
  /** Throws InvariantError naming the first broken invariant. */
  checkInvariants(): void;
  dispose(): void;
}
