// Random streams under the older releases, on both engines: the C model (WASM) and the TS model
// run the same stream and must agree op by op (every returned PFN, error class and status), on
// the full counter snapshot after each op, and pass both invariant checkers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LabConfig } from '../../src/engine.js';
import { profileByName } from '../../src/policy.js';
import { CONFIG, divergence, tsFactory, wasmFactory } from '../support/differential.js';
import { stream } from '../support/opstream.js';

// A release of every design and of each facet step in between (walk, pop, max32, retry, rounding, fix).
const VERSIONS = [
  'v4.7',
  'v4.14',
  'v4.15',
  'v4.18',
  'v4.19',
  'v5.4',
  'v5.10',
  'v5.11',
  '5.15',
  'v5.17',
  'v6.0',
  'v6.1',
  'v6.2',
  'v6.6',
  'v6.7',
  'v6.8',
  'v6.9',
];

describe('random streams under each release: wasm and ts agree op for op', () => {
  it.each(VERSIONS)(
    '%s',
    async (version) => {
      const profile = profileByName(version);
      const config: LabConfig = {
        ...CONFIG,
        magazines: profile.magazines,
        profile: profile.name,
        policy: { ...profile.policy },
      };
      let ops = 0;
      const result = await fc.check(
        fc.asyncProperty(stream(150), async (s) => {
          ops += s.length;
          const why = await divergence(s, config, wasmFactory, tsFactory);
          if (why !== null) throw new Error(why);
          return true;
        }),
        { numRuns: 25, seed: 1307 },
      );
      expect(result.failed ? String(result.errorInstance) : null).toBeNull();
      expect(ops).toBeGreaterThan(1000);
    },
    120_000,
  );
});
