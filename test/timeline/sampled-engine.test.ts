// SampledEngine: clock advances are split at the sampling points, so an idle stretch of seconds
// still gives one sample per interval, and batches with Advance ops are sampled the same way.
import { afterEach, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine.js';
import { encodeOps } from '../../src/batch.js';
import { createEngine, labConfig } from '../../src/lab.js';
import { InvalidNumberError } from '../../src/errors.js';
import { SampledEngine } from '../../src/timeline/sampled-engine.js';
import { TimelineError } from '../../src/timeline/sample.js';
import { ENGINES } from '../support/labs.js';
import { MAX_TIMELINE_SAMPLES } from '../../src/share/limits.js';

describe.each(ENGINES)('%s engine', (name) => {
  const made: Engine[] = [];
  afterEach(() => made.splice(0).forEach((e) => e.dispose()));
  const plainEngine = async () => {
    const e = await createEngine(name, labConfig({ possibleCpus: 4 }));
    made.push(e);
    return e;
  };
  const make = async (interval: number) => new SampledEngine(await plainEngine(), interval);

  /** Frees enough size-1 IOVAs on CPU 1 to push `pushes` full magazines into the depot. */
  function fillDepot(e: SampledEngine, dom: number, pushes: number): void {
    const pfns = Array.from({ length: 127 * (pushes + 2) }, () => e.alloc(dom, 1n, 0xfffffn, false));
    for (const pfn of pfns) e.freeFast(dom, 1, pfn, 1n);
  }

  it('one long advance gives a sample per interval and shows the trim work draining the depot', async () => {
    const e = await make(100);
    const dom = e.createDomain(4096, 1n);
    fillDepot(e, dom, 10);
    e.advanceClock(1000n);
    const { samples } = e.finish('v6.8');
    expect(samples.map((s) => s.tMs)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    // one magazine trimmed per 100 ms until the depot holds the 4 online CPUs' worth
    expect(samples.map((s) => s.depotMagazines[0])).toEqual([10, 9, 8, 7, 6, 5, 4, 4, 4, 4, 4]);
    expect(samples.at(-1)!.depotMagazinesTotal).toBe(e.snapshot().magazines.depot);
  });

  it('advances that stop between sampling points sample only at the points', async () => {
    const e = await make(100);
    e.createDomain(4096, 1n);
    for (const ms of [30n, 30n, 30n, 30n, 250n]) e.advanceClock(ms);
    expect(e.finish('x').samples.map((s) => s.tMs)).toEqual([0, 100, 200, 300]);
    expect(e.snapshot().nowMs).toBe(370);
  });

  it('a batch is run in pieces around its Advance ops, with the same results as one batch', async () => {
    const e = await make(50);
    const plain = await plainEngine();
    const ops = encodeOps([
      { op: 'createDomain', granule: 4096, startPfn: 1n },
      { op: 'allocFast', domain: 0, cpu: 0, size: 1n, limitPfn: 0xfffffn, flushRcache: true },
      { op: 'advance', ms: 120n },
      { op: 'allocFast', domain: 0, cpu: 0, size: 1n, limitPfn: 0xfffffn, flushRcache: true },
      { op: 'advance', ms: 40n },
      { op: 'free', domain: 0, pfn: 0x12345n }, // not allocated: the batch stops here
      { op: 'advance', ms: 1000n },
    ]);
    const got = e.runBatch(ops);
    const want = plain.runBatch(ops);
    expect(got.completed).toBe(5);
    expect(got.completed).toBe(want.completed);
    expect([...got.results]).toEqual([...want.results]);
    expect(got.error?.constructor).toBe(want.error?.constructor);
    expect(e.finish('b').samples.map((s) => s.tMs)).toEqual([0, 50, 100, 150]);
    expect(e.snapshot()).toEqual(plain.snapshot());
  });

  it('refuses intervals and advances it cannot sample, before changing anything', async () => {
    await expect(make(0)).rejects.toThrow(TimelineError);
    await expect(make(2.5)).rejects.toThrow(/whole number of ms .*2\.5/);
    const e = await make(1);
    expect(() => e.advanceClock(-1n)).toThrow(InvalidNumberError);
    expect(() => e.advanceClock(10_000_000n)).toThrow(/10000001 samples/);
    expect(e.snapshot().nowMs).toBe(0);
  });
});

describe('SampledEngine: one run holds at most MAX_TIMELINE_SAMPLES samples', () => {
  it('refuses the advance that would pass the limit, over many advances, before the engine moves', async () => {
    const inner = await createEngine('ts', labConfig({ possibleCpus: 2 }));
    try {
      const e = new SampledEngine(inner, 1);
      const half = BigInt(Math.floor(MAX_TIMELINE_SAMPLES / 2));
      e.advanceClock(half);
      const before = inner.snapshot().nowMs;
      // each advance alone is small; together they pass the run's limit
      expect(() => e.advanceClock(half + 10n)).toThrow(new RegExp(`limit of ${MAX_TIMELINE_SAMPLES}`));
      expect(inner.snapshot().nowMs).toBe(before);
      expect(e.finish('x').samples.length).toBeLessThanOrEqual(MAX_TIMELINE_SAMPLES);
    } finally {
      inner.dispose();
    }
  });
});
