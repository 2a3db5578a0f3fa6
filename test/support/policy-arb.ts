// Random lab configs across kernel profiles and what-if policies, biased towards tiny magazines
// and depots so that streams of a few hundred ops fill magazines, overflow fixed depots, trim
// and grow dynamic magazines.
import fc from 'fast-check';
import type { LabConfig } from '../../src/engine.js';
import { KERNEL_PROFILES, PROFILE_NAMES, type RcachePolicy } from '../../src/policy.js';
import { C_MODEL_FACETS } from '../../src/profiles/wasm-facets.js';

const tweaked: fc.Arbitrary<RcachePolicy> = fc
  .record({
    magazineSize: fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constantFrom(127, 128)),
    depotCap: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3 }), fc.constant(32)),
    trimDelayMs: fc.constantFrom(0, 100, 7, 250),
    trimThreshold: fc.oneof(fc.constant('online' as const), fc.integer({ min: 0, max: 3 })),
    lazy: fc.boolean(),
    rcacheArrayBytes: fc.constantFrom(0, 720, 1680, 72),
  })
  .chain((p) => fc.record({
    dynamicInitial: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: p.magazineSize })),
  }).map(({ dynamicInitial }) => ({ ...p, dynamicInitial, ...C_MODEL_FACETS })));

// Each design's rcache knobs with the walk, pop and flush facets the C model runs so far.
const profilePolicy = fc.constantFrom(...PROFILE_NAMES).map((name) => ({ ...KERNEL_PROFILES[name].policy, ...C_MODEL_FACETS }));

export const policyArb: fc.Arbitrary<RcachePolicy> = fc.oneof(profilePolicy, tweaked);

export const labConfigArb: fc.Arbitrary<LabConfig> = fc.record({
  possibleCpus: fc.constant(4),
  onlineCpus: fc.integer({ min: 1, max: 4 }),
  magazines: fc.constantFrom('named' as const, 'unnamed' as const),
  slabGeometry: fc.constantFrom('slub' as const, 'order0' as const),
  policy: policyArb,
});

/** One lab config per kernel profile (the base config's machine, the profile's policy). */
export function profileConfigs(base: LabConfig): { name: string; config: LabConfig }[] {
  return PROFILE_NAMES.map((name) => ({ name, config: { ...base, policy: { ...KERNEL_PROFILES[name].policy, ...C_MODEL_FACETS } } }));
}
