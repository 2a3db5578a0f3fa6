import { describe, expect, it } from 'vitest';
import { explainSlab, formatExplanation, parseSlabLine, SlabLineParseError } from '../../src/report/explain.js';
import { snapshotToJson } from '../../src/report/json.js';
import { formatSlabinfo, slabinfoLine } from '../../src/report/slabinfo.js';
import { formatSlabtop, SLABTOP_HEADER, slabtopRow } from '../../src/report/slabtop.js';
import { CACHE_NAMES, type CacheCounters, type Snapshot } from '../../src/snapshot.js';

const SEED_LINE = '244412 244239  99%    1.00K  61103        4    244412K iommu_iova_magazine';

function cache(name: CacheCounters['name'], over: Partial<CacheCounters> = {}): CacheCounters {
  return {
    name,
    objSize: 1024,
    objPerSlab: 4,
    pagesPerSlab: 1,
    activeObjs: 0,
    numObjs: 0,
    numSlabs: 0,
    allocs: 0,
    frees: 0,
    ...over,
  };
}

function snapshot(mode: 'named' | 'unnamed' = 'named'): Snapshot {
  const caches = CACHE_NAMES.filter((n) => !(mode === 'unnamed' && n === 'iommu_iova_magazine')).map((n) => cache(n));
  const set = (name: string, over: Partial<CacheCounters>) =>
    Object.assign(
      caches.find((c) => c.name === name)!,
      over,
    );
  set(mode === 'named' ? 'iommu_iova_magazine' : 'kmalloc-1k', {
    activeObjs: 244239,
    numObjs: 244412,
    numSlabs: 61103,
  });
  set('iommu_iova', { objSize: 64, objPerSlab: 64, activeObjs: 10, numObjs: 64, numSlabs: 1 });
  set('kmalloc-96', { objSize: 96, objPerSlab: 42, activeObjs: 3, numObjs: 42, numSlabs: 1 });
  const zero = { loaded: 0, prev: 0, depot: 0, total: 0, loadedPfns: 0, prevPfns: 0, depotPfns: 0 };
  return {
    nowMs: 0n,
    possibleCpus: 128,
    onlineCpus: 128,
    magazineMode: mode,
    magazineObjSize: 1024,
    magazineCache: mode === 'named' ? 'iommu_iova_magazine' : 'kmalloc-1k',
    caches,
    magazines: zero,
    classes: [],
    domains: [],
    cpus: [],
    flushQueues: [],
  };
}

describe('slabtop', () => {
  it('formats the seed row like slabtop -o', () => {
    const row = slabtopRow(cache('iommu_iova_magazine', { activeObjs: 244239, numObjs: 244412, numSlabs: 61103 }));
    expect(row.trim().split(/\s+/)).toEqual(SEED_LINE.split(/\s+/));
  });
  it('lists caches with objects and the always-shown ones', () => {
    const lines = formatSlabtop(snapshot()).trimEnd().split('\n');
    expect(lines[0]).toBe(SLABTOP_HEADER);
    const names = lines.slice(1).map((l) => l.trim().split(/\s+/).at(-1));
    expect(names).toEqual(['iommu_iova', 'iommu_iova_magazine', 'kmalloc-96', 'kmalloc-1k']);
  });
  it('leaves the named cache out in unnamed mode', () => {
    expect(formatSlabtop(snapshot('unnamed'))).not.toContain('iommu_iova_magazine');
  });
  it('computes USE as a floor and CACHE SIZE from pages per slab', () => {
    const row = slabtopRow(
      cache('kmalloc-1k', { activeObjs: 63, numObjs: 64, numSlabs: 2, objPerSlab: 32, pagesPerSlab: 8 }),
    );
    expect(row.trim().split(/\s+/)).toEqual(['64', '63', '98%', '1.00K', '2', '32', '64K', 'kmalloc-1k']);
  });
});

describe('slabinfo', () => {
  it('writes 2.1 lines', () => {
    const l = slabinfoLine(cache('iommu_iova_magazine', { activeObjs: 244239, numObjs: 244412, numSlabs: 61103 }));
    expect(l.split(/\s+/)).toEqual([
      'iommu_iova_magazine',
      '244239',
      '244412',
      '1024',
      '4',
      '1',
      ':',
      'tunables',
      '0',
      '0',
      '0',
      ':',
      'slabdata',
      '61103',
      '61103',
      '0',
    ]);
    expect(formatSlabinfo(snapshot()).split('\n')[0]).toBe('slabinfo - version: 2.1');
  });
  it('round-trips through the explain parser', () => {
    const l = parseSlabLine(slabinfoLine(cache('kmalloc-1k', { activeObjs: 5, numObjs: 8, numSlabs: 2 })));
    expect(l).toMatchObject({
      format: 'slabinfo',
      name: 'kmalloc-1k',
      activeObjs: 5,
      numObjs: 8,
      objSize: 1024,
      numSlabs: 2,
      pagesPerSlab: 1,
    });
  });
});

describe('json', () => {
  it('gives byte counts as decimal strings', () => {
    const j = snapshotToJson(snapshot());
    const mag = j.caches.find((c) => c.name === 'iommu_iova_magazine')!;
    expect(mag.cacheSizeBytes).toBe(String(61103 * 4096));
    expect(mag.activeBytes).toBe(String(244239 * 1024));
    expect(mag.objSize).toBe(1024);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
  });
});

describe('explain', () => {
  it('reads the seed line as 159 domains + 15 magazines', () => {
    const e = explainSlab(SEED_LINE, { possibleCpus: 128 });
    expect(e).toMatchObject({
      eagerPerDomain: 1536,
      domains: 159,
      extraMagazines: 15,
      maxCachedIovas: 15 * 127,
      consistent: true,
      exact: true,
    });
    expect(e.layout.magazineCache).toBe('iommu_iova_magazine');
    expect(e.maxCachedIovaBytes).toBe(String(15 * 127 * 64));
    expect(e.verdict).toBe('consistent with 159 domains (+15 magazines beyond the eager ones)');
    expect(formatExplanation(e)).toContain('159 domains');
  });
  it('reads kmalloc-1k alone as magazines beside one rcache array per domain, as an upper bound', () => {
    // 159 domains × (1536 magazines + 1 array) = 244383 objects, plus 15
    const e = explainSlab('kmalloc-1k 244398 244412 1024 4 1 : tunables 0 0 0 : slabdata 61103 61103 0', {
      possibleCpus: 128,
    });
    expect(e).toMatchObject({ exact: false, domains: 159, magazines: 244398 - 159, extraMagazines: 15 });
    expect(e.notes.join(' ')).toContain('upper bound');
  });
  it('flags more extra magazines than the steady depot can hold when iommu_iova is not given', () => {
    // 1 domain on 4 CPUs: 48 eager, steady depot ≤ 1 × 6 × 2 online = 12
    const ok = explainSlab('  60  60 100% 1.00K 15 4 60K iommu_iova_magazine', { possibleCpus: 4, onlineCpus: 2 });
    expect(ok.consistent).toBe(true);
    const bad = explainSlab('  61  61 100% 1.00K 16 4 64K iommu_iova_magazine', { possibleCpus: 4, onlineCpus: 2 });
    expect(bad).toMatchObject({ domains: 1, extraMagazines: 13, consistent: false });
    expect(bad.verdict).toMatch(/leak or a growing depot/);
  });
  it('cross-checks extra magazines against the iommu_iova objects full depot magazines need', () => {
    const mags = '  64  64 100% 1.00K 16 4 64K iommu_iova_magazine';
    // 16 extra magazines need 16 × 127 = 2032 cached IOVAs
    const backed = explainSlab(`${mags}\n  2048  2032  99% 0.06K 32 64 128K iommu_iova`, { possibleCpus: 4 });
    expect(backed).toMatchObject({ extraMagazines: 16, fullMagazinesBacked: 16, consistent: true });
    const leak = explainSlab(`${mags}\n  1024  1000  97% 0.06K 16 64 64K iommu_iova`, { possibleCpus: 4 });
    expect(leak).toMatchObject({ extraMagazines: 16, fullMagazinesBacked: 7, consistent: false });
    expect(leak.verdict).toContain('9 of the 16 magazines');
  });
  it('with the named cache present, kmalloc-1k objects are rcache arrays, not magazines', () => {
    const e = explainSlab(`${SEED_LINE}\n   160    159  99%    1.00K     40        4       160K kmalloc-1k`, {
      possibleCpus: 128,
    });
    expect(e).toMatchObject({ domains: 159, magazines: 244239, consistent: true });
    expect(e.notes.join(' ')).toContain('kmalloc-1k: 159 objects');
  });
  it('uses the real object size of slabtop columns', () => {
    const e = explainSlab('  10240  10000  97%    0.06K    160       64       640K iommu_iova', { possibleCpus: 8 });
    expect(e.lines[0].objSize).toBe(64);
    expect(e.activeBytes).toBe(String(10000 * 64));
    expect(e.verdict).toContain('10000 iommu_iova nodes (640000 bytes)');
  });
  it('rejects impossible lines', () => {
    expect(() => explainSlab('  10 11 100% 1.00K 3 4 12K iommu_iova_magazine', { possibleCpus: 1 })).toThrow(
      /11 active objects exceed the 10/,
    );
    expect(() =>
      explainSlab('iommu_iova_magazine 1 1 0 4 1 : tunables 0 0 0 : slabdata 1 1 0', { possibleCpus: 1 }),
    ).toThrow(/object size 0/);
    expect(() =>
      explainSlab('iommu_iova_magazine 1 1 1024 0 1 : tunables 0 0 0 : slabdata 1 1 0', { possibleCpus: 1 }),
    ).toThrow(/0 objects per slab/);
    expect(() =>
      explainSlab('  99999999999999999 1 100% 1.00K 3 4 12K iommu_iova_magazine', { possibleCpus: 1 }),
    ).toThrow(/exact integer range/);
  });
  it('rejects other caches and garbage', () => {
    expect(() => explainSlab('dentry 1 1 192 21 1 : tunables 0 0 0 : slabdata 1 1 0', { possibleCpus: 1 })).toThrow(
      SlabLineParseError,
    );
    expect(() => parseSlabLine('12 x')).toThrow(SlabLineParseError);
    expect(() => parseSlabLine('')).toThrow(SlabLineParseError);
  });
});
