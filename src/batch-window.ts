// The zero-copy batch: a fixed window of op words and result words that callers encode into and
// read from in place, reused for every run. The WASM engine's window lives in the module's heap;
// the TS engine's (and any wrapping engine's) is two plain arrays over the same interface.
import { DisposedError, Status } from './errors.js';
import { OP_WORDS } from './generated/abi.js';

/**
 * What one {@link BatchWindow.run} did.
 * @example `const { completed, error } = w.run(n);`
 */
export interface BatchRun {
  /** How many ops ran; fewer than asked means op `completed` failed with `error`. */
  completed: number;
  /** The IovaLabError subclass op `completed` threw, when a run stopped early. */
  error?: Error;
}

/**
 * A reusable transfer window for batches (see {@link IovaLab.batchWindow}).
 *
 * Lifetime rule: `ops` and `results` are views that a run can invalidate (on the WASM engine a
 * run may grow the module's memory, which detaches every view of it), so fetch them again from
 * the window after each `run` rather than keeping them across runs. `results` holds the last
 * run's values until the next run; ops words are not changed by a run. After `dispose` (or the
 * lab's) the window cannot be used.
 * @example
 * ```ts
 * const w = lab.batchWindow(1024);
 * w.ops.set(encodeOps(ops));          // or write OP_WORDS words per op straight into w.ops
 * const { completed, error } = w.run(ops.length);
 * const first = w.results[0];         // valid until the next run
 * w.dispose();
 * ```
 */
export interface BatchWindow {
  /**
   * Ops the window holds.
   * @example `w.capacity // 1024`
   */
  readonly capacity: number;
  /**
   * capacity × OP_WORDS op words to encode into (layout of encodeOps).
   * @throws DisposedError after dispose.
   * @example `w.ops.set(encodeOps(ops));`
   */
  readonly ops: BigUint64Array;
  /**
   * capacity result words: the pfn / domain id op i returned, 0 for ops without a result.
   * @throws DisposedError after dispose.
   * @example `const pfn = w.results[0];`
   */
  readonly results: BigUint64Array;
  /**
   * Runs the first nOps ops of `ops`, writing `results[0..completed)`.
   * @throws RangeError when nOps is not an integer in [0, capacity]; DisposedError.
   * @example `const { completed } = w.run(ops.length);`
   */
  run(nOps: number): BatchRun;
  /**
   * Frees the window (the lab's dispose does too); a second call does nothing.
   * @example `w.dispose();`
   */
  dispose(): void;
  /** dispose(), for `using`. */
  [Symbol.dispose](): void;
}

/** The largest window: 4 Mi ops (about 224 MiB of words). */
export const MAX_WINDOW_OPS = 1 << 22;

/** A window capacity as asked for, checked. */
export function checkCapacity(capacityOps: number): number {
  if (!Number.isInteger(capacityOps) || capacityOps < 1 || capacityOps > MAX_WINDOW_OPS) {
    throw new RangeError(`batch window capacity must be an integer in [1, ${MAX_WINDOW_OPS}] ops, got ${capacityOps}`);
  }
  return capacityOps;
}

/** A run's op count, checked against the window's capacity. */
export function checkRunCount(nOps: number, capacity: number): number {
  if (!Number.isInteger(nOps) || nOps < 0 || nOps > capacity) {
    throw new RangeError(`a batch window run takes an integer in [0, ${capacity}] ops, got ${nOps}`);
  }
  return nOps;
}

/** Where runBatch writes n results: the caller's `out` (checked long enough) or a new array. */
export function resultsFor(n: number, out?: BigUint64Array): BigUint64Array {
  if (!out) return new BigUint64Array(n);
  if (out.length < n) throw new RangeError(`runBatch needs an output array of ${n} words, got ${out.length}`);
  return out.subarray(0, n);
}

/** Runs n ops of `ops` into `results` (the engine's batch interpreter). */
export type RunInto = (ops: BigUint64Array, n: number, results: BigUint64Array) => BatchRun;

/** A window of two plain arrays, for engines whose batches run in JavaScript. */
export class ArrayBatchWindow implements BatchWindow {
  readonly capacity: number;
  private opsWords: BigUint64Array | null;
  private resultWords: BigUint64Array | null;

  constructor(
    capacityOps: number,
    private readonly runInto: RunInto,
    private readonly onDispose?: () => void,
  ) {
    this.capacity = checkCapacity(capacityOps);
    this.opsWords = new BigUint64Array(this.capacity * OP_WORDS);
    this.resultWords = new BigUint64Array(this.capacity);
  }

  get ops(): BigUint64Array {
    return this.opsWords ?? disposed();
  }
  get results(): BigUint64Array {
    return this.resultWords ?? disposed();
  }

  run(nOps: number): BatchRun {
    const ops = this.ops;
    return this.runInto(ops, checkRunCount(nOps, this.capacity), this.results);
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  dispose(): void {
    if (!this.opsWords) return;
    this.opsWords = null;
    this.resultWords = null;
    this.onDispose?.();
  }
}

/** What a disposed window's views and run throw. */
export function disposed(): never {
  throw new DisposedError('batch window: disposed', Status.NO_LAB);
}
