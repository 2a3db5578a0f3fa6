// A JSON document of a snapshot, with the conventions of every --json (README "JSON output"):
// byte totals and the clock are decimal strings (exact at any size); object counts and per-object
// sizes stay plain numbers.
import type { Snapshot } from '../snapshot.js';
import { cacheSizeBytes, reportedCaches, usePercent } from './caches.js';
import { classBreakdown, type ClassRow, type ClassTotals } from './classes.js';
import { dmaTotals, type DmaTotals } from './dma.js';

export interface JsonCache {
  name: string;
  activeObjs: number;
  numObjs: number;
  usePercent: number;
  objSize: number;
  objPerSlab: number;
  pagesPerSlab: number;
  numSlabs: number;
  cacheSizeBytes: string;
  activeBytes: string;
  allocs: number;
  frees: number;
}

export interface JsonReport {
  /** The virtual clock in ms, as a decimal string. */
  nowMs: string;
  possibleCpus: number;
  onlineCpus: number;
  magazineMode: Snapshot['magazineMode'];
  /** The cache holding the magazines and the size of one magazine object in it. */
  magazineCache: Snapshot['magazineCache'];
  magazineObjSize: number;
  caches: JsonCache[];
  magazines: Snapshot['magazines'] & { cachedPfns: number; cachedIovaBytes: string; magazineBytes: string };
  /** Per size class: the snapshot's counters plus the breakdown of src/report/classes.ts. */
  classes: Array<Snapshot['classes'][number] & ClassRow>;
  /** The per-class rows summed. */
  classTotals: ClassTotals;
  domains: Snapshot['domains'];
  /** The per-domain counters summed. */
  totals: DomainTotals;
  /** Per possible CPU: PFNs in its loaded and prev magazines, per size class. */
  cpus: Snapshot['cpus'];
  /** The DMA domains' counters summed (null without DMA domains), and each lazy domain's queues. */
  dma: DmaTotals | null;
  flushQueues: Snapshot['flushQueues'];
}

export interface DomainTotals {
  domains: number;
  liveIovas: number;
  cachedPfns: number;
  magazines: number;
  depotMags: number;
  hits: number;
  misses: number;
}

export function domainTotals(s: Snapshot): DomainTotals {
  const t: DomainTotals = {
    domains: s.domains.length,
    liveIovas: 0,
    cachedPfns: 0,
    magazines: 0,
    depotMags: 0,
    hits: 0,
    misses: 0,
  };
  for (const d of s.domains) {
    t.liveIovas += d.liveIovas;
    t.cachedPfns += d.cachedPfns;
    t.magazines += d.magazines;
    t.depotMags += d.depotMags;
    t.hits += d.hits;
    t.misses += d.misses;
  }
  return t;
}

/** The slab caches a report shows, as every --json prints them. */
export function cachesToJson(s: Snapshot): JsonCache[] {
  return reportedCaches(s).map((c) => ({
    name: c.name,
    activeObjs: c.activeObjs,
    numObjs: c.numObjs,
    usePercent: usePercent(c),
    objSize: c.objSize,
    objPerSlab: c.objPerSlab,
    pagesPerSlab: c.pagesPerSlab,
    numSlabs: c.numSlabs,
    cacheSizeBytes: cacheSizeBytes(c).toString(),
    activeBytes: (BigInt(c.activeObjs) * BigInt(c.objSize)).toString(),
    allocs: c.allocs,
    frees: c.frees,
  }));
}

export function snapshotToJson(s: Snapshot): JsonReport {
  const m = s.magazines;
  const cachedPfns = m.loadedPfns + m.prevPfns + m.depotPfns;
  const b = classBreakdown(s);
  return {
    nowMs: String(s.nowMs),
    possibleCpus: s.possibleCpus,
    onlineCpus: s.onlineCpus,
    magazineMode: s.magazineMode,
    magazineCache: s.magazineCache,
    magazineObjSize: s.magazineObjSize,
    caches: cachesToJson(s),
    magazines: {
      ...m,
      cachedPfns,
      cachedIovaBytes: (BigInt(cachedPfns) * BigInt(b.iovaObjSize)).toString(),
      magazineBytes: (BigInt(m.total) * BigInt(s.magazineObjSize)).toString(),
    },
    classes: s.classes.map((c, k) => ({ ...c, ...b.rows[k] })),
    classTotals: b.totals,
    domains: s.domains,
    totals: domainTotals(s),
    cpus: s.cpus,
    dma: dmaTotals(s),
    flushQueues: s.flushQueues,
  };
}
