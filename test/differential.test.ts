// The C/WASM engine and the TS model run the same random streams; after every op the outcome,
// the full counter snapshot and both invariant checkers must agree. A failure is shrunk by
// fast-check and reported as a replayable trace.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../src/engine.js';
import { CONFIG, divergence } from './support/differential.js';
import { stream, type StreamOp } from './support/opstream.js';
import { traceOfStream } from './support/trace-of-stream.js';

/** Runs the property; returns the ops generated, or throws with the shrunk stream as a trace. */
async function expectAgreement(config: LabConfig, maxLength: number, numRuns: number, seed: number): Promise<number> {
  let ops = 0;
  const result = await fc.check(
    fc.asyncProperty(stream(maxLength), async (s) => {
      ops += s.length;
      return (await divergence(s, config)) === null;
    }),
    { numRuns, seed },
  );
  if (result.failed) {
    const shrunk = result.counterexample?.[0] as StreamOp[];
    const why = await divergence(shrunk, config);
    throw new Error(`engines diverge (seed ${seed}, ${result.numShrinks} shrinks): ${why}\n` +
      `--- replayable trace ---\n${await traceOfStream(shrunk, config)}`);
  }
  return ops;
}

describe('differential: wasm engine vs TS model', () => {
  it('agree on every op of random streams (≥ 10^5 ops in all)', async () => {
    expect(await expectAgreement(CONFIG, 250, 1000, 20261124)).toBeGreaterThanOrEqual(100_000);
  }, 600_000);

  it('agree in unnamed mode with order-0 slabs and fewer online CPUs', async () => {
    const config: LabConfig = { possibleCpus: 4, onlineCpus: 2, magazines: 'unnamed', slabGeometry: 'order0' };
    expect(await expectAgreement(config, 200, 100, 7)).toBeGreaterThan(0);
  }, 600_000);
});
