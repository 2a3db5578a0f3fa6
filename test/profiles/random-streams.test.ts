// Random streams under the older releases' facets on the TS engine: after every op both invariant
// checkers' rules hold (no IOVA lost or cached twice, slab objects accounted), and two runs of the
// same stream agree op by op. The C model joins these streams once it runs the same facets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/engine.js';
import { profileByName } from '../../src/policy.js';
import { CONFIG, divergence, tsFactory } from '../support/differential.js';
import { stream } from '../support/opstream.js';

const VERSIONS = ['v4.7', 'v4.14', 'v4.18', 'v5.4', 'v5.10', '5.15', 'v6.0', 'v6.1', 'v6.6'];

describe('random streams under older releases (TS engine)', () => {
  it.each(VERSIONS)('%s: invariants hold after every op and replays agree', async (version) => {
    const profile = profileByName(version);
    const config: LabConfig = { ...CONFIG, magazines: profile.magazines, profile: profile.name, policy: { ...profile.policy } };
    let ops = 0;
    const result = await fc.check(
      fc.asyncProperty(stream(150), async (s) => {
        ops += s.length;
        const why = await divergence(s, config, tsFactory, tsFactory);
        if (why !== null) throw new Error(why);
        return true;
      }),
      { numRuns: 25, seed: 1307 },
    );
    expect(result.failed ? String(result.errorInstance) : null).toBeNull();
    expect(ops).toBeGreaterThan(1000);
  }, 120_000);
});
