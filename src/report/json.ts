// A JSON document of a snapshot. Byte counts are decimal strings (exact at any size);
// object counts stay plain numbers.
import type { Snapshot } from '../snapshot.js';
import { cacheSizeBytes, reportedCaches, usePercent } from './caches.js';

export interface JsonCache {
  name: string;
  activeObjs: number;
  numObjs: number;
  usePercent: number;
  objSizeBytes: string;
  objPerSlab: number;
  pagesPerSlab: number;
  numSlabs: number;
  cacheSizeBytes: string;
  activeBytes: string;
  allocs: number;
  frees: number;
}

export interface JsonReport {
  nowMs: number;
  possibleCpus: number;
  onlineCpus: number;
  magazineMode: Snapshot['magazineMode'];
  caches: JsonCache[];
  magazines: Snapshot['magazines'] & { cachedPfns: number; cachedIovaBytes: string; magazineBytes: string };
  classes: Snapshot['classes'];
  domains: Snapshot['domains'];
  totals: DomainTotals;
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

const MAGAZINE_BYTES = 1024n;
const IOVA_NODE_BYTES = 64n;

export function domainTotals(s: Snapshot): DomainTotals {
  const t: DomainTotals = { domains: s.domains.length, liveIovas: 0, cachedPfns: 0, magazines: 0, depotMags: 0, hits: 0, misses: 0 };
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

export function snapshotToJson(s: Snapshot): JsonReport {
  const m = s.magazines;
  const cachedPfns = m.loadedPfns + m.prevPfns + m.depotPfns;
  return {
    nowMs: s.nowMs,
    possibleCpus: s.possibleCpus,
    onlineCpus: s.onlineCpus,
    magazineMode: s.magazineMode,
    caches: reportedCaches(s).map((c) => ({
      name: c.name,
      activeObjs: c.activeObjs,
      numObjs: c.numObjs,
      usePercent: usePercent(c),
      objSizeBytes: String(c.objSize),
      objPerSlab: c.objPerSlab,
      pagesPerSlab: c.pagesPerSlab,
      numSlabs: c.numSlabs,
      cacheSizeBytes: cacheSizeBytes(c).toString(),
      activeBytes: (BigInt(c.activeObjs) * BigInt(c.objSize)).toString(),
      allocs: c.allocs,
      frees: c.frees,
    })),
    magazines: {
      ...m,
      cachedPfns,
      cachedIovaBytes: (BigInt(cachedPfns) * IOVA_NODE_BYTES).toString(),
      magazineBytes: (BigInt(m.total) * MAGAZINE_BYTES).toString(),
    },
    classes: s.classes,
    domains: s.domains,
    totals: domainTotals(s),
  };
}
