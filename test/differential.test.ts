// The C/WASM engine and the TS model run the same random streams; after every op the outcome,
// the full counter snapshot and both invariant checkers must agree.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../src/engine.js';
import { divergence } from './support/differential.js';
import { stream } from './support/opstream.js';

describe('differential: wasm engine vs TS model', () => {
  it('agree on every op of random streams (≥ 10^5 ops in all)', async () => {
    let ops = 0;
    await fc.assert(
      fc.asyncProperty(stream(250), async (s) => {
        ops += s.length;
        const diff = await divergence(s);
        expect(diff).toBeNull();
      }),
      { numRuns: 1000, seed: 20261124 },
    );
    expect(ops).toBeGreaterThanOrEqual(100_000);
  }, 600_000);

  it('agree in unnamed mode with order-0 slabs and fewer online CPUs', async () => {
    const config: LabConfig = { possibleCpus: 4, onlineCpus: 2, magazines: 'unnamed', slabGeometry: 'order0' };
    await fc.assert(
      fc.asyncProperty(stream(200), async (s) => {
        expect(await divergence(s, config)).toBeNull();
      }),
      { numRuns: 100, seed: 7 },
    );
  }, 600_000);
});
