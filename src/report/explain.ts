// Explains what a machine's slab caches say about its IOVA rcaches, reading every relevant cache
// together: the magazines' cache (iommu_iova_magazine from 6.9; kmalloc-1k before, shared with one
// rcache array per domain from 6.7; kmalloc-2k for 128-PFN magazines), the rcache arrays'
// cache, and iommu_iova, whose objects bound how many full (depot) magazines can exist.
// Pure functions; no engine needed.
import type { MagazineMode } from '../engine.js';
import { EAGER_MAGAZINES_PER_CPU, objectsPerDomain, rcacheLayout, type RcacheLayout } from '../machine/layout.js';
import { objSizeOf } from '../model/slab.js';
import { SlabLineParseError, parseSlabLine, parseSlabText, type SlabLine } from '../machine/slabinfo.js';
import type { ProfileName } from '../policy.js';
import { RCACHE_CLASSES } from '../snapshot.js';
import { clip } from '../share/echo.js';

export { SlabLineParseError, parseSlabLine, type SlabLine } from '../machine/slabinfo.js';
export { EAGER_MAGAZINES_PER_CPU } from '../machine/layout.js';

/** The caches an explanation reads; any other line is ignored. */
export const EXPLAINED_CACHES: ReadonlySet<string> = new Set([
  'iommu_iova_magazine',
  'kmalloc-1k',
  'kmalloc-2k',
  'iommu_iova',
]);

export interface ExplainOptions {
  possibleCpus: number;
  /** Defaults to possibleCpus. */
  onlineCpus?: number;
  /** The kernel's profile; inferred from the caches present when absent. */
  profile?: ProfileName;
  magazines?: MagazineMode;
  /** Where the profile came from, for the report (default 'given'). */
  profileSource?: string;
  /** Domains with rcaches when known (e.g. from the IOMMU groups); else implied by the object count. */
  domains?: number;
}

export interface Explanation {
  possibleCpus: number;
  onlineCpus: number;
  layout: RcacheLayout;
  /** How the layout was chosen: 'given' (--profile), 'inferred' from the caches present, or the
   * caller's `profileSource` (e.g. 'kernel version'). */
  layoutSource: string;
  /** True when the magazine cache holds nothing else (named cache), so counts are exact, not bounds. */
  exact: boolean;
  lines: SlabLine[];
  /** Active objects × real object size of the magazine cache (decimal string). */
  activeBytes: string;
  /** Magazines a domain allocates at init: 12 × possible CPUs. */
  eagerPerDomain: number;
  domains: number;
  domainsSource: 'known' | 'implied';
  /** Objects of the magazine cache taken to be magazines (rcache arrays sharing it removed). */
  magazines: number;
  eagerMagazines: number;
  /** magazines − eager: depot or in-flight magazines (negative: fewer than eager). */
  extraMagazines: number;
  /** Up to extra × PFNs-per-magazine IOVAs can sit in them … */
  maxCachedIovas: number;
  /** … each one iommu_iova object (decimal string). */
  maxCachedIovaBytes: string;
  /** Full magazines the active iommu_iova objects can fill (absent without an iommu_iova line). */
  fullMagazinesBacked?: number;
  /** The depot the kernel keeps in steady state: domains × 6 classes × online CPUs (trimmed depot)
   * or × the fixed depot size. */
  depotBound: number;
  consistent: boolean;
  verdict: string;
  notes: string[];
}

function positive(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new SlabLineParseError(`${what} must be a positive integer, got ${String(n)}`, -1);
  }
  return n;
}

const bytes = (objs: number, size: number): string => (BigInt(objs) * BigInt(size)).toString();

function toMap(input: SlabInput): ReadonlyMap<string, SlabLine> {
  if (typeof input === 'string') {
    const m = parseSlabText(input, (n) => EXPLAINED_CACHES.has(n));
    if (m.size === 0) {
      const first = input.split(/\r?\n/).find((l) => l.trim().length > 0) ?? '';
      const l = parseSlabLine(first);
      const expected = [...EXPLAINED_CACHES].join(', ');
      throw new SlabLineParseError(`cannot explain cache "${clip(l.name)}": expected ${expected}`, -1);
    }
    return m;
  }
  if (Array.isArray(input)) return new Map(input.map((l) => [l.name, l]));
  if ('name' in input) return new Map([[input.name, input]]);
  return input;
}

/** Which layout the caches present point to when no profile is given. */
function inferLayout(caches: ReadonlyMap<string, SlabLine>, notes: string[]): RcacheLayout {
  if (caches.has('iommu_iova_magazine')) return rcacheLayout('v6.9');
  if ((caches.get('kmalloc-1k')?.activeObjs ?? 0) === 0 && (caches.get('kmalloc-2k')?.activeObjs ?? 0) > 0) {
    notes.push(
      'no iommu_iova_magazine line and an empty kmalloc-1k: reading kmalloc-2k as 128-PFN magazines ' +
        '(4.7–5.x layout); pass --profile to choose',
    );
    return rcacheLayout('v4.7');
  }
  notes.push(
    'no iommu_iova_magazine line: magazines taken to share kmalloc-1k with one rcache array per domain ' +
      '(6.7/6.8 layout); ' +
      'pass --profile to choose',
  );
  return rcacheLayout('v6.7');
}

function layoutFor(caches: ReadonlyMap<string, SlabLine>, o: ExplainOptions, notes: string[]): [RcacheLayout, string] {
  if (o.profile === undefined) return [inferLayout(caches, notes), 'inferred'];
  const l = rcacheLayout(o.profile, o.magazines);
  if (!caches.has(l.magazineCache) && l.magazines === 'named' && caches.has('kmalloc-1k')) {
    notes.push(
      'no iommu_iova_magazine line: reading the magazines from kmalloc-1k ' + '(unnamed, or merged into another cache)',
    );
    return [rcacheLayout(o.profile, 'unnamed'), o.profileSource ?? 'given'];
  }
  return [l, o.profileSource ?? 'given'];
}

/** Only iommu_iova: describe it without inventing a domain count. */
function iovaOnly(line: SlabLine, base: Omit<Explanation, 'activeBytes' | 'verdict' | 'lines'>): Explanation {
  const activeBytes = bytes(line.activeObjs, line.objSize);
  return {
    ...base,
    lines: [line],
    activeBytes,
    verdict:
      `${line.activeObjs} iommu_iova nodes (${activeBytes} bytes): ` +
      'live mappings plus IOVAs parked in magazines; ' +
      'the domain count cannot be read from this cache — explain the iommu_iova_magazine (or kmalloc-1k) line',
  };
}

/** Explain the caches of one machine (a slabtop/slabinfo text, lines, or parsed caches). */
export type SlabInput = string | SlabLine | SlabLine[] | ReadonlyMap<string, SlabLine>;

export function explainSlab(input: SlabInput, o: ExplainOptions): Explanation {
  const caches = toMap(input);
  const possibleCpus = positive('possible CPUs', o.possibleCpus);
  const onlineCpus = positive('online CPUs', o.onlineCpus ?? possibleCpus);
  const notes: string[] = [];
  const [layout, layoutSource] = layoutFor(caches, o, notes);
  const magLine = caches.get(layout.magazineCache);
  const iova = caches.get('iommu_iova');
  if (!magLine) {
    if (iova && caches.size === 1) {
      return iovaOnly(iova, {
        possibleCpus,
        onlineCpus,
        layout,
        layoutSource,
        exact: false,
        eagerPerDomain: 0,
        domains: 0,
        domainsSource: 'implied',
        magazines: 0,
        eagerMagazines: 0,
        extraMagazines: 0,
        maxCachedIovas: 0,
        maxCachedIovaBytes: '0',
        depotBound: 0,
        consistent: true,
        notes: [],
      });
    }
    const where = `no ${layout.magazineCache} line, where profile ${layout.profile} keeps its magazines`;
    throw new SlabLineParseError(where, -1);
  }
  const shared = layout.arrayCache === layout.magazineCache;
  const exact = layout.magazines === 'named';
  const eagerPerDomain = EAGER_MAGAZINES_PER_CPU * possibleCpus;
  const perDomain = objectsPerDomain(layout, possibleCpus);
  const domains = o.domains ?? Math.floor(magLine.activeObjs / perDomain);
  const magazines = Math.max(0, magLine.activeObjs - (shared ? domains : 0));
  const eagerMagazines = domains * eagerPerDomain;
  const extraMagazines = magazines - eagerMagazines;
  const maxCachedIovas = Math.max(0, extraMagazines) * layout.magazineSize;
  const iovaSize = iova?.objSize ?? objSizeOf('iommu_iova');
  const depotBound = domains * RCACHE_CLASSES * (layout.depotCap > 0 ? layout.depotCap : onlineCpus);
  const fullMagazinesBacked = iova ? Math.floor(iova.activeObjs / layout.magazineSize) : undefined;

  if (!exact) {
    notes.push(
      `${layout.magazineCache} is shared with every other ${layout.magazineObjSize}-byte kmalloc: ` +
        `the ${o.domains === undefined ? 'domain' : 'magazine'} count is an upper bound`,
    );
  }
  if (shared) {
    notes.push(
      `${layout.magazineCache} also holds one rcache array per domain ` + `(${domains} counted out of the magazines)`,
    );
  }
  const arrays = layout.arrayCache && !shared ? caches.get(layout.arrayCache) : undefined;
  if (arrays) {
    notes.push(
      `${arrays.name}: ${arrays.activeObjs} objects — the rcache arrays (one per domain) ` +
        'and other allocations, not magazines',
    );
    if (arrays.activeObjs < domains) {
      notes.push(
        `${arrays.name} holds fewer objects than the ${domains} domains' rcache arrays: ` +
          'wrong profile or CPU count?',
      );
    }
  }
  if (magLine.numObjs > magLine.activeObjs) {
    notes.push(`${magLine.numObjs - magLine.activeObjs} free objects in partial slabs (fragmentation)`);
  }

  let consistent: boolean;
  let verdict: string;
  if (extraMagazines < 0) {
    consistent = false;
    verdict =
      `${-extraMagazines} fewer magazines than ${domains} domains allocate eagerly: lazy magazine allocation, ` +
      'fewer domains with rcaches, or another CPU count';
  } else if (domains === 0) {
    consistent = extraMagazines === 0;
    verdict = consistent
      ? 'no magazines: no domain with eager rcaches'
      : `${extraMagazines} objects, fewer than one domain allocates eagerly (${perDomain}): ` +
        'no domain with eager rcaches ' +
        'explains them (lazy allocation, another CPU count, or other users of the cache)';
  } else if (fullMagazinesBacked !== undefined && extraMagazines > fullMagazinesBacked) {
    consistent = false;
    verdict =
      `${extraMagazines - fullMagazinesBacked} of the ${extraMagazines} magazines beyond the eager ones ` +
      'cannot be depot magazines: ' +
      `${iova!.activeObjs} iommu_iova objects fill at most ${fullMagazinesBacked} — look for a leak` +
      (exact ? '' : ` (or other ${layout.magazineObjSize}-byte allocations)`);
  } else if (fullMagazinesBacked === undefined && extraMagazines > depotBound) {
    consistent = false;
    verdict = 'more than eager allocation can explain: look for a leak or a growing depot';
  } else {
    consistent = true;
    verdict = `consistent with ${domains} domains (+${extraMagazines} magazines beyond the eager ones)`;
    if (extraMagazines > depotBound) {
      notes.push(
        `the ${extraMagazines} extra magazines exceed the steady depot (${depotBound}): ` + 'a burst not yet trimmed',
      );
    }
  }
  return {
    possibleCpus,
    onlineCpus,
    layout,
    layoutSource,
    exact,
    lines: [...caches.values()],
    activeBytes: bytes(magLine.activeObjs, magLine.objSize),
    eagerPerDomain,
    domains,
    domainsSource: o.domains === undefined ? 'implied' : 'known',
    magazines,
    eagerMagazines,
    extraMagazines,
    maxCachedIovas,
    maxCachedIovaBytes: bytes(maxCachedIovas, iovaSize),
    fullMagazinesBacked,
    depotBound,
    consistent,
    verdict,
    notes,
  };
}

/** Human-readable lines for an Explanation. */
export function formatExplanation(e: Explanation): string {
  const l = e.layout;
  const mag = e.lines.find((x) => x.name === l.magazineCache);
  const lines = mag ? [mag, ...e.lines.filter((x) => x !== mag)] : e.lines;
  const out = lines.map(
    (x) => `${x.name}: ${x.activeObjs} active of ${x.numObjs} objects ` + `(${bytes(x.activeObjs, x.objSize)} bytes)`,
  );
  if (!mag) return [...out, `verdict: ${e.verdict}`].join('\n') + '\n';
  out.push(
    `layout: profile ${l.profile} (${e.layoutSource}), magazines of ${l.magazineSize} PFNs in ${l.magazineCache}` +
      (l.arrayCache ? `, rcache arrays in ${l.arrayCache}` : ''),
    `eager magazines per domain: 12 x ${e.possibleCpus} possible CPUs = ${e.eagerPerDomain}`,
    e.domainsSource === 'known'
      ? `domains: ${e.domains} (from the IOMMU groups)`
      : l.arrayCache === l.magazineCache
        ? `domains: floor(${mag.activeObjs} / (${e.eagerPerDomain} + 1 rcache array)) = ${e.domains}`
        : `domains: floor(${mag.activeObjs} / ${e.eagerPerDomain}) = ${e.domains}`,
    `extra magazines: ${e.extraMagazines} (depot or in transit; up to ${e.maxCachedIovas} cached IOVAs, ` +
      `${e.maxCachedIovaBytes} bytes of iommu_iova)`,
  );
  if (e.fullMagazinesBacked !== undefined) {
    out.push(`full magazines the iommu_iova objects can fill: ${e.fullMagazinesBacked}`);
  }
  out.push(
    `steady depot bound: ${e.domains} domains x 6 classes x ` +
      `${l.depotCap > 0 ? `${l.depotCap} (fixed depot)` : `${e.onlineCpus} online CPUs`} = ${e.depotBound}`,
  );
  for (const n of e.notes) out.push(`note: ${n}`);
  out.push(`verdict: ${e.verdict}`);
  return out.join('\n') + '\n';
}
