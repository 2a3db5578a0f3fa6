// Explains one slabtop / /proc/slabinfo line of the magazine cache (iommu_iova_magazine, or
// kmalloc-1k on kernels before 6.9) or of iommu_iova: how many domains with rcaches the
// object count implies, and what the objects beyond the eager per-CPU magazines can hold.
// Pure functions; no engine needed.
import { IovaLabError } from '../errors.js';

export const RCACHE_CLASSES = 6;
export const MAGAZINES_PER_CPU_PER_CLASS = 2;
/** loaded + prev for each of the 6 classes: 12 magazines per possible CPU per domain. */
export const EAGER_MAGAZINES_PER_CPU = RCACHE_CLASSES * MAGAZINES_PER_CPU_PER_CLASS;
export const IOVA_MAG_SIZE = 127;
export const IOVA_NODE_BYTES = 64;
export const MAGAZINE_BYTES = 1024;

export class SlabLineParseError extends IovaLabError { override name = 'SlabLineParseError'; }

export interface SlabLine {
  format: 'slabtop' | 'slabinfo';
  name: string;
  activeObjs: number;
  numObjs: number;
  /** Bytes (slabtop's "1.00K" read back as 1024). */
  objSize: number;
  objPerSlab: number;
  numSlabs: number;
  pagesPerSlab?: number;
}

function count(what: string, token: string | undefined, line: string): number {
  if (token === undefined || !/^\d+$/.test(token)) throw new SlabLineParseError(`cannot read ${what} from line: ${line.trim()}`, -1);
  return Number(token);
}

/** Parse a `slabtop -o` row or a /proc/slabinfo 2.1 line. */
export function parseSlabLine(line: string): SlabLine {
  const t = line.trim().split(/\s+/).filter((x) => x.length > 0);
  if (t.length === 0) throw new SlabLineParseError('empty line: expected a slabtop or /proc/slabinfo line', -1);
  if (/^\d+$/.test(t[0]!)) {
    // OBJS ACTIVE USE OBJ_SIZE SLABS OBJ/SLAB CACHE_SIZE NAME
    if (t.length < 8) throw new SlabLineParseError(`a slabtop row has 8 columns, got ${t.length}: ${line.trim()}`, -1);
    const size = /^(\d+(?:\.\d+)?)([KMG]?)$/i.exec(t[3]!);
    if (!size) throw new SlabLineParseError(`cannot read OBJ SIZE "${t[3]}"`, -1);
    const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[size[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
    return {
      format: 'slabtop',
      numObjs: count('OBJS', t[0], line),
      activeObjs: count('ACTIVE', t[1], line),
      objSize: Math.round(Number(size[1]) * mult),
      numSlabs: count('SLABS', t[4], line),
      objPerSlab: count('OBJ/SLAB', t[5], line),
      name: t.slice(7).join(' '),
    };
  }
  // name active_objs num_objs objsize objperslab pagesperslab : tunables ... : slabdata active num 0
  if (t.length < 6) throw new SlabLineParseError(`a /proc/slabinfo line has at least 6 fields, got ${t.length}: ${line.trim()}`, -1);
  const slabdata = t.indexOf('slabdata');
  return {
    format: 'slabinfo',
    name: t[0]!,
    activeObjs: count('active_objs', t[1], line),
    numObjs: count('num_objs', t[2], line),
    objSize: count('objsize', t[3], line),
    objPerSlab: count('objperslab', t[4], line),
    pagesPerSlab: count('pagesperslab', t[5], line),
    numSlabs: slabdata >= 0 ? count('num_slabs', t[slabdata + 2], line) : 0,
  };
}

export interface ExplainOptions {
  possibleCpus: number;
  /** Defaults to possibleCpus. */
  onlineCpus?: number;
}

export interface Explanation {
  line: SlabLine;
  kind: 'magazine' | 'kmalloc-1k' | 'iova';
  possibleCpus: number;
  onlineCpus: number;
  /** Magazines a domain allocates at init: 12 × possible CPUs (0 for iommu_iova). */
  eagerPerDomain: number;
  domains: number;
  /** Active magazines beyond domains × eagerPerDomain: depot or in-transit magazines. */
  extraMagazines: number;
  /** Up to extra × 127 PFNs can sit in them. */
  maxCachedIovas: number;
  /** ... each an iommu_iova node of 64 bytes (decimal string). */
  maxCachedIovaBytes: string;
  /** Active objects × object size (decimal string). */
  activeBytes: string;
  /** The steady depot the trim keeps: domains × 6 classes × online CPUs. */
  plausibleExtraMax: number;
  consistent: boolean;
  verdict: string;
  notes: string[];
}

function positive(what: string, n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new SlabLineParseError(`${what} must be a positive integer, got ${String(n)}`, -1);
  return n;
}

export function explainSlabLine(input: string | SlabLine, options: ExplainOptions): Explanation {
  const line = typeof input === 'string' ? parseSlabLine(input) : input;
  const possibleCpus = positive('possible CPUs', options.possibleCpus);
  const onlineCpus = positive('online CPUs', options.onlineCpus ?? possibleCpus);
  const activeBytes = (BigInt(line.activeObjs) * BigInt(line.objSize)).toString();
  const notes: string[] = [];
  if (line.name === 'iommu_iova') {
    return {
      line, kind: 'iova', possibleCpus, onlineCpus, eagerPerDomain: 0, domains: 0, extraMagazines: 0,
      maxCachedIovas: line.activeObjs, maxCachedIovaBytes: activeBytes, activeBytes, plausibleExtraMax: 0, consistent: true,
      verdict: `${line.activeObjs} iommu_iova nodes (${activeBytes} bytes): live mappings plus IOVAs parked in magazines; `
        + 'the domain count cannot be read from this cache — explain the iommu_iova_magazine (or kmalloc-1k) line',
      notes,
    };
  }
  let kind: Explanation['kind'];
  if (line.name === 'iommu_iova_magazine') kind = 'magazine';
  else if (line.name === 'kmalloc-1k') {
    kind = 'kmalloc-1k';
    notes.push('unnamed mode (before 6.9): magazines share kmalloc-1k with every other 1 KiB allocation, so the domain count is an upper bound');
  } else {
    throw new SlabLineParseError(`cannot explain cache "${line.name}": expected iommu_iova_magazine, kmalloc-1k or iommu_iova`, -1);
  }
  const eagerPerDomain = EAGER_MAGAZINES_PER_CPU * possibleCpus;
  const domains = Math.floor(line.activeObjs / eagerPerDomain);
  const extraMagazines = line.activeObjs - domains * eagerPerDomain;
  const maxCachedIovas = extraMagazines * IOVA_MAG_SIZE;
  const plausibleExtraMax = domains * RCACHE_CLASSES * onlineCpus;
  const consistent = domains > 0 && extraMagazines <= plausibleExtraMax;
  if (line.numObjs > line.activeObjs) notes.push(`${line.numObjs - line.activeObjs} free objects in partial slabs (fragmentation)`);
  const verdict = consistent
    ? `consistent with ${domains} domains (+${extraMagazines} magazines beyond the eager ones)`
    : 'more than eager allocation can explain: look for a leak or a growing depot';
  return {
    line, kind, possibleCpus, onlineCpus, eagerPerDomain, domains, extraMagazines, maxCachedIovas,
    maxCachedIovaBytes: (BigInt(maxCachedIovas) * BigInt(IOVA_NODE_BYTES)).toString(),
    activeBytes, plausibleExtraMax, consistent, verdict, notes,
  };
}

/** Human-readable lines for an Explanation. */
export function formatExplanation(e: Explanation): string {
  const out = [`${e.line.name}: ${e.line.activeObjs} active of ${e.line.numObjs} objects (${e.activeBytes} bytes)`];
  if (e.kind !== 'iova') {
    out.push(
      `eager magazines per domain: 12 x ${e.possibleCpus} possible CPUs = ${e.eagerPerDomain}`,
      `domains: floor(${e.line.activeObjs} / ${e.eagerPerDomain}) = ${e.domains}`,
      `extra magazines: ${e.extraMagazines} (depot or in transit; up to ${e.maxCachedIovas} cached IOVAs, ${e.maxCachedIovaBytes} bytes of iommu_iova)`,
      `steady depot bound: ${e.domains} domains x 6 classes x ${e.onlineCpus} online CPUs = ${e.plausibleExtraMax}`,
    );
  }
  for (const n of e.notes) out.push(`note: ${n}`);
  out.push(`verdict: ${e.verdict}`);
  return out.join('\n') + '\n';
}
