// The per-size-class magazine breakdown: the report functions on a hand-made snapshot, and the
// real binary's text table and --json on real runs.
import { describe, expect, it } from 'vitest';
import { classBreakdown, formatClassTable } from '../../src/report/classes.js';
import { snapshotToJson } from '../../src/report/json.js';
import {
  CACHE_NAMES,
  CLASS_FIELDS,
  type CacheCounters,
  type ClassCounters,
  type Snapshot,
} from '../../src/snapshot.js';
import { run } from '../support/cli.js';

function cls(over: Partial<ClassCounters>): ClassCounters {
  const c = Object.fromEntries(CLASS_FIELDS.map((f) => [f, 0])) as unknown as ClassCounters;
  return { ...c, ...over };
}

/** Class k: k+1 loaded, k prev, 2k depot magazines; 10k+1 / k / 3k PFNs in them. */
function snapshot(): Snapshot {
  const caches: CacheCounters[] = CACHE_NAMES.map((name) => ({
    name,
    objSize: name === 'iommu_iova' ? 64 : 2048,
    objPerSlab: 16,
    pagesPerSlab: 8,
    activeObjs: 0,
    numObjs: 0,
    numSlabs: 0,
    allocs: 0,
    frees: 0,
  }));
  const classes = Array.from({ length: 6 }, (_, k) =>
    cls({
      loaded: k + 1,
      prev: k,
      depotMags: 2 * k,
      loadedPfns: 10 * k + 1,
      prevPfns: k,
      depotPfns: 3 * k,
      hits: 100 * k,
      misses: k,
    }),
  );
  return {
    nowMs: 0n,
    possibleCpus: 4,
    onlineCpus: 4,
    magazineMode: 'unnamed',
    magazineObjSize: 2048,
    magazineCache: 'kmalloc-2k',
    caches,
    magazines: { loaded: 21, prev: 15, depot: 30, total: 66, loadedPfns: 156, prevPfns: 15, depotPfns: 45 },
    classes,
    domains: [],
    cpus: [],
    flushQueues: [],
  };
}

describe('classBreakdown / formatClassTable', () => {
  it('sums each class and prices magazines at magazineObjSize and cached PFNs at the iommu_iova objSize', () => {
    const b = classBreakdown(snapshot());
    expect(b).toMatchObject({ magazineCache: 'kmalloc-2k', magazineObjSize: 2048, iovaObjSize: 64 });
    expect(b.rows.map((r) => r.pages)).toEqual([1, 2, 4, 8, 16, 32]);
    expect(b.rows[3]).toMatchObject({
      class: 3,
      loaded: 4,
      prev: 3,
      depot: 6,
      magazines: 13,
      magazineBytes: String(13 * 2048),
      loadedPfns: 31,
      prevPfns: 3,
      depotPfns: 9,
      cachedPfns: 43,
      iovaObjects: 43,
      iovaBytes: String(43 * 64),
      hits: 300,
      misses: 3,
    });
    expect(b.totals).toMatchObject({
      loaded: 21,
      prev: 15,
      depot: 30,
      magazines: 66,
      magazineBytes: String(66 * 2048),
      cachedPfns: 216,
      iovaObjects: 216,
      iovaBytes: String(216 * 64),
    });
  });
  it('prints one row per class and a total row', () => {
    const lines = formatClassTable(snapshot()).trimEnd().split('\n');
    expect(lines[0]).toContain('kmalloc-2k, 2048 B each');
    expect(lines[0]).toContain('iommu_iova object of 64 B');
    expect(lines[1].split(/\s{2,}/)).toEqual([
      'class',
      'pages',
      'loaded',
      'prev',
      'depot',
      'magazines',
      'mag bytes',
      'cached PFNs',
      'loaded/prev/depot',
      'iova objs',
      'iova bytes',
    ]);
    expect(lines.slice(2).map((l) => l.trim().split(/\s+/))).toEqual([
      ...[0, 1, 2, 3, 4, 5].map((k) => [
        String(k),
        String(2 ** k),
        String(k + 1),
        String(k),
        String(2 * k),
        String(4 * k + 1),
        String((4 * k + 1) * 2048),
        String(14 * k + 1),
        `${10 * k + 1}/${k}/${3 * k}`,
        String(14 * k + 1),
        String((14 * k + 1) * 64),
      ]),
      ['total', '21', '15', '30', '66', String(66 * 2048), '216', '156/15/45', '216', String(216 * 64)],
    ]);
  });
  it('--json classes keep the raw counters and add the breakdown, with byte counts as strings', () => {
    const j = snapshotToJson(snapshot());
    expect(j.magazineCache).toBe('kmalloc-2k');
    expect(j.magazineObjSize).toBe(2048);
    expect(j.classes[2]).toMatchObject({
      depotMags: 4,
      depot: 4,
      magazines: 9,
      magazineBytes: String(9 * 2048),
      iovaBytes: String(29 * 64),
    });
    expect(j.classTotals.magazineBytes).toBe(String(66 * 2048));
    expect(j.magazines.magazineBytes).toBe(String(66 * 2048)); // was hard-wired to 1024 B before
    expect(j.magazines.cachedIovaBytes).toBe(String(216 * 64));
  });
});

interface Row {
  class: number;
  pages: number;
  loaded: number;
  prev: number;
  depot: number;
  magazines: number;
  magazineBytes: string;
  cachedPfns: number;
  iovaObjects: number;
  iovaBytes: string;
  depotMags: number;
}
interface Doc {
  magazineCache: string;
  magazineObjSize: number;
  magazines: {
    total: number;
    loaded: number;
    prev: number;
    depot: number;
    loadedPfns: number;
    prevPfns: number;
    depotPfns: number;
  };
  classes: Row[];
  classTotals: Omit<Row, 'class' | 'pages' | 'depotMags'>;
  caches: Array<{ name: string; activeObjs: number }>;
  totals: { domains: number; cachedPfns: number; magazines: number };
}

/** The data rows of the class table in simulate's text output, split into cells. */
function classRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => l.startsWith('class  pages'));
  expect(head).toBeGreaterThan(0);
  return lines.slice(head + 1, head + 8).map((l) => l.trim().split(/\s+/));
}

describe('simulate prints the per-class breakdown', () => {
  it('seed preset: 20352 loaded + 20352 prev magazines in every class, 244224 in total', () => {
    const r = run(['simulate', '--preset', 'seed']);
    expect(r.status).toBe(0);
    const rows = classRows(r.stdout);
    for (let k = 0; k < 6; k++)
      expect(rows[k].slice(0, 7)).toEqual([
        String(k),
        String(2 ** k),
        '20352',
        '20352',
        '0',
        '40704',
        String(40704 * 1024),
      ]);
    expect(rows[6].slice(0, 6)).toEqual(['total', '122112', '122112', '0', '244224', String(244224 * 1024)]);
    expect(r.stdout).toContain('domains: 159;'); // per-domain totals stay
  });
  it.each(['wasm', 'ts'])('churn (%s): the text table and --json agree with the lab-wide counters', (engine) => {
    const args = [
      'simulate',
      '--cpus',
      '4',
      '--domains',
      '2',
      '--workload',
      'cross-cpu',
      '--ops',
      '20000',
      '--engine',
      engine,
    ];
    const text = run(args);
    const json = run([...args, '--json']);
    expect(text.status).toBe(0);
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout) as Doc;
    const m = doc.magazines;
    const cached = m.loadedPfns + m.prevPfns + m.depotPfns;
    expect(cached).toBeGreaterThan(0);
    expect(doc.classTotals).toMatchObject({
      loaded: m.loaded,
      prev: m.prev,
      depot: m.depot,
      magazines: m.total,
      magazineBytes: String(m.total * doc.magazineObjSize),
      cachedPfns: cached,
      iovaObjects: cached,
      iovaBytes: String(cached * 64),
    });
    expect(doc.totals.cachedPfns).toBe(cached);
    expect(doc.totals.magazines).toBe(m.total);
    for (const c of doc.classes) {
      expect(c.magazines).toBe(c.loaded + c.prev + c.depot);
      expect(c.depot).toBe(c.depotMags);
      expect(c.iovaBytes).toBe(String(c.cachedPfns * 64));
      expect(c.pages).toBe(2 ** c.class);
    }
    const rows = classRows(text.stdout);
    doc.classes.forEach((c, k) => {
      expect(rows[k]).toEqual([
        String(k),
        String(c.pages),
        String(c.loaded),
        String(c.prev),
        String(c.depot),
        String(c.magazines),
        c.magazineBytes,
        String(c.cachedPfns),
        expect.stringMatching(/^\d+\/\d+\/\d+$/),
        String(c.iovaObjects),
        c.iovaBytes,
      ]);
    });
    expect(rows[6][0]).toBe('total');
    expect(rows[6][4]).toBe(String(m.total));
    expect(rows[6][6]).toBe(String(cached));
  });
});
