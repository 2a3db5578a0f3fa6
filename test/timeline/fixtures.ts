// Hand-built snapshots and timelines for the timeline tests.
import {
  CACHE_FIELDS,
  CACHE_NAMES,
  CLASS_FIELDS,
  type CacheCounters,
  type ClassCounters,
  type Snapshot,
} from '../../src/snapshot.js';
import type { Timeline, TimelineSample } from '../../src/timeline/index.js';

export interface SnapOptions {
  nowMs?: number;
  /** Per class [hits, misses]; missing classes are zero. */
  lookups?: [number, number][];
  depotMags?: number[];
  magazinesTotal?: number;
  iovaActive?: number;
  iovaObjSize?: number;
  magazineObjSize?: number;
}

/** A Snapshot with every counter zero except what is asked for (magazineObjSize 1024 unless given). */
export function snap(o: SnapOptions = {}): Snapshot {
  const zeros = <F extends readonly string[]>(fields: F): Record<F[number], number> =>
    Object.fromEntries(fields.map((f) => [f, 0])) as Record<F[number], number>;
  const caches: CacheCounters[] = CACHE_NAMES.map((name) => ({
    name,
    ...zeros(CACHE_FIELDS),
    objSize: name === 'iommu_iova' ? (o.iovaObjSize ?? 64) : 8,
    activeObjs: name === 'iommu_iova' ? (o.iovaActive ?? 0) : 0,
  }));
  const classes: ClassCounters[] = Array.from({ length: 6 }, (_, k) => ({
    ...zeros(CLASS_FIELDS),
    hits: o.lookups?.[k]?.[0] ?? 0,
    misses: o.lookups?.[k]?.[1] ?? 0,
    depotMags: o.depotMags?.[k] ?? 0,
  }));
  const total = o.magazinesTotal ?? 0;
  return {
    nowMs: BigInt(Math.floor(o.nowMs ?? 0)),
    possibleCpus: 4,
    onlineCpus: 4,
    magazineMode: 'named',
    magazineObjSize: o.magazineObjSize ?? 1024,
    magazineCache: 'iommu_iova_magazine',
    caches,
    magazines: { loaded: total, prev: 0, depot: 0, total, loadedPfns: 0, prevPfns: 0, depotPfns: 0 },
    classes,
    domains: [],
    cpus: [],
    flushQueues: [],
  };
}

/** A sample with given time and a few values; the rest follow from them. */
export function sample(
  tMs: number,
  o: {
    depot?: number[];
    mags?: number;
    iova?: number;
    hits?: number;
    misses?: number;
    cumHits?: number;
    cumMisses?: number;
  } = {},
): TimelineSample {
  const depot = o.depot ?? [0, 0, 0, 0, 0, 0];
  const hits = o.hits ?? 0;
  const misses = o.misses ?? 0;
  const cumHits = o.cumHits ?? hits;
  const cumMisses = o.cumMisses ?? misses;
  return {
    tMs,
    depotMagazines: depot,
    depotMagazinesTotal: depot.reduce((a, b) => a + b, 0),
    magazines: o.mags ?? 0,
    magazineBytes: (o.mags ?? 0) * 1024,
    iovaObjects: o.iova ?? 0,
    iovaBytes: (o.iova ?? 0) * 64,
    hits,
    misses,
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    cumulativeHitRate: cumHits + cumMisses > 0 ? cumHits / (cumHits + cumMisses) : null,
  };
}

/** Two series of three samples, the second with a window without lookups. */
export function smallTimeline(): Timeline {
  return {
    intervalMs: 10,
    series: [
      {
        label: 'v4.7',
        samples: [
          sample(0, { depot: [1, 0, 0, 0, 0, 2], mags: 8, iova: 100, hits: 3, misses: 1 }),
          sample(10, { depot: [2, 0, 0, 0, 0, 2], mags: 9, iova: 150, hits: 1, misses: 2, cumHits: 4, cumMisses: 3 }),
          sample(25, { depot: [0, 0, 0, 0, 0, 0], mags: 4, iova: 120, hits: 0, misses: 0, cumHits: 4, cumMisses: 3 }),
        ],
      },
      {
        label: 'v6.8+lazy',
        samples: [
          sample(0, { mags: 2, iova: 10 }),
          sample(10, { depot: [0, 3, 0, 0, 0, 0], mags: 6, iova: 20, hits: 2, misses: 0 }),
          sample(20, { depot: [0, 3, 1, 0, 0, 0], mags: 7, iova: 30, hits: 5, misses: 3, cumHits: 7, cumMisses: 3 }),
        ],
      },
    ],
  };
}
