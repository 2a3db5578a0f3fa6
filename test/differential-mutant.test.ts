// Proof that the differential test can fail: run the same property against a deliberately broken
// TS engine and check that fast-check finds, shrinks and reports a short counterexample.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONFIG, divergence, wasmFactory } from './support/differential.js';
import { KeepsCpuCacheEngine, MUTANTS } from './support/mutants.js';
import { stream } from './support/opstream.js';
import { traceOfStream } from './support/trace-of-stream.js';

describe('differential: the property catches a broken engine', () => {
  it.each(MUTANTS)(
    '%s: fails, shrinks and reports a short replayable counterexample',
    async (_name, mutant) => {
      const result = await fc.check(
        fc.asyncProperty(stream(250), async (s) => (await divergence(s, CONFIG, wasmFactory, mutant)) === null),
        { numRuns: 200, seed: 20261124 },
      );
      expect(result.failed).toBe(true);
      expect(result.numShrinks).toBeGreaterThan(0);
      const shrunk = result.counterexample![0];
      expect(shrunk.length).toBeLessThanOrEqual(20);
      const why = await divergence(shrunk, CONFIG, wasmFactory, mutant);
      expect(why).not.toBeNull();
      const trace = await traceOfStream(shrunk);
      console.log(
        `mutant caught after ${result.numRuns} run(s), ${result.numShrinks} shrink(s); ` +
          `shrunk stream: ${shrunk.length} op(s)\n${why!.slice(0, 300)}…\n--- replayable trace ---\n${trace}`,
      );
    },
    300_000,
  );

  // The trace format has no line for free_cpu_cached_iovas, so this counterexample is not replayable.
  it('catches free_cpu_cached_iovas keeping the cache, with that op in the shrunk stream', async () => {
    const mutant = (c: typeof CONFIG) => new KeepsCpuCacheEngine(c);
    const result = await fc.check(
      fc.asyncProperty(stream(250), async (s) => (await divergence(s, CONFIG, wasmFactory, mutant)) === null),
      { numRuns: 200, seed: 20261124 },
    );
    expect(result.failed).toBe(true);
    const shrunk = result.counterexample![0];
    expect(shrunk.length).toBeLessThanOrEqual(20);
    expect(shrunk.some((op) => op.k === 'freeCpuCached')).toBe(true);
    expect(await divergence(shrunk, CONFIG, wasmFactory, mutant)).toMatch(
      /^op \d+ \{"k":"freeCpuCached"[^}]*\}: snapshots differ/,
    );
  }, 300_000);
});
