// Both engines run the same random streams through the DMA layer: maps, map-sg, unmaps (good and
// stray), bursts that fill rings, ticks past timers, hotplug, flushes, puts, every domain type,
// every combination of the version facets and several HZ values. After every op the outcome, the
// whole snapshot (per-CPU PFNs, flush-queue counters included) and both invariant checkers agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/engine.js';
import { createEngine } from '../../src/lab.js';
import {
  divergence,
  expectAgreement,
  wasmFactory,
  type EngineFactory,
  type Observer,
} from '../support/differential.js';
import { dmaConfigArb } from '../support/dma-config-arb.js';
import { dmaStream } from '../support/opstream.js';

const configs = dmaConfigArb();

describe('differential: the DMA layer, wasm engine vs TS model', () => {
  it('agree on every op of random DMA streams (≥ 2·10^4 ops in all), reaching every mechanism', async () => {
    const seen = new Map<string, number>();
    const count = (what: string, yes: boolean): void => void (yes && seen.set(what, (seen.get(what) ?? 0) + 1));
    const observe: Observer = (op, a, _b, s) => {
      count(`${op.k} ok`, 'value' in a && a.value !== '0' && a.value !== 'none');
      count(`${op.k} error`, 'error' in a);
      count(
        'timer expired',
        s.domains.some((d) => d.timerExpiries > 0),
      );
      count(
        'ring-full flush',
        s.domains.some((d) => d.flushesFull > 0),
      );
      count(
        'device switched',
        s.domains.some((d) => d.sacSwitched > 0),
      );
      count(
        'queued now',
        s.domains.some((d) => d.queued > 0),
      );
      count(
        'lazy-single',
        s.domains.some((d) => d.dmaType === 3),
      );
    };
    expect(await expectAgreement(configs, 200, 250, 20261201, observe, dmaStream)).toBeGreaterThanOrEqual(20_000);
    for (const what of [
      'map ok',
      'mapSg ok',
      'unmap ok',
      'dmaBurst ok',
      'unmap error',
      'map error',
      'attach error',
      'createDma error',
      'timer expired',
      'ring-full flush',
      'device switched',
      'queued now',
      'lazy-single',
    ]) {
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(0);
    }
  }, 600_000);
});

describe('differential: the DMA streams catch a facet the engines disagree on', () => {
  it.each([
    [
      'the SAC latch',
      (c: LabConfig): LabConfig => ({ ...c, dmaFacets: { ...c.dmaFacets!, sacLatch: !c.dmaFacets!.sacLatch } }),
    ],
    ['HZ', (c: LabConfig): LabConfig => ({ ...c, hz: c.hz === 250 ? 1000 : 250 })],
  ])(
    '%s',
    async (_what, mutate) => {
      const mutant: EngineFactory = (c) => createEngine('ts', mutate(c));
      const runs = fc.sample(fc.tuple(configs, dmaStream(200)), { seed: 5, numRuns: 40 });
      const found = await Promise.all(runs.map(([config, s]) => divergence(s, config, wasmFactory, mutant)));
      expect(found.some((d) => d !== null)).toBe(true);
    },
    600_000,
  );
});
