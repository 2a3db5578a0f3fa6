// An Engine that samples a timeline while it runs: every clock advance is split at the sampling
// points, so a sample at t shows the lab after every op before t and every trim due by t — even
// when a workload idles for seconds in one advanceClock call.
import { ArrayBatchWindow, resultsFor, type BatchWindow } from '../batch-window.js';
import type { BatchResult, Engine } from '../engine.js';
import { OP_WORDS, OpCode } from '../engine.js';
import { ForwardingEngineOps } from '../generated/engine-ops.js';
import { toU64 } from '../numbers.js';
import type { Snapshot } from '../snapshot.js';
import { TimelineError, TimelineRecorder, type TimelineSeries } from './sample.js';

import { MAX_TIMELINE_SAMPLES } from '../share/limits.js';

/** Samples one run may record in all: many clock advances must not add up past this either. */
const MAX_SAMPLES = BigInt(MAX_TIMELINE_SAMPLES);

/**
 * An engine wrapper that records a timeline while the wrapped engine runs: every clock advance is split
 * at the sampling points. Every other Engine method passes straight through to the wrapped engine
 * (ForwardingEngineOps, generated from abi/iova-abi.json, forwards the operations).
 * @throws TimelineError (from the constructor) for an interval that is not a whole number of ms ≥ 1.
 * @example
 * ```ts
 * const sampled = new SampledEngine(engine, 100); // engine: an internal Engine (as the CLI wraps)
 * sampled.advanceClock(1000n);
 * const series = sampled.finish('v6.8');
 * ```
 */
export class SampledEngine extends ForwardingEngineOps implements Engine {
  private readonly recorder: TimelineRecorder;
  private now = 0n;
  private started = false;
  private samples = 0n;

  private readonly step: bigint;

  /**
   * Wraps `inner`, sampling every `intervalMs` ms of virtual time.
   * @throws TimelineError for an interval that is not a whole number of ms ≥ 1.
   * @example `const sampled = new SampledEngine(engine, 100);`
   */
  constructor(
    protected readonly inner: Engine,
    /** The sampling interval in virtual ms. @example `sampled.intervalMs // 100` */
    readonly intervalMs: number,
  ) {
    super();
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
      throw new TimelineError(`the sampling interval must be a whole number of ms ≥ 1, got ${String(intervalMs)}`);
    }
    this.recorder = new TimelineRecorder(intervalMs);
    this.step = BigInt(intervalMs);
  }

  /** The wrapped engine's name. @example `sampled.name // 'wasm'` */
  get name() {
    return this.inner.name;
  }
  /** The wrapped engine's config. @example `sampled.config.possibleCpus` */
  get config() {
    return this.inner.config;
  }

  private sample(): void {
    this.samples++;
    this.recorder.observe(Number(this.now), () => this.inner.snapshot());
  }

  /**
   * Advances the wrapped engine's clock by `ms`, sampling at each interval multiple on the way.
   * @throws TimelineError when the run would pass MAX_TIMELINE_SAMPLES samples; InvalidNumberError for a bad
   *   `ms`; ClockOverflowError (or another IovaLabError) from the wrapped engine.
   * @example `sampled.advanceClock(250n);`
   */
  override advanceClock(ms: bigint): void {
    if (!this.started) {
      this.started = true;
      this.sample(); // t = 0: the lab as set up before time first moves
    }
    toU64('ms', ms);
    const target = this.now + ms;
    // Checked before the engine moves: the samples due by `target`, counted from the run's start.
    const due = target / this.step - this.now / this.step;
    if (this.samples + due > MAX_SAMPLES) {
      throw new TimelineError(
        `advancing ${ms} ms to ${target} ms would bring the timeline to ${this.samples + due} ` +
          `samples at ${this.step} ms, more than the limit of ${MAX_TIMELINE_SAMPLES}; use a longer interval`,
      );
    }
    for (let next = (this.now / this.step + 1n) * this.step; next <= target; next += this.step) {
      this.inner.advanceClock(next - this.now);
      this.now = next;
      this.sample();
    }
    if (target > this.now) this.inner.advanceClock(target - this.now);
    this.now = target;
  }

  /**
   * The series; a run that never advanced its clock still gets its one sample at t = 0.
   * @throws TimelineError for an empty label or a second call.
   * @example `const series = sampled.finish('v6.8+lazy');`
   */
  finish(label: string): TimelineSeries {
    if (!this.started) this.sample();
    return this.recorder.finish(label);
  }

  /**
   * The wrapped engine's counters now.
   * @throws DisposedError after dispose.
   * @example `sampled.snapshot().magazineObjSize`
   */
  snapshot(): Snapshot {
    return this.inner.snapshot();
  }
  /**
   * As Engine.checkInvariants, on the wrapped engine.
   * @throws InvariantError naming the first broken invariant; DisposedError.
   * @example `sampled.checkInvariants();`
   */
  checkInvariants(): void {
    this.inner.checkInvariants();
  }
  /**
   * Disposes the wrapped engine.
   * @example `sampled.dispose();`
   */
  dispose(): void {
    this.inner.dispose();
  }

  /**
   * A batch window whose runs go through {@link SampledEngine.runBatch}, so their advances are sampled.
   * @throws RangeError for a capacity that is not an integer in [1, 2^22].
   * @example `const w = sampled.batchWindow(1024);`
   */
  batchWindow(capacityOps: number): BatchWindow {
    return new ArrayBatchWindow(capacityOps, (ops, n, results) => {
      const { completed, error } = this.runBatch(ops.subarray(0, n * OP_WORDS), results);
      return error ? { completed, error } : { completed };
    });
  }

  /**
   * Runs encoded ops on the wrapped engine, split at each advance op so that its clock advance is sampled.
   * A failing op (a TimelineError from an advance included) is reported in the result's `error`.
   * @throws RangeError when `out` is shorter than one word per op.
   * @example `const { completed } = sampled.runBatch(encodeOps([{ op: 'advance', ms: 500n }]));`
   */
  runBatch(ops: BigUint64Array, out?: BigUint64Array): BatchResult {
    const n = Math.floor(ops.length / OP_WORDS);
    const results = resultsFor(n, out);
    let from = 0;
    const runPiece = (to: number): BatchResult | null => {
      if (to <= from) return null;
      const r = this.inner.runBatch(ops.subarray(from * OP_WORDS, to * OP_WORDS), results.subarray(from, to));
      if (r.error) return { results, completed: from + r.completed, error: r.error };
      from = to;
      return null;
    };
    for (let i = 0; i < n; i++) {
      if (ops[i * OP_WORDS] !== BigInt(OpCode.Advance)) continue;
      const failed = runPiece(i);
      if (failed) return failed;
      try {
        this.advanceClock(ops[i * OP_WORDS + 3]);
      } catch (error) {
        return { results, completed: i, error: error as Error };
      }
      from = i + 1;
    }
    return runPiece(n) ?? { results, completed: n };
  }
}
