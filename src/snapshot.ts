// Counter snapshot: what slabtop, /proc/slabinfo and the rcache would show. Plain numbers
// (all counts stay far below 2^53); both engines must produce deep-equal snapshots. The word
// layout the C engine writes is declared in abi/iova-abi.json (src/generated/abi.ts).
import type {
  ClassCounters,
  CpuCounters,
  DomainCounters,
  FlushQueueCounters,
  MagazineCounters,
  SlabCounters,
} from './counters.js';
import type { MagazineMode } from './engine.js';
import {
  CACHE_FIELDS,
  CACHE_NAMES,
  CLASS_FIELDS,
  CPU_CLASS_FIELDS,
  DOMAIN_FIELDS,
  IOVA_RANGE_CACHE_MAX_SIZE,
  MAGAZINE_FIELDS,
  SNAPSHOT_FIXED_WORDS,
  SNAPSHOT_HEADER_FIELDS,
} from './generated/abi.js';

export { CACHE_FIELDS, CACHE_NAMES, CLASS_FIELDS, DOMAIN_FIELDS, MAGAZINE_FIELDS };
/** Size classes of the rcache (IOVA_RANGE_CACHE_MAX_SIZE). */
export const RCACHE_CLASSES = IOVA_RANGE_CACHE_MAX_SIZE;

/**
 * The name of a slab cache the lab models (one of CACHE_NAMES).
 * @example `const name: CacheName = 'iommu_iova';`
 */
export type CacheName = (typeof CACHE_NAMES)[number];
/**
 * One slab cache by name.
 * @example `lab.snapshot().caches.map((c) => c.name)`
 */
export type CacheCounters = { name: CacheName } & SlabCounters;
export type { ClassCounters, CpuCounters, DomainCounters, FlushQueueCounters, MagazineCounters, SlabCounters };

// The field lists name exactly the documented counters (a compile error otherwise).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;
export type FieldListsMatchCounters = [
  Holds<Same<(typeof CACHE_FIELDS)[number], keyof SlabCounters>>,
  Holds<Same<(typeof MAGAZINE_FIELDS)[number], keyof MagazineCounters>>,
  Holds<Same<(typeof CLASS_FIELDS)[number], keyof ClassCounters>>,
  Holds<Same<(typeof DOMAIN_FIELDS)[number], keyof DomainCounters>>,
];

/**
 * Every counter of a lab at one moment, as {@link IovaLab.snapshot} returns it.
 * @example `const { magazines, classes } = lab.snapshot();`
 */
export interface Snapshot {
  /** Virtual time in ms, exact to 2^64 − 1. @example `100n` */
  nowMs: bigint;
  /** Possible CPUs. @example `128` */
  possibleCpus: number;
  /** Online CPUs. @example `128` */
  onlineCpus: number;
  /** Where magazines are allocated. @example `'named'` */
  magazineMode: MagazineMode;
  /** Bytes of one magazine object in the cache that holds them (127-PFN magazines). @example `1024` */
  magazineObjSize: number;
  /**
   * The cache the magazines are allocated from: iommu_iova_magazine, or a kmalloc-N cache.
   * @example `'iommu_iova_magazine'`
   */
  magazineCache: CacheName;
  /**
   * Every cache in CACHE_NAMES order; in unnamed mode `iommu_iova_magazine` is left out.
   * @example `s.caches[0].name`
   */
  caches: CacheCounters[];
  /** Magazines of every domain. @example `s.magazines.total` */
  magazines: MagazineCounters;
  /** One record per size class k = 0..5. @example `s.classes[0].hits` */
  classes: ClassCounters[];
  /** One record per live domain, by id. @example `s.domains[0].liveIovas` */
  domains: DomainCounters[];
  /** One record per possible CPU: PFNs in its loaded/prev magazines by class. @example `s.cpus[0].loadedPfns[0]` */
  cpus: CpuCounters[];
  /** One record per lazy DMA domain, by id. @example `s.flushQueues[0].queued` */
  flushQueues: FlushQueueCounters[];
}

/** The snapshot words do not have the length their header implies (a C/TS layout mismatch). */
export class SnapshotLayoutError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotLayoutError';
  }
}

const LIVE_DOMAINS_AT = SNAPSHOT_HEADER_FIELDS.indexOf('liveDomains');
const NOW_MS_AT = SNAPSHOT_HEADER_FIELDS.indexOf('nowMs');
const POSSIBLE_AT = SNAPSHOT_HEADER_FIELDS.indexOf('possibleCpus');
const FQ_RINGS_AT = DOMAIN_FIELDS.indexOf('fqRings');
const CPU_WORDS = CPU_CLASS_FIELDS.length * RCACHE_CLASSES;

/** The words a snapshot must have: its fixed part, domain and cpu rows, and flush-queue words. */
function expectedWords(words: ArrayLike<bigint>, liveDomains: number, possible: number): number {
  const rows = SNAPSHOT_FIXED_WORDS + liveDomains * DOMAIN_FIELDS.length;
  let fq = 0;
  for (let i = 0; i < liveDomains && SNAPSHOT_FIXED_WORDS + (i + 1) * DOMAIN_FIELDS.length <= words.length; i++) {
    const rings = Number(words[SNAPSHOT_FIXED_WORDS + i * DOMAIN_FIELDS.length + FQ_RINGS_AT]);
    if (rings > 0) fq += rings + possible;
  }
  return rows + possible * CPU_WORDS + fq;
}

/** @internal Decode the flat uint64 layout written by the C engine; throws SnapshotLayoutError
 *  unless it consumes exactly the words given. */
export function decodeSnapshot(words: ArrayLike<bigint>): Snapshot {
  if (words.length < SNAPSHOT_FIXED_WORDS) {
    const fixed = SNAPSHOT_FIXED_WORDS;
    throw new SnapshotLayoutError(`snapshot of ${words.length} words is shorter than its ${fixed}-word fixed part`);
  }
  const liveDomains = Number(words[LIVE_DOMAINS_AT]);
  const possible = Number(words[POSSIBLE_AT]);
  const expected = expectedWords(words, liveDomains, possible);
  if (words.length !== expected) {
    const what = `${liveDomains} live domains`;
    throw new SnapshotLayoutError(`snapshot of ${words.length} words, expected ${expected} for ${what}`);
  }
  let at = 0;
  const next = (): number => Number(words[at++]);
  const record = <F extends readonly string[]>(fields: F): Record<F[number], number> => {
    const out = {} as Record<F[number], number>;
    for (const f of fields) out[f as F[number]] = next();
    return out;
  };
  const header = record(SNAPSHOT_HEADER_FIELDS);
  const magazineMode: MagazineMode = header.magazineMode === 0 ? 'named' : 'unnamed';
  const magazineCache = CACHE_NAMES[header.magazineCache];
  if (!magazineCache) throw new SnapshotLayoutError(`magazine cache index ${header.magazineCache} is not a cache`);
  const caches: CacheCounters[] = [];
  for (const name of CACHE_NAMES) {
    const c = { name, ...record(CACHE_FIELDS) };
    if (!(magazineMode === 'unnamed' && name === 'iommu_iova_magazine')) caches.push(c);
  }
  const magazines = record(MAGAZINE_FIELDS);
  const classes = Array.from({ length: RCACHE_CLASSES }, () => record(CLASS_FIELDS));
  const domains = Array.from({ length: liveDomains }, () => record(DOMAIN_FIELDS));
  const cpus = Array.from({ length: possible }, () => {
    const rows = Array.from({ length: RCACHE_CLASSES }, () => record(CPU_CLASS_FIELDS));
    return { loadedPfns: rows.map((r) => r.loadedPfns), prevPfns: rows.map((r) => r.prevPfns) };
  });
  const take = (n: number): number[] => Array.from({ length: n }, next);
  const flushQueues = domains
    .filter((d) => d.fqRings > 0)
    .map((d) => ({ domain: d.id, queued: take(d.fqRings), timerFreedOn: take(possible) }));
  if (at !== words.length) throw new SnapshotLayoutError(`snapshot decoder read ${at} of ${words.length} words`);
  const { possibleCpus, onlineCpus, magazineObjSize } = header;
  const nowMs = BigInt(words[NOW_MS_AT]); // the one 64-bit header word that can pass 2^53 in one call
  return {
    nowMs,
    possibleCpus,
    onlineCpus,
    magazineMode,
    magazineObjSize,
    magazineCache,
    caches,
    magazines,
    classes,
    domains,
    cpus,
    flushQueues,
  };
}

/**
 * One cache of a snapshot by name, or undefined when the snapshot has no such cache.
 * @example `cacheByName(lab.snapshot(), 'iommu_iova_magazine')?.activeObjs`
 */
export function cacheByName(s: Snapshot, name: CacheName): CacheCounters | undefined {
  return s.caches.find((c) => c.name === name);
}
