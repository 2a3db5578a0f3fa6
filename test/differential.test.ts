// The C/WASM engine and the TS model run the same random streams; after every op the outcome,
// the full counter snapshot and both invariant checkers must agree. A failure is shrunk by
// fast-check and reported as a replayable trace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../src/engine.js';
import { CONFIG, expectAgreement } from './support/differential.js';

describe('differential: wasm engine vs TS model', () => {
  it('agree on every op of random streams (≥ 10^5 ops in all)', async () => {
    expect(await expectAgreement(fc.constant(CONFIG), 250, 1000, 20261124)).toBeGreaterThanOrEqual(100_000);
  }, 600_000);

  it('agree in unnamed mode with order-0 slabs and fewer online CPUs', async () => {
    const config: LabConfig = { possibleCpus: 4, onlineCpus: 2, magazines: 'unnamed', slabGeometry: 'order0' };
    expect(await expectAgreement(fc.constant(config), 200, 100, 7)).toBeGreaterThan(0);
  }, 600_000);
});
