import { describe, expect, it } from 'vitest';
import type { EngineName } from '../../src/engine.js';
import { IovaLab } from '../../src/lab.js';
import type { Snapshot } from '../../src/snapshot.js';
import {
  TimelineError,
  TimelineRecorder,
  sampleSnapshot,
  timelineToCsv,
  type TimelineSeries,
} from '../../src/timeline/index.js';
import { snap } from './fixtures.js';

describe('sampleSnapshot', () => {
  it('reads depots, magazine bytes (× magazineObjSize) and iommu_iova bytes (× objSize)', () => {
    const s = sampleSnapshot(
      snap({
        nowMs: 7,
        depotMags: [1, 2, 3, 0, 0, 4],
        magazinesTotal: 11,
        iovaActive: 5,
        iovaObjSize: 64,
        magazineObjSize: 2048,
      }),
    );
    expect(s.tMs).toBe(7);
    expect(s.depotMagazines).toEqual([1, 2, 3, 0, 0, 4]);
    expect(s.depotMagazinesTotal).toBe(10);
    expect(s.magazines).toBe(11);
    expect(s.magazineBytes).toBe(11 * 2048);
    expect(s.iovaObjects).toBe(5);
    expect(s.iovaBytes).toBe(5 * 64);
  });

  it('hit rate covers the window since the previous snapshot, summed over classes', () => {
    const prev = snap({
      nowMs: 10,
      lookups: [
        [10, 10],
        [0, 0],
        [5, 5],
      ],
    }); // 15 hits, 15 misses
    const now = snap({
      nowMs: 20,
      lookups: [
        [16, 11],
        [3, 0],
        [5, 7],
      ],
    }); // 24 hits, 18 misses
    const s = sampleSnapshot(now, prev);
    expect(s.hits).toBe(9);
    expect(s.misses).toBe(3);
    expect(s.hitRate).toBe(0.75);
    expect(s.cumulativeHitRate).toBeCloseTo(24 / 42, 12);
  });

  it('without a previous snapshot the window is the lab lifetime', () => {
    const s = sampleSnapshot(snap({ lookups: [[1, 3]] }));
    expect(s.hitRate).toBe(0.25);
    expect(s.cumulativeHitRate).toBe(0.25);
  });

  it('a window without lookups has a null hit rate, not NaN', () => {
    const a = snap({ nowMs: 0, lookups: [[4, 4]] });
    const b = snap({ nowMs: 10, lookups: [[4, 4]] });
    const s = sampleSnapshot(b, a);
    expect(s.hits + s.misses).toBe(0);
    expect(s.hitRate).toBeNull();
    expect(s.cumulativeHitRate).toBe(0.5);
    expect(sampleSnapshot(snap()).cumulativeHitRate).toBeNull();
  });

  it('rejects counters that go down, a later previous snapshot, and a missing magazineObjSize', () => {
    expect(() => sampleSnapshot(snap({ nowMs: 5, lookups: [[1, 0]] }), snap({ nowMs: 0, lookups: [[2, 0]] }))).toThrow(
      TimelineError,
    );
    expect(() => sampleSnapshot(snap({ nowMs: 5 }), snap({ nowMs: 6 }))).toThrow(TimelineError);
    const bare = { ...snap() } as Partial<Snapshot> & Record<string, unknown>;
    delete bare.magazineObjSize;
    expect(() => sampleSnapshot(bare as Snapshot)).toThrow(/magazineObjSize/);
  });
});

/** A recorder fed by a fake lab whose hit counter is the clock, so each sample's window is visible. */
function drive(intervalMs: number, clock: number[]): { times: number[]; hits: number[]; snapshots: number } {
  const r = new TimelineRecorder(intervalMs);
  let snapshots = 0;
  for (const now of clock) {
    r.observe(now, () => {
      snapshots++;
      return snap({ nowMs: now, lookups: [[now, 0]] });
    });
  }
  const series = r.finish('x');
  return { times: series.samples.map((s) => s.tMs), hits: series.samples.map((s) => s.hits), snapshots };
}

describe('TimelineRecorder', () => {
  it('records t = 0 on the first call and then at every multiple of the interval', () => {
    const { times, snapshots } = drive(10, [0, 1, 5, 9, 10, 11, 19, 20, 30, 31]);
    expect(times).toEqual([0, 10, 20, 30]);
    expect(snapshots).toBe(4); // snapshots are only taken when a sample is due
  });

  it('records when the clock crosses a multiple, stamped with the clock time', () => {
    expect(drive(10, [0, 4, 8, 12, 16, 20, 24]).times).toEqual([0, 12, 20]);
  });

  it('a jump over several multiples records once, at the jump time, then waits for the next multiple', () => {
    expect(drive(10, [0, 3, 47, 49, 50, 51, 60]).times).toEqual([0, 47, 50, 60]);
    expect(drive(10, [0, 100]).times).toEqual([0, 100]);
  });

  it('repeated calls at the same time record once', () => {
    expect(drive(5, [0, 0, 0, 5, 5, 7]).times).toEqual([0, 5]);
  });

  it('a first call later than 0 still records, and the multiples stay anchored at 0', () => {
    expect(drive(10, [35, 39, 40, 45, 50]).times).toEqual([35, 40, 50]);
  });

  it('each sample window runs from the previous recorded sample', () => {
    // hits == clock: windows are 0, 12-0, 20-12
    expect(drive(10, [0, 4, 12, 16, 20]).hits).toEqual([0, 12, 8]);
  });

  it('handles fractional intervals without skipping a multiple to rounding', () => {
    const clock = Array.from({ length: 11 }, (_, i) => i * 0.1); // 0, 0.1, …, 1.0 with float noise
    expect(drive(0.1, clock).times.length).toBe(11);
  });

  it('rejects bad intervals, bad clocks, a clock going back and use after finish', () => {
    expect(() => new TimelineRecorder(0)).toThrow(TimelineError);
    expect(() => new TimelineRecorder(-1)).toThrow(TimelineError);
    expect(() => new TimelineRecorder(Number.NaN)).toThrow(TimelineError);
    const r = new TimelineRecorder(10);
    expect(() => r.observe(-1, () => snap())).toThrow(TimelineError);
    r.observe(20, () => snap({ nowMs: 20 }));
    expect(() => r.observe(19, () => snap({ nowMs: 19 }))).toThrow(/backwards/);
    expect(() => r.finish('')).toThrow(TimelineError);
    expect(r.finish('ok').samples).toHaveLength(1);
    expect(() => r.observe(30, () => snap({ nowMs: 30 }))).toThrow(/finish/);
  });

  /** A runner: 30 steps of 3 ms, each allocating and freeing 8 single-page IOVAs on one CPU. */
  async function run(engine: EngineName): Promise<{ series: TimelineSeries; last: Snapshot }> {
    using lab = await IovaLab.create({ possibleCpus: 2, engine });
    using domain = lab.createDomain();
    const r = new TimelineRecorder(10);
    let now = 0;
    r.observe(now, () => lab.snapshot());
    for (let step = 0; step < 30; step++) {
      const pfns = Array.from({ length: 8 }, () => domain.allocFast(step % 2, 1, 0xfffff));
      for (const p of pfns) domain.freeFast(step % 2, p, 1);
      lab.advanceClock(3);
      now += 3;
      r.observe(now, () => lab.snapshot());
    }
    return { series: r.finish(engine), last: lab.snapshot() };
  }

  it('samples a real lab as a runner would', async () => {
    const {
      series: { samples },
      last,
    } = await run('ts');
    expect(samples.map((s) => s.tMs)).toEqual([0, 12, 21, 30, 42, 51, 60, 72, 81, 90]);
    const total = last.classes.reduce((a, c) => a + c.hits + c.misses, 0);
    // The windows add up to every lookup made before the last sample (all of them: it is at the end).
    expect(samples.reduce((a, s) => a + s.hits + s.misses, 0)).toBe(total);
    expect(total).toBeGreaterThan(0);
    expect(samples.at(-1)!.iovaObjects).toBe(last.caches.find((c) => c.name === 'iommu_iova')!.activeObjs);
    expect(samples.at(-1)!.magazineBytes).toBe(last.magazines.total * last.magazineObjSize);
    expect(samples.at(-1)!.magazineBytes).toBeGreaterThan(0);
    for (const s of samples.slice(1)) expect(s.hitRate === null || (s.hitRate >= 0 && s.hitRate <= 1)).toBe(true);
  });

  it('gives the same timeline on both engines', async () => {
    const ts = await run('ts');
    const wasm = await run('wasm');
    expect(timelineToCsv({ intervalMs: 10, series: [{ ...wasm.series, label: 'x' }] })).toBe(
      timelineToCsv({ intervalMs: 10, series: [{ ...ts.series, label: 'x' }] }),
    );
  });
});
