// A JSON document of a snapshot, with the conventions of every --json (README "JSON output"):
// byte totals and the clock are decimal strings (exact at any size); object counts and per-object
// sizes stay plain numbers.
import type { Snapshot } from '../snapshot.js';
import { cacheSizeBytes, reportedCaches, usePercent } from './caches.js';
import { classBreakdown, type ClassRow, type ClassTotals } from './classes.js';
import { dmaTotals, type DmaTotals } from './dma.js';

/**
 * One slab cache in a {@link JsonReport}, as slabtop shows it.
 * @example `snapshotToJson(lab.snapshot()).caches[0].cacheSizeBytes`
 */
export interface JsonCache {
  /** The cache's name. @example `'iommu_iova'` */
  name: string;
  /** Objects in use (slabtop's ACTIVE). @example `1536` */
  activeObjs: number;
  /** Objects in allocated slabs, used or not (slabtop's OBJS). @example `1536` */
  numObjs: number;
  /** floor(ACTIVE / OBJS × 100); 0 for an empty cache. @example `100` */
  usePercent: number;
  /** Bytes per object. @example `1024` */
  objSize: number;
  /** Objects per slab. @example `4` */
  objPerSlab: number;
  /** Pages per slab. @example `1` */
  pagesPerSlab: number;
  /** Slabs allocated. @example `384` */
  numSlabs: number;
  /** Slabs × pages per slab × 4 KiB, as a decimal string. @example `'1572864'` */
  cacheSizeBytes: string;
  /** ACTIVE × object size, as a decimal string. @example `'1572864'` */
  activeBytes: string;
  /** Objects allocated since the lab was created. @example `1536` */
  allocs: number;
  /** Objects freed since the lab was created. @example `0` */
  frees: number;
}

/**
 * A snapshot as the CLI's `--json` prints it: byte totals and the clock as decimal strings.
 * @example `JSON.stringify(snapshotToJson(lab.snapshot()), null, 2)`
 */
export interface JsonReport {
  /** The virtual clock in ms, as a decimal string. @example `'100'` */
  nowMs: string;
  /** Possible CPUs. @example `128` */
  possibleCpus: number;
  /** Online CPUs. @example `128` */
  onlineCpus: number;
  /** Where magazines are allocated. @example `'named'` */
  magazineMode: Snapshot['magazineMode'];
  /** The cache holding the magazines. @example `'iommu_iova_magazine'` */
  magazineCache: Snapshot['magazineCache'];
  /** Bytes of one magazine object. @example `1024` */
  magazineObjSize: number;
  /** The caches a report shows. @example `report.caches[0].name` */
  caches: JsonCache[];
  /**
   * The snapshot's magazine counters plus the PFNs they cache, the IOVA bytes those cover and the magazines' bytes.
   * @example `report.magazines.magazineBytes`
   */
  magazines: Snapshot['magazines'] & { cachedPfns: number; cachedIovaBytes: string; magazineBytes: string };
  /** Per size class: the snapshot's counters plus the report's breakdown. @example `report.classes[0].hits` */
  classes: Array<Snapshot['classes'][number] & ClassRow>;
  /** The per-class rows summed. @example `report.classTotals` */
  classTotals: ClassTotals;
  /** One record per live domain. @example `report.domains[0].liveIovas` */
  domains: Snapshot['domains'];
  /** The per-domain counters summed. @example `report.totals.liveIovas` */
  totals: DomainTotals;
  /** Per possible CPU: PFNs in its loaded and prev magazines, per size class. @example `report.cpus[0]` */
  cpus: Snapshot['cpus'];
  /**
   * The DMA domains' counters summed (null without DMA domains), and each lazy domain's queues.
   * @example `report.dma?.maps`
   */
  dma: DmaTotals | null;
  /** One record per lazy DMA domain. @example `report.flushQueues[0]?.queued` */
  flushQueues: Snapshot['flushQueues'];
}

/**
 * Every live domain's counters summed (a {@link JsonReport}'s `totals`).
 * @example `snapshotToJson(lab.snapshot()).totals.hits`
 */
export interface DomainTotals {
  /** Live domains. @example `1` */
  domains: number;
  /** IOVAs allocated and not freed, all domains. @example `1` */
  liveIovas: number;
  /** PFNs in magazines, all domains. @example `1` */
  cachedPfns: number;
  /** Magazines, all domains. @example `1536` */
  magazines: number;
  /** Full depot magazines, all domains. @example `0` */
  depotMags: number;
  /** Allocations served from a magazine, all domains. @example `10` */
  hits: number;
  /** Allocations that fell through to the rbtree, all domains. @example `2` */
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

/**
 * A snapshot as plain JSON-safe data, the document every `--json` prints.
 * @example `JSON.stringify(snapshotToJson(lab.snapshot()))`
 */
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
