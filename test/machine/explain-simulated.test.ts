// simulate's own slab output, fed to explain, must be read back as exactly what was simulated.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeVariant, runScenario } from '../../src/cli/scenario.js';
import { PROFILE_NAMES, type ProfileName } from '../../src/policy.js';
import { explainSlab } from '../../src/report/explain.js';
import { formatSlabinfo } from '../../src/report/slabinfo.js';
import { formatSlabtop } from '../../src/report/slabtop.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../../src/workloads/index.js';
import { run } from '../support/cli.js';

describe('explain reads simulate output as what was simulated', () => {
  it('domain count, magazines and extra (depot) magazines, for every profile, workload and format', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...PROFILE_NAMES),
        fc.constantFrom(...WORKLOAD_NAMES),
        fc.constantFrom('slabinfo', 'slabtop'),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 1000 }),
        async (profile: ProfileName, workload: WorkloadName, format, cpus, domains, ops, seed) => {
          const { snapshot: s } = await runScenario(makeVariant(profile), {
            kind: 'workload',
            cpus,
            online: cpus,
            domains,
            slabGeometry: 'slub',
            workload,
            ops,
            durationMs: 500,
            seed,
            engine: 'ts',
          });
          // beyond one domain's eager magazines the depot would look like another domain: the count is then ambiguous
          fc.pre(s.magazines.depot < 12 * cpus);
          const text = format === 'slabinfo' ? formatSlabinfo(s) : formatSlabtop(s);
          const e = explainSlab(text, { possibleCpus: cpus, profile });
          expect(e.layout.magazineCache).toBe(s.magazineCache);
          expect(e.domains).toBe(domains);
          expect(e.magazines).toBe(s.magazines.total);
          expect(e.extraMagazines).toBe(s.magazines.depot);
          expect(e.consistent).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);
  it('simulate --preset seed | explain --cpus 128 is 159 domains, not a leak', () => {
    const sim = run(['simulate', '--preset', 'seed']);
    const r = run(['explain', '--cpus', '128', '--json'], sim.stdout);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      domains: 159,
      magazines: 244224,
      extraMagazines: 0,
      consistent: true,
    });
    const unnamed = run(['simulate', '--preset', 'seed', '--magazines', 'unnamed', '--format', 'slabinfo']);
    const u = JSON.parse(run(['explain', '--cpus', '128', '--json'], unnamed.stdout).stdout) as {
      domains: number;
      magazines: number;
    };
    expect(u).toMatchObject({ domains: 159, magazines: 244224 });
  });
  it('impossible lines exit 2 naming the values, on the command line', () => {
    for (const [line, what] of [
      ['  10 11 100% 1.00K 3 4 12K iommu_iova_magazine', '11 active objects exceed the 10 objects'],
      ['iommu_iova_magazine 1 1 0 4 1 : tunables 0 0 0 : slabdata 1 1 0', 'object size 0'],
      [
        '  99999999999999999 1 100% 1.00K 3 4 12K iommu_iova_magazine',
        '99999999999999999 is beyond the exact integer range',
      ],
    ]) {
      const r = run(['explain', line, '--cpus', '4']);
      expect(r.status, line).toBe(2);
      expect(r.stderr).toContain(what);
    }
  });
});
