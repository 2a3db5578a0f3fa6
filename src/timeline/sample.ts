// Timeline samples: a few counters read off a Snapshot at points of virtual time, and the
// recorder that decides when a runner's clock has reached the next sampling point.
import { IovaLabError } from '../errors.js';
import { RCACHE_CLASSES, cacheByName, type Snapshot } from '../snapshot.js';

/**
 * A timeline that cannot be sampled, recorded or rendered as asked (status 0: never from an engine).
 * @example `catch (e) { if (e instanceof TimelineError) console.error(e.message); }`
 */
export class TimelineError extends IovaLabError {
  override name = 'TimelineError';
  /**
   * An error with `message` and status 0.
   * @example `new TimelineError('bad interval')`
   */
  constructor(message: string) {
    super(message, 0);
  }
}

/**
 * The lab's rcache counters at one virtual time.
 * @example `sampleSnapshot(lab.snapshot()).depotMagazinesTotal`
 */
export interface TimelineSample {
  /** Virtual time of the sample, in milliseconds. @example `100` */
  tMs: number;
  /** Magazines sitting in the depots, per size class (index k = class k), lab-wide. @example `[0, 2, 0, 0, 0, 1]` */
  depotMagazines: number[];
  /** Sum of depotMagazines. @example `3` */
  depotMagazinesTotal: number;
  /**
   * IOVAs waiting in the flush queues of lazy DMA domains (absent in timelines from before the DMA layer: 0).
   * @example `0`
   */
  queued?: number;
  /** Every magazine in the lab (loaded + prev + depot). @example `1536` */
  magazines: number;
  /** magazines × magazineObjSize: slab memory held by magazine objects. @example `1572864` */
  magazineBytes: number;
  /** Live iommu_iova objects (activeObjs of that cache). @example `12` */
  iovaObjects: number;
  /** iovaObjects × the iommu_iova object size. @example `768` */
  iovaBytes: number;
  /**
   * rcache hits in the window since the previous sample (since the lab started for the first one), all classes.
   * @example `90`
   */
  hits: number;
  /** rcache misses in the same window. @example `10` */
  misses: number;
  /** hits / (hits + misses) over the window; null when the window had no rcache lookups. @example `0.9` */
  hitRate: number | null;
  /** Lab-lifetime hits / (hits + misses); null before the first lookup. @example `0.85` */
  cumulativeHitRate: number | null;
}

/**
 * The samples of one run, under a label.
 * @example `const series = recorder.finish('v6.8');`
 */
export interface TimelineSeries {
  /**
   * What was run, e.g. a kernel profile: "v4.7", "v6.8", "v6.8+lazy". Unique within a Timeline.
   * @example `'v6.8+lazy'`
   */
  label: string;
  /** The samples, in time order. @example `series.samples.at(-1)?.tMs` */
  samples: TimelineSample[];
}

/**
 * Several runs sampled at one interval, ready to draw or export.
 * @example `const timeline: Timeline = { intervalMs: 100, series: [recorder.finish('v6.8')] };`
 */
export interface Timeline {
  /** The sampling interval the recorders used, in virtual milliseconds. @example `100` */
  intervalMs: number;
  /** One series per variant that was run. @example `timeline.series.map((s) => s.label)` */
  series: TimelineSeries[];
}

/** Bytes of one magazine object, checked: a hand-built or older snapshot may lack it. */
function magazineObjSize(s: Snapshot): number {
  const size: unknown = s.magazineObjSize;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) {
    throw new TimelineError(`snapshot.magazineObjSize must be a positive integer, got ${String(size)}`);
  }
  return size;
}

function lookups(s: Snapshot): { hits: number; misses: number } {
  if (s.classes.length !== RCACHE_CLASSES) {
    throw new TimelineError(`snapshot has ${s.classes.length} size classes, expected ${RCACHE_CLASSES}`);
  }
  let hits = 0;
  let misses = 0;
  for (const c of s.classes) {
    hits += c.hits;
    misses += c.misses;
  }
  return { hits, misses };
}

function ratio(hits: number, misses: number): number | null {
  const total = hits + misses;
  return total > 0 ? hits / total : null;
}

/**
 * The sample for one snapshot. `previous` is the snapshot of the previous sample of the same run:
 * hits, misses and hitRate cover the window between the two. Without it the window starts when
 * the lab started (the counters start at zero), so the first sample's hitRate equals its
 * cumulativeHitRate. tMs is the snapshot's own clock.
 * @throws TimelineError for a snapshot without the counters a sample needs.
 * @example `const sample = sampleSnapshot(lab.snapshot(), previous);`
 */
export function sampleSnapshot(s: Snapshot, previous?: Snapshot): TimelineSample {
  const iova = cacheByName(s, 'iommu_iova');
  if (iova === undefined) throw new TimelineError('snapshot has no iommu_iova cache');
  const now = lookups(s);
  let hits = now.hits;
  let misses = now.misses;
  if (previous !== undefined) {
    if (previous.nowMs > s.nowMs) {
      throw new TimelineError(`previous snapshot is later (${previous.nowMs} ms) than this one (${s.nowMs} ms)`);
    }
    const before = lookups(previous);
    hits -= before.hits;
    misses -= before.misses;
    if (hits < 0 || misses < 0) {
      throw new TimelineError('rcache hit/miss counters went down since the previous snapshot: not the same lab?');
    }
  }
  const depotMagazines = s.classes.map((c) => c.depotMags);
  return {
    tMs: Number(s.nowMs), // a plot's time axis: a double is enough
    depotMagazines,
    depotMagazinesTotal: depotMagazines.reduce((a, b) => a + b, 0),
    queued: s.domains.reduce((n, d) => n + d.queued, 0),
    magazines: s.magazines.total,
    magazineBytes: s.magazines.total * magazineObjSize(s),
    iovaObjects: iova.activeObjs,
    iovaBytes: iova.activeObjs * iova.objSize,
    hits,
    misses,
    hitRate: ratio(hits, misses),
    cumulativeHitRate: ratio(now.hits, now.misses),
  };
}

/**
 * Samples one run every `intervalMs` of virtual time. The runner calls observe() after each step
 * with its clock; the sampling rule is:
 *
 * - The first call always records a sample (this is t = 0 when the runner starts its clock at 0).
 * - After that a sample is due at each multiple of intervalMs after the last recorded one. A call
 *   whose clock has reached or passed the next due multiple records exactly one sample, at the
 *   clock's time: a step that jumps over several multiples gives one sample, not one per multiple,
 *   because no snapshot exists for the times skipped. The next multiple after the clock is then due.
 * - Calls before the next due multiple record nothing; a clock that goes backwards is an error.
 *
 * Samples are stamped with the `nowMs` given to observe(), the runner's clock. Each sample's
 * hit-rate window runs from the previous recorded sample.
 * @throws TimelineError for a bad interval, or (from observe) a bad time or a call after finish().
 * @example `const rec = new TimelineRecorder(100); rec.observe(0, () => lab.snapshot());`
 */
export class TimelineRecorder {
  private readonly samples: TimelineSample[] = [];
  private previous: Snapshot | undefined;
  private lastMs = -Infinity;
  private nextDueMs = -Infinity;
  private finished = false;

  /**
   * A recorder sampling every `intervalMs` virtual ms.
   * @throws TimelineError for an interval that is not a positive finite number.
   * @example `const recorder = new TimelineRecorder(100);`
   */
  constructor(
    /** The sampling interval, in virtual ms. @example `recorder.intervalMs // 100` */
    readonly intervalMs: number,
  ) {
    if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new TimelineError(`intervalMs must be a positive finite number, got ${String(intervalMs)}`);
    }
  }

  /**
   * Records a sample if the clock has reached the next sampling point; returns it, or null.
   * @throws TimelineError after finish(), for a negative or non-finite time, or a clock going backwards.
   * @example `recorder.observe(elapsedMs, () => lab.snapshot());`
   */
  observe(nowMs: number, takeSnapshot: () => Snapshot): TimelineSample | null {
    if (this.finished) throw new TimelineError('observe() after finish()');
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs) || nowMs < 0) {
      throw new TimelineError(`nowMs must be a non-negative finite number, got ${String(nowMs)}`);
    }
    if (nowMs < this.lastMs) throw new TimelineError(`clock went backwards: ${nowMs} ms after ${this.lastMs} ms`);
    this.lastMs = nowMs;
    if (nowMs < this.nextDueMs) return null;
    const snapshot = takeSnapshot();
    const sample = { ...sampleSnapshot(snapshot, this.previous), tMs: nowMs };
    this.samples.push(sample);
    this.previous = snapshot;
    this.nextDueMs = this.nextMultipleAfter(nowMs);
    return sample;
  }

  /**
   * The samples so far (a copy).
   * @example `recorder.recorded.length`
   */
  get recorded(): readonly TimelineSample[] {
    return [...this.samples];
  }

  /**
   * Ends the run and hands back its series; the recorder takes no more observations.
   * @throws TimelineError for an empty label.
   * @example `const series = recorder.finish('v6.8');`
   */
  finish(label: string): TimelineSeries {
    if (typeof label !== 'string' || label === '') throw new TimelineError('a series needs a non-empty label');
    this.finished = true;
    return { label, samples: [...this.samples] };
  }

  /** The smallest multiple of intervalMs strictly greater than t (guarding float rounding). */
  private nextMultipleAfter(t: number): number {
    let k = Math.floor(t / this.intervalMs) + 1;
    while (k * this.intervalMs <= t) k += 1;
    while (k > 1 && (k - 1) * this.intervalMs > t) k -= 1;
    return k * this.intervalMs;
  }
}
