// Kernel profiles and what-if policies, hand-checked on both engines: the rcache knobs of each
// design (magazine size and cache, depot, trimming, rcache array) and the what-if policies.
import { describe, expect, it } from 'vitest';
import { LabConfigError } from '../src/errors.js';
import type { IovaDomain } from '../src/domain.js';
import type { IovaLab } from '../src/lab.js';
import type { EngineName } from '../src/engine.js';
import type { LabOptions } from '../src/lab.js';
import { PROFILE_NAMES, resolvePolicy } from '../src/policy.js';
import { cacheByName } from '../src/snapshot.js';
import { ENGINES, LIMIT32, active, newLab } from './support/labs.js';

const SEED_CPUS = 128;
const SEED_DOMAINS = 159;
const EAGER = SEED_DOMAINS * 2 * 6 * SEED_CPUS; // 244,224

/** Allocate `n` size-1 IOVAs (slow path, leaving the rcache alone), then freeFast them all on CPU 1. */
function crossCpuFrees(dom: IovaDomain, n: number): void {
  const pfns = Array.from({ length: n }, () => dom.alloc(1, LIMIT32));
  for (const pfn of pfns) dom.freeFast(1, pfn, 1);
}

/** A lab of `profile` (any version) on the engine. */
function profileLab(
  engine: EngineName,
  profile: string,
  options: Omit<LabOptions, 'engine' | 'profile'>,
): Promise<IovaLab> {
  return newLab(engine, { ...options, profile });
}

/** Depot pushes attempted by `frees` frees into empty loaded/prev magazines of capacity m. */
const pushesFor = (frees: number, m: number): number => Math.max(0, Math.floor((frees - 1) / m) - 1);

describe.each(ENGINES)('%s engine', (engine) => {
  describe('the seed machine (128 CPUs × 159 idle domains) under each profile', () => {
    const expected = {
      'v4.7': { cache: 'kmalloc-2k', objSize: 2048 },
      'v6.0': { cache: 'kmalloc-1k', objSize: 1024 },
      'v6.7': { cache: 'kmalloc-1k', objSize: 1024 },
      'v6.9': { cache: 'iommu_iova_magazine', objSize: 1024 },
    } as const;
    it.each(PROFILE_NAMES)('%s: eager magazines, their cache and bytes; lazy saves them all', async (profile) => {
      const magazineBytes: number[] = [];
      for (const policy of [[], ['lazy']]) {
        using lab = await profileLab(engine, profile, { possibleCpus: SEED_CPUS, policy, slabGeometry: 'order0' });
        for (let i = 0; i < SEED_DOMAINS; i++) lab.createDomain();
        const s = lab.snapshot();
        expect(s.magazineCache).toBe(expected[profile].cache);
        expect(s.magazineObjSize).toBe(expected[profile].objSize);
        expect(s.caches.some((c) => c.name === 'iommu_iova_magazine')).toBe(profile === 'v6.9');
        expect(s.magazines.total).toBe(policy.length ? 0 : EAGER);
        magazineBytes.push(s.magazines.total * s.magazineObjSize);
        // the magazine cache holds the magazines plus any rcache arrays that share it
        const arrays = { 'v4.7': 0, 'v6.0': 0, 'v6.7': SEED_DOMAINS, 'v6.9': 0 }[profile];
        expect(active(s, s.magazineCache)).toBe(s.magazines.total + arrays);
        lab.checkInvariants();
      }
      expect(magazineBytes[0]).toBe(EAGER * expected[profile].objSize);
      expect(magazineBytes[1]).toBe(0); // the lazy saving is every eager byte
    });

    it('rcache arrays: none in v4.7, kmalloc-2k in v6.0 (1680 B), kmalloc-1k from v6.7 (720 B)', async () => {
      const arraysIn = async (profile: string, cache: 'kmalloc-1k' | 'kmalloc-2k') => {
        using lab = await profileLab(engine, profile, { possibleCpus: 2, policy: ['lazy'] });
        lab.createDomain();
        lab.createDomain();
        return active(lab.snapshot(), cache);
      };
      expect(await arraysIn('v4.7', 'kmalloc-2k')).toBe(0);
      expect(await arraysIn('v4.7', 'kmalloc-1k')).toBe(0);
      expect(await arraysIn('v6.0', 'kmalloc-2k')).toBe(2);
      expect(await arraysIn('v6.7', 'kmalloc-1k')).toBe(2);
      expect(await arraysIn('v6.9', 'kmalloc-1k')).toBe(2);
      expect(await arraysIn('v5.17', 'kmalloc-2k')).toBe(0); // still embedded in the domain
      expect(await arraysIn('v5.18', 'kmalloc-2k')).toBe(2);
    });
  });

  describe('a burst of cross-CPU frees', () => {
    const FREES = 127 * 50;
    const run = async (profile: string): Promise<{ lab: IovaLab; depot: number[] }> => {
      const lab = await profileLab(engine, profile, { possibleCpus: 4 });
      const dom = lab.createDomain();
      crossCpuFrees(dom, FREES);
      const depot = [lab.snapshot().magazines.depot];
      for (let t = 0; t < 50; t++) {
        lab.advanceClock(100);
        depot.push(lab.snapshot().magazines.depot);
      }
      return { lab, depot };
    };

    it.each(['v6.7', 'v6.9'] as const)(
      '%s: the depot grows, then drains one magazine per 100 ms down to the online CPUs',
      async (profile) => {
        const { lab, depot } = await run(profile);
        using _ = lab;
        const pushes = pushesFor(FREES, 127);
        expect(depot[0]).toBe(pushes);
        for (let i = 1; i < depot.length; i++) expect(depot[i]).toBe(Math.max(4, pushes - i));
        const s = lab.snapshot();
        expect(s.classes[0]).toMatchObject({ depotHighWater: pushes, depotTrims: pushes - 4, depotOverflows: 0 });
        lab.checkInvariants();
      },
    );

    it.each(['v4.7', 'v6.0'] as const)(
      '%s: the fixed depot stays capped at 32 and overflowing magazines go back to the tree',
      async (profile) => {
        const { lab, depot } = await run(profile);
        using _ = lab;
        const m = profile === 'v4.7' ? 128 : 127;
        expect(depot.every((d) => d === 32)).toBe(true);
        const s = lab.snapshot();
        expect(s.classes[0]).toMatchObject({
          depotHighWater: 32,
          depotTrims: 0,
          depotOverflows: pushesFor(FREES, m) - 32,
        });
        // what stays cached: the 32 depot magazines plus CPU 1's loaded and prev
        expect(s.domains[0].cachedPfns).toBe(s.magazines.loadedPfns + s.magazines.prevPfns + 32 * m);
        expect(s.domains[0].liveIovas).toBe(s.domains[0].cachedPfns);
        lab.checkInvariants();
      },
    );
  });

  describe('what-if policies', () => {
    it('lazy: magazines appear on first free, an injected failure sends the IOVA to the tree', async () => {
      using lab = await newLab(engine, { possibleCpus: 2, policy: ['lazy', 'mag-size=2'] });
      const dom = lab.createDomain();
      expect(lab.snapshot().magazines.total).toBe(0);
      const [a, b, c, d] = Array.from({ length: 4 }, () => dom.allocFast(0, 1, LIMIT32));
      dom.freeFast(0, a, 1);
      expect(lab.snapshot().classes[0]).toMatchObject({ loaded: 1, prev: 0, loadedPfns: 1 });
      dom.freeFast(0, b, 1); // loaded full (2)
      lab.injectFailure('magazine', 1);
      dom.freeFast(0, c, 1); // prev cannot be allocated: c goes back to the tree
      expect(dom.find(c)).toBeNull();
      expect(lab.snapshot().classes[0]).toMatchObject({ loaded: 1, prev: 0, loadedPfns: 2 });
      dom.freeFast(0, d, 1); // now prev is allocated and swapped in
      expect(lab.snapshot().classes[0]).toMatchObject({ loaded: 1, prev: 1, loadedPfns: 1, prevPfns: 2 });
      lab.checkInvariants();
    });

    it('mag-size changes where magazines live: 128 PFNs need 1032 bytes (kmalloc-2k, or 1088 aligned in the named cache)', async () => {
      using unnamed = await newLab(engine, { possibleCpus: 1, profile: 'v6.7', policy: ['mag-size=128'] });
      unnamed.createDomain();
      expect(unnamed.snapshot()).toMatchObject({ magazineCache: 'kmalloc-2k', magazineObjSize: 2048 });
      using named = await newLab(engine, { possibleCpus: 1, policy: ['mag-size=128'] });
      named.createDomain();
      const s = named.snapshot();
      expect(s).toMatchObject({ magazineCache: 'iommu_iova_magazine', magazineObjSize: 1088 });
      expect(cacheByName(s, 'iommu_iova_magazine')).toMatchObject({ objSize: 1088, activeObjs: 12 });
    });

    it('trim-delay and trim-threshold set the pace and the floor of depot trimming', async () => {
      using lab = await newLab(engine, {
        possibleCpus: 4,
        policy: ['mag-size=4', 'trim-delay=10', 'trim-threshold=1'],
      });
      const dom = lab.createDomain();
      crossCpuFrees(dom, 4 * 10); // pushes 8 magazines
      expect(lab.snapshot().magazines.depot).toBe(pushesFor(40, 4));
      lab.advanceClock(9);
      expect(lab.snapshot().magazines.depot).toBe(8);
      lab.advanceClock(1);
      expect(lab.snapshot().magazines.depot).toBe(7);
      lab.advanceClock(1000);
      expect(lab.snapshot().magazines.depot).toBe(1);
    });

    it('dynamic: magazines start small and double after 4 depot exchanges within 100 ms', async () => {
      using lab = await newLab(engine, { possibleCpus: 2, policy: ['dynamic=2', 'trim-delay=0'] });
      const dom = lab.createDomain();
      crossCpuFrees(dom, 2 * 2 + 4 * 2); // fill loaded+prev at 2, then 4 pushes of 2 PFNs: capacity → 4
      let s = lab.snapshot();
      expect([s.classes[0].depotMags, s.classes[0].depotPfns]).toEqual([4, 8]);
      crossCpuFrees(dom, 4 + 4); // loaded now takes 4 before the next push
      s = lab.snapshot();
      expect(s.classes[0].depotMags).toBe(5);
      expect(s.classes[0].depotPfns).toBe(8 + 4);
      lab.checkInvariants();
    });

    it('bad policies are refused with the offending value and no lab is made', async () => {
      await expect(newLab(engine, { possibleCpus: 1, policy: ['mag-size=0'] })).rejects.toThrow(
        /mag-size .*at least 1, got "0"/,
      );
      await expect(newLab(engine, { possibleCpus: 1, policy: ['turbo'] })).rejects.toThrow(LabConfigError);
      await expect(newLab(engine, { possibleCpus: 1, profile: 'v4.6' })).rejects.toThrow(
        /profile .*v4\.7 or later.*v4\.6/,
      );
      await expect(newLab(engine, { possibleCpus: 1, profile: 'six' })).rejects.toThrow(/profile .*"six"/);
      expect(() => resolvePolicy('v6.8', ['mag-size=8', 'dynamic=9'])).toThrow(/dynamic .*at most 8.*"9"/);
    });
  });
});
