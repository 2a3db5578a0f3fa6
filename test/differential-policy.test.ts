// Every kernel profile and what-if policy is the same code path in both engines: random configs
// (tiny magazines, fixed depots, lazy and dynamic magazines, odd trim settings) with random
// streams must agree op by op, snapshot by snapshot, and pass both invariant checkers.
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../src/snapshot.js';
import { expectAgreement } from './support/differential.js';
import { labConfigArb } from './support/policy-arb.js';

describe('differential: profiles and policies', () => {
  it('agree on random policies and streams, reaching every policy branch', async () => {
    const seen = { overflows: 0, trims: 0, pops: 0, lazyPartial: 0 };
    const sum = (s: Snapshot, f: 'depotOverflows' | 'depotTrims' | 'depotPops') =>
      s.classes.reduce((n, c) => n + c[f], 0);
    const ops = await expectAgreement(labConfigArb, 150, 300, 4711, (_op, _a, _b, s) => {
      seen.overflows = Math.max(seen.overflows, sum(s, 'depotOverflows'));
      seen.trims = Math.max(seen.trims, sum(s, 'depotTrims'));
      seen.pops = Math.max(seen.pops, sum(s, 'depotPops'));
      // lazy: some CPU magazines exist but not all of them
      const eager = 2 * s.possibleCpus * 6 * s.domains.length;
      if (s.magazines.loaded + s.magazines.prev > 0 && s.magazines.loaded + s.magazines.prev < eager)
        seen.lazyPartial++;
    });
    expect(ops).toBeGreaterThan(20_000);
    expect(seen.overflows).toBeGreaterThan(0);
    expect(seen.trims).toBeGreaterThan(0);
    expect(seen.pops).toBeGreaterThan(0);
    expect(seen.lazyPartial).toBeGreaterThan(0);
  }, 600_000);
});
