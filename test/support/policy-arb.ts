// Random lab configs across kernel versions and what-if policies, biased towards tiny magazines
// and depots so that streams of a few hundred ops fill magazines, overflow fixed depots, trim
// and grow dynamic magazines; every release facet (walk, retry, pop, flush, rounding) in any mix.
import fc from 'fast-check';
import type { LabConfig } from '../../src/engine.js';
import { MAGAZINE_POPS, profileByName, RETRY_MODES, TREE_WALKS, type RcachePolicy } from '../../src/policy.js';

/** A release where each facet switches on, so every step of the history is drawn. */
export const FACET_STEP_VERSIONS = ['v4.7', 'v4.15', 'v4.19', 'v5.1', 'v5.11', 'v5.17', 'v6.0', 'v6.2', 'v6.7', 'v6.9'];

const tweaked: fc.Arbitrary<RcachePolicy> = fc
  .record({
    magazineSize: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom(127, 128)),
    depotCap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.constant(32)),
    trimDelayMs: fc.constantFrom(0, 100, 7, 250),
    trimThreshold: fc.oneof(fc.constant('online' as const), fc.integer({ min: 0, max: 3 })),
    lazy: fc.boolean(),
    rcacheArrayBytes: fc.constantFrom(0, 720, 1680, 72),
    treeWalk: fc.constantFrom(...TREE_WALKS),
    max32AllocSize: fc.boolean(),
    retry: fc.constantFrom(...RETRY_MODES),
    magazinePop: fc.constantFrom(...MAGAZINE_POPS),
    flushRcacheArg: fc.boolean(),
    flushDepotOnFailure: fc.boolean(),
    roundSizeInFastAlloc: fc.boolean(),
  })
  .chain((p) =>
    fc
      .record({
        dynamicInitial: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: p.magazineSize })),
      })
      .map(({ dynamicInitial }) => ({ ...p, dynamicInitial })),
  );

const profilePolicy = fc.constantFrom(...FACET_STEP_VERSIONS).map((v) => ({ ...profileByName(v).policy }));

export const policyArb: fc.Arbitrary<RcachePolicy> = fc.oneof(profilePolicy, tweaked);

export const labConfigArb: fc.Arbitrary<LabConfig> = fc.record({
  possibleCpus: fc.constant(4),
  onlineCpus: fc.integer({ min: 1, max: 4 }),
  magazines: fc.constantFrom('named' as const, 'unnamed' as const),
  slabGeometry: fc.constantFrom('slub' as const, 'order0' as const),
  policy: policyArb,
});
