// `compare --profiles`: one row per variant (kernel profile, optionally + policy specs) of what
// the rcache costs and does: magazines in their cache, iommu_iova objects, rcache hit rate,
// depot high-water mark, trims, overflows and slow-path allocations.
import { profileByName } from '../policy.js';
import { cacheByName, type Snapshot } from '../snapshot.js';
import { iovaObjSize as iovaObjSizeOf } from './classes.js';
import { dmaTotals, topCpus, type DmaTotals } from './dma.js';
import { formatTable } from './table.js';

export interface VariantMetrics {
  /** "v6.8", "v6.8+lazy", … */
  variant: string;
  profile: string;
  /** The rcache design the profile's kernel version resolves to. */
  design: string;
  policy: string[];
  magazineMode: Snapshot['magazineMode'];
  /** The cache the magazines come from (iommu_iova_magazine or kmalloc-N). */
  magazineCache: string;
  magazineObjSize: number;
  /** Magazines allocated (loaded + prev + depot, all classes and domains). */
  magazineObjects: number;
  /** magazineObjects × magazineObjSize (decimal string). */
  magazineBytes: string;
  /** Active iommu_iova objects (live IOVAs, including the ones cached in magazines). */
  iovaObjects: number;
  iovaObjSize: number;
  /** iovaObjects × iovaObjSize (decimal string). */
  iovaBytes: string;
  hits: number;
  misses: number;
  /** hits / (hits + misses) over all classes; null when the rcache was never asked. */
  hitRate: number | null;
  /** Max over classes of the lab-wide depot high-water mark. */
  depotHighWater: number;
  depotTrims: number;
  depotOverflows: number;
  /** alloc_iova calls from the fast path: the rcache misses. */
  slowPathAllocs: number;
  /** compare --domain-types: the DMA domain type this variant ran. */
  domainType?: string;
  /** The DMA domains' counters summed; null without DMA domains. */
  dma: DmaTotals | null;
  /** For a profile + policy variant: the plain profile's label and the magazine bytes saved against it. */
  baseline?: string;
  magazineBytesSaved?: string;
}

export function variantMetrics(
  variant: string,
  profile: string,
  policy: readonly string[],
  s: Snapshot,
): VariantMetrics {
  const iova = cacheByName(s, 'iommu_iova');
  const iovaObjSize = iovaObjSizeOf(s);
  const iovaObjects = iova?.activeObjs ?? 0;
  const sum = (f: 'hits' | 'misses' | 'depotTrims' | 'depotOverflows') => s.classes.reduce((a, c) => a + c[f], 0);
  const hits = sum('hits');
  const misses = sum('misses');
  return {
    variant,
    profile,
    design: profileByName(profile).design,
    policy: [...policy],
    magazineMode: s.magazineMode,
    magazineCache: s.magazineCache,
    magazineObjSize: s.magazineObjSize,
    magazineObjects: s.magazines.total,
    magazineBytes: (BigInt(s.magazines.total) * BigInt(s.magazineObjSize)).toString(),
    iovaObjects,
    iovaObjSize,
    iovaBytes: (BigInt(iovaObjects) * BigInt(iovaObjSize)).toString(),
    hits,
    misses,
    hitRate: hits + misses === 0 ? null : hits / (hits + misses),
    depotHighWater: s.classes.reduce((a, c) => Math.max(a, c.depotHighWater), 0),
    depotTrims: sum('depotTrims'),
    depotOverflows: sum('depotOverflows'),
    slowPathAllocs: misses,
    dma: dmaTotals(s),
  };
}

/** Fill baseline / magazineBytesSaved of every policy variant from the plain variant of its profile. */
export function withSavings(rows: VariantMetrics[]): VariantMetrics[] {
  return rows.map((r) => {
    if (r.policy.length === 0) return r;
    const base = rows.find((b) => b.profile === r.profile && b.policy.length === 0 && b.domainType === r.domainType);
    if (!base) return r;
    return {
      ...r,
      baseline: base.variant,
      magazineBytesSaved: (BigInt(base.magazineBytes) - BigInt(r.magazineBytes)).toString(),
    };
  });
}

/** The compare table's rows: one per variant (with its DMA domain type, if any) and its snapshot. */
export function variantRows(
  variants: ReadonlyArray<{ label: string; profile: string; policy: readonly string[]; domainType?: string }>,
  snapshots: readonly Snapshot[],
): VariantMetrics[] {
  return withSavings(
    variants.map((v, i) => ({
      ...variantMetrics(v.label, v.profile, v.policy, snapshots[i]),
      ...(v.domainType ? { domainType: v.domainType } : {}),
    })),
  );
}

export function formatHitRate(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(1)}%`;
}

/** Bytes in binary units with one decimal: 500170752 → "477.0 MiB". */
export function humanBytes(bytes: string | bigint): string {
  let v = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

export const VARIANT_TABLE_HEADER = [
  'variant',
  'design',
  'magazine cache',
  'mag objs',
  'mag bytes',
  'iova objs',
  'iova bytes',
  'hit rate',
  'depot hwm',
  'trims',
  'overflows',
  'slow allocs',
];

export function formatVariantTable(rows: VariantMetrics[]): string {
  const table = formatTable(
    VARIANT_TABLE_HEADER,
    rows.map((r) => [
      r.variant,
      r.design,
      `${r.magazineCache} (${r.magazineObjSize} B)`,
      String(r.magazineObjects),
      r.magazineBytes,
      String(r.iovaObjects),
      r.iovaBytes,
      formatHitRate(r.hitRate),
      String(r.depotHighWater),
      String(r.depotTrims),
      String(r.depotOverflows),
      String(r.slowPathAllocs),
    ]),
    3,
  );
  const savings = rows
    .filter((r) => r.magazineBytesSaved !== undefined)
    .map((r) => {
      const saved = BigInt(r.magazineBytesSaved!);
      return saved >= 0n
        ? `${r.variant} saves ${saved} bytes (${humanBytes(saved)}) of magazines against ${r.baseline}`
        : `${r.variant} costs ${-saved} bytes (${humanBytes(-saved)}) more magazines than ${r.baseline}`;
    });
  return table + (savings.length > 0 ? '\n' + savings.join('\n') + '\n' : '') + formatDmaVariantTable(rows);
}

export const DMA_VARIANT_HEADER = [
  'variant',
  'maps',
  'queued',
  'ring-full flushes',
  'timer flushes',
  'timer freed',
  'timer freed on',
  '32-bit tries',
  'switched',
];

/** The DMA counters of every variant that ran DMA domains ('' when none did). */
function formatDmaVariantTable(rows: VariantMetrics[]): string {
  const dma = rows.filter((r) => r.dma !== null);
  if (dma.length === 0) return '';
  return (
    '\n' +
    formatTable(
      DMA_VARIANT_HEADER,
      dma.map((r) => {
        const t = r.dma!;
        return [
          r.variant,
          String(t.maps),
          String(t.queued),
          String(t.flushesFull),
          String(t.flushesTimer),
          String(t.timerFreed),
          topCpus(t.timerFreedOn, 2),
          String(t.sacAttempts),
          String(t.sacSwitched),
        ];
      }),
    )
  );
}
