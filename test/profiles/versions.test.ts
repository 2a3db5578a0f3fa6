// Kernel versions resolve to the facets of their release (the spec's table of older kernels):
// checked field by field against the releases the spec names, not against the code's output.
import { describe, expect, it } from 'vitest';
import { LabConfigError } from '../../src/errors.js';
import { DEFAULT_PROFILE, profileByName, resolvePolicy } from '../../src/policy.js';
import { designReleases, resolveKernel } from '../../src/profiles/designs.js';
import { parseTrace } from '../../src/trace/parse.js';
import { newLab } from '../support/labs.js';

describe('version resolution', () => {
  it.each([
    // version, canonical name, design, magazine PFNs, fixed depot?, named cache?
    ['4.7', 'v4.7', 'v4.7', 128, true, false],
    ['5.15', 'v5.15', 'v4.7', 128, true, false],
    ['v5.19', 'v5.19', 'v4.7', 128, true, false],
    ['6.0', 'v6.0', 'v6.0', 127, true, false],
    ['v6.6', 'v6.6', 'v6.0', 127, true, false],
    ['6.7', 'v6.7', 'v6.7', 127, false, false],
    ['v6.8', 'v6.8', 'v6.7', 127, false, false],
    ['v6.9', 'v6.9', 'v6.9', 127, false, true],
    ['6.12.3', 'v6.12.3', 'v6.9', 127, false, true],
  ] as const)(
    '%s → %s, design %s, %i-PFN magazines, fixed depot %s, named %s',
    (text, name, design, mag, fixed, named) => {
      const p = resolveKernel(text);
      expect(p).toMatchObject({ name, design, magazines: named ? 'named' : 'unnamed' });
      expect(p.policy.magazineSize).toBe(mag);
      expect(p.policy.depotCap).toBe(fixed ? 32 : 0);
      expect(p.policy.trimDelayMs).toBe(fixed ? 0 : 100);
    },
  );

  it('5.15: the fixed-depot 128-PFN design with the anchor walk, the retry-start overflow, the caller rounding', () => {
    expect(resolveKernel('5.15').policy).toMatchObject({
      treeWalk: 'v4.15',
      max32AllocSize: true,
      retry: 'overflow',
      magazinePop: 'scan',
      flushDepotOnFailure: true,
      roundSizeInFastAlloc: false,
      rcacheArrayBytes: 0,
    });
    expect(resolveKernel('5.15').dma).toMatchObject({ roundInCaller: true, sacLatch: false, singleFlushQueue: false });
  });

  it('each facet switches on at its release', () => {
    const at = (v: string) => resolveKernel(v).policy;
    expect([at('4.14').treeWalk, at('4.15').treeWalk]).toEqual(['v4.7', 'v4.15']);
    expect([at('4.14').flushRcacheArg, at('4.15').flushRcacheArg]).toEqual([false, true]);
    expect([at('4.18').magazinePop, at('4.19').magazinePop]).toEqual(['top', 'scan']);
    expect([at('5.0').max32AllocSize, at('5.1').max32AllocSize]).toEqual([false, true]);
    expect([at('5.10').retry, at('5.11').retry, at('6.1').retry, at('6.2').retry]).toEqual([
      'none',
      'overflow',
      'overflow',
      'fixed',
    ]);
    expect([at('5.10').flushDepotOnFailure, at('5.11').flushDepotOnFailure]).toEqual([false, true]);
    expect([at('5.16').roundSizeInFastAlloc, at('5.17').roundSizeInFastAlloc]).toEqual([false, true]);
    expect([at('6.5').depotCap, at('6.7').depotCap]).toEqual([32, 0]);
    expect([resolveKernel('6.5').dma.sacLatch, resolveKernel('6.6').dma.sacLatch]).toEqual([false, true]);
    expect([resolveKernel('6.6').dma.singleFlushQueue, resolveKernel('6.7').dma.singleFlushQueue]).toEqual([
      false,
      true,
    ]);
  });

  it('the v4.7 design as its code: old walk, top-only pop, no flush_rcache argument, CPU-only failure flush', () => {
    expect(resolveKernel('v4.7').policy).toMatchObject({
      treeWalk: 'v4.7',
      magazinePop: 'top',
      flushRcacheArg: false,
      flushDepotOnFailure: false,
      roundSizeInFastAlloc: false,
      rcacheArrayBytes: 0,
    });
  });

  it('the default is v6.9', () => {
    expect(DEFAULT_PROFILE).toBe('v6.9');
    expect(profileByName(DEFAULT_PROFILE).magazines).toBe('named');
  });

  it('the designs cover consecutive releases', () => {
    expect(['v4.7', 'v6.0', 'v6.7', 'v6.9'].map((d) => designReleases(d as 'v4.7'))).toEqual([
      'v4.7-v5.19',
      'v6.0-v6.6',
      'v6.7-v6.8',
      'v6.9 and later',
    ]);
  });

  it.each(['4.6', 'v3.19', 'six', 'v6', '6.6-rc1', ''])('refuses %j with a LabConfigError naming it', (text) => {
    expect(() => resolveKernel(text)).toThrow(LabConfigError);
    expect(() => resolveKernel(text)).toThrow(text === '' ? /got ""/ : new RegExp(text.replace('.', '\\.')));
  });

  it("a trace's profile line takes any version and keeps it in canonical form", () => {
    expect(parseTrace('cpus 2\nprofile 5.15\n').header.profile).toBe('v5.15');
    expect(parseTrace('cpus 2\nprofile v6.12.3\n').header.profile).toBe('v6.12.3');
  });

  it('policy specs switch a facet on top of a version', () => {
    expect(resolvePolicy('v6.9', ['pop=top', 'retry=overflow', 'failure-flush=cpus'])).toMatchObject({
      magazinePop: 'top',
      retry: 'overflow',
      flushDepotOnFailure: false,
    });
    expect(() => resolvePolicy('v6.9', ['retry=sometimes'])).toThrow(/retry .*sometimes/);
  });
});

describe('where the magazines of the seed machine live (128 CPUs × 159 domains)', () => {
  const EAGER = 159 * 2 * 6 * 128; // 244,224
  it.each([
    ['v6.8', 'kmalloc-1k'],
    ['v6.9', 'iommu_iova_magazine'],
    [undefined, 'iommu_iova_magazine'],
  ] as const)('profile %s: %s', async (profile, cache) => {
    using lab = await newLab('wasm', { possibleCpus: 128, ...(profile ? { profile } : {}) });
    for (let i = 0; i < 159; i++) lab.createDomain();
    const s = lab.snapshot();
    expect(s.magazineCache).toBe(cache);
    expect(s.magazines.total).toBe(EAGER);
    // kmalloc-1k also holds the 159 rcache arrays
    const active = s.caches.find((c) => c.name === cache)!.activeObjs;
    expect(active).toBe(EAGER + (cache === 'kmalloc-1k' ? 159 : 0));
  });
});
