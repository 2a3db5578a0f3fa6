// The rcache broken down by size class k = 0..5 (IOVAs of up to 2^k pages): magazines in each
// place (loaded, prev, depot), what they cost in the magazine cache, the PFNs cached in them and
// the iommu_iova objects behind those PFNs (every cached PFN keeps one live `struct iova`).
import { IOMMU_IOVA_OBJ_SIZE } from '../kernel.js';
import { cacheByName, type ClassCounters, type Snapshot } from '../snapshot.js';
import { formatTable } from './table.js';

export interface ClassRow {
  /** Size class k. */
  class: number;
  /** 2^k: the largest IOVA (in pages) this class caches. */
  pages: number;
  loaded: number;
  prev: number;
  depot: number;
  /** loaded + prev + depot. */
  magazines: number;
  /** magazines × the magazine object size (decimal string). */
  magazineBytes: string;
  loadedPfns: number;
  prevPfns: number;
  depotPfns: number;
  /** loadedPfns + prevPfns + depotPfns. */
  cachedPfns: number;
  /** iommu_iova objects held by the cached PFNs (= cachedPfns). */
  iovaObjects: number;
  /** iovaObjects × the iommu_iova object size (decimal string). */
  iovaBytes: string;
  hits: number;
  misses: number;
}

export type ClassTotals = Omit<ClassRow, 'class' | 'pages'>;

export interface ClassBreakdown {
  /** The cache the magazines live in, and its object size. */
  magazineCache: string;
  magazineObjSize: number;
  /** The iommu_iova object size the IOVA bytes use. */
  iovaObjSize: number;
  rows: ClassRow[];
  totals: ClassTotals;
}

export function iovaObjSize(s: Snapshot): number {
  return cacheByName(s, 'iommu_iova')?.objSize ?? IOMMU_IOVA_OBJ_SIZE; // a snapshot that does not list the cache
}

function row(k: number, c: ClassCounters, magObj: number, iovaObj: number): ClassRow {
  const depot = c.depotMags;
  const magazines = c.loaded + c.prev + depot;
  const cachedPfns = c.loadedPfns + c.prevPfns + c.depotPfns;
  return {
    class: k,
    pages: 2 ** k,
    loaded: c.loaded,
    prev: c.prev,
    depot,
    magazines,
    magazineBytes: (BigInt(magazines) * BigInt(magObj)).toString(),
    loadedPfns: c.loadedPfns,
    prevPfns: c.prevPfns,
    depotPfns: c.depotPfns,
    cachedPfns,
    iovaObjects: cachedPfns,
    iovaBytes: (BigInt(cachedPfns) * BigInt(iovaObj)).toString(),
    hits: c.hits,
    misses: c.misses,
  };
}

export function classBreakdown(s: Snapshot): ClassBreakdown {
  const iovaObj = iovaObjSize(s);
  const rows = s.classes.map((c, k) => row(k, c, s.magazineObjSize, iovaObj));
  const sum = (f: keyof ClassTotals): number => rows.reduce((a, r) => a + (r[f] as number), 0);
  const big = (f: 'magazineBytes' | 'iovaBytes'): string => rows.reduce((a, r) => a + BigInt(r[f]), 0n).toString();
  return {
    magazineCache: s.magazineCache,
    magazineObjSize: s.magazineObjSize,
    iovaObjSize: iovaObj,
    rows,
    totals: {
      loaded: sum('loaded'),
      prev: sum('prev'),
      depot: sum('depot'),
      magazines: sum('magazines'),
      magazineBytes: big('magazineBytes'),
      loadedPfns: sum('loadedPfns'),
      prevPfns: sum('prevPfns'),
      depotPfns: sum('depotPfns'),
      cachedPfns: sum('cachedPfns'),
      iovaObjects: sum('iovaObjects'),
      iovaBytes: big('iovaBytes'),
      hits: sum('hits'),
      misses: sum('misses'),
    },
  };
}

export const CLASS_TABLE_HEADER = [
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
];

/**
 * The per-class table: one row per class, then a total row. Magazines by place, their bytes in
 * the magazine cache, the cached PFNs (split by the magazine they sit in) and the iommu_iova
 * objects those PFNs keep alive.
 */
export function formatClassTable(s: Snapshot): string {
  const b = classBreakdown(s);
  const cells = (head: string[], r: ClassTotals): string[] => [
    ...head,
    String(r.loaded),
    String(r.prev),
    String(r.depot),
    String(r.magazines),
    r.magazineBytes,
    String(r.cachedPfns),
    `${r.loadedPfns}/${r.prevPfns}/${r.depotPfns}`,
    String(r.iovaObjects),
    r.iovaBytes,
  ];
  const title =
    `rcache by size class (magazines: ${b.magazineCache}, ${b.magazineObjSize} B each; ` +
    `each cached PFN holds one iommu_iova object of ${b.iovaObjSize} B):`;
  return (
    title +
    '\n' +
    formatTable(CLASS_TABLE_HEADER, [
      ...b.rows.map((r) => cells([String(r.class), String(r.pages)], r)),
      cells(['total', ''], b.totals),
    ])
  );
}
