// A crowded 32-bit window under every facet step, on both engines: domain 1 starts at 0xfff00, so
// its 256 PFNs below dma_32bit_pfn fill within a few dozen allocations. There the v5.11-v6.1
// retry-start overflow hands out ranges below start_pfn and reaches the search the kernel would
// retry forever; the old v4.7 walk and the fixed retry fail instead. Both engines must agree op
// for op, snapshot for snapshot, with both invariant checkers passing. (A stray free of the
// window's top PFN finds nothing until the window is used: a NotAllocatedError on both engines.)
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/engine.js';
import { profileByName } from '../../src/policy.js';
import { CONFIG, divergence, tsFactory, wasmFactory } from '../support/differential.js';
import type { Outcome, StreamOp } from '../support/opstream.js';
import { FACET_STEP_VERSIONS } from '../support/policy-arb.js';

const WINDOW_START = 0xfff00n; // domain 1 of every differential side
const size = fc.integer({ min: 1, max: 8 });
const cpu = fc.integer({ min: 0, max: 3 });
const crowdedOp: fc.Arbitrary<StreamOp> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('alloc' as const),
      dom: fc.constant(1),
      size,
      wide: fc.constant(false),
      aligned: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant('allocFast' as const),
      dom: fc.constant(1),
      cpu,
      size,
      wide: fc.constant(false),
      flush: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('free' as const), live: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('freeFast' as const), live: fc.nat(), cpu }) },
  // Freeing the window's top range puts cached32_node back on the anchor, where the overflow starts.
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('badFree' as const), dom: fc.constant(1), pfn: fc.constant(0xfffffn) }),
  },
);

describe('a crowded window: wasm and ts agree under every facet step', () => {
  it.each(FACET_STEP_VERSIONS)(
    '%s',
    async (version) => {
      const profile = profileByName(version);
      const config: LabConfig = {
        ...CONFIG,
        magazines: profile.magazines,
        profile: profile.name,
        policy: { ...profile.policy },
      };
      const seen = { belowStart: 0, nonTerminating: 0, ops: 0 };
      const observe = (op: StreamOp, a: Outcome): void => {
        seen.ops++;
        if ('error' in a && a.error === 'NonTerminatingWalkError') seen.nonTerminating++;
        if ((op.k === 'alloc' || op.k === 'allocFast') && 'value' in a) {
          const pfn = BigInt(a.value);
          if (pfn !== 0n && pfn < WINDOW_START) seen.belowStart++;
        }
      };
      const result = await fc.check(
        fc.asyncProperty(fc.array(crowdedOp, { minLength: 1, maxLength: 200, size: 'max' }), async (s) => {
          const why = await divergence(s, config, wasmFactory, tsFactory, observe);
          if (why !== null) throw new Error(why);
          return true;
        }),
        { numRuns: 60, seed: 2024 },
      );
      expect(result.failed ? String(result.errorInstance) : null).toBeNull();
      expect(seen.ops).toBeGreaterThan(2000);
      // Only the overflow releases leave the window; they do it, and reach the endless retry.
      const overflow = profile.policy.retry === 'overflow';
      expect(seen.belowStart > 0).toBe(overflow);
      if (overflow) expect(seen.nonTerminating).toBeGreaterThan(0);
      else expect(seen.nonTerminating).toBe(0);
    },
    120_000,
  );
});
