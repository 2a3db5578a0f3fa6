// The per-sample quantities a timeline can show or export, their units, and number formatting
// shared by the CSV, terminal and SVG output.
import { RCACHE_CLASSES } from '../snapshot.js';
import { TimelineError, type Timeline, type TimelineSample } from './sample.js';

/**
 * The x axis title of every timeline chart.
 * @example `TIME_AXIS_TITLE // 'virtual time (ms)'`
 */
export const TIME_AXIS_TITLE = 'virtual time (ms)';

/**
 * How a field's values are measured and formatted: counts, bytes, or ratios in 0..1.
 * @example `formatValue(2048, 'bytes') // '2 KiB'`
 */
export type FieldUnit = 'count' | 'bytes' | 'ratio';

export interface FieldInfo {
  /** Column name in CSV. */
  column: string;
  /** Human title, without the unit. */
  title: string;
  unit: FieldUnit;
  value(s: TimelineSample): number | null;
}

type DepotClassField = `depotMagazines${0 | 1 | 2 | 3 | 4 | 5}`;

/**
 * A numeric quantity of a sample: its scalar fields, or one size class's depot magazines.
 * @example `const f: TimelineField = 'depotMagazines2';`
 */
export type TimelineField =
  | 'depotMagazinesTotal'
  | 'queued'
  | 'magazines'
  | 'magazineBytes'
  | 'iovaObjects'
  | 'iovaBytes'
  | 'hits'
  | 'misses'
  | 'hitRate'
  | 'cumulativeHitRate'
  | DepotClassField;

function depotClass(k: number): FieldInfo {
  return {
    column: `depot_k${k}`,
    title: `depot magazines, size class ${k}`,
    unit: 'count',
    value: (s) => {
      const v = s.depotMagazines[k];
      if (v === undefined) throw new TimelineError(`sample at ${s.tMs} ms has no depot count for size class ${k}`);
      return v;
    },
  };
}

export const FIELDS: Readonly<Record<TimelineField, FieldInfo>> = {
  depotMagazines0: depotClass(0),
  depotMagazines1: depotClass(1),
  depotMagazines2: depotClass(2),
  depotMagazines3: depotClass(3),
  depotMagazines4: depotClass(4),
  depotMagazines5: depotClass(5),
  depotMagazinesTotal: {
    column: 'depot_total',
    title: 'depot magazines',
    unit: 'count',
    value: (s) => s.depotMagazinesTotal,
  },
  queued: { column: 'queued', title: 'IOVAs in flush queues', unit: 'count', value: (s) => s.queued ?? 0 },
  magazines: { column: 'magazines', title: 'magazines', unit: 'count', value: (s) => s.magazines },
  magazineBytes: { column: 'magazine_bytes', title: 'magazine memory', unit: 'bytes', value: (s) => s.magazineBytes },
  iovaObjects: { column: 'iova_objects', title: 'iommu_iova objects', unit: 'count', value: (s) => s.iovaObjects },
  iovaBytes: { column: 'iova_bytes', title: 'iommu_iova memory', unit: 'bytes', value: (s) => s.iovaBytes },
  hits: { column: 'hits', title: 'rcache hits per interval', unit: 'count', value: (s) => s.hits },
  misses: { column: 'misses', title: 'rcache misses per interval', unit: 'count', value: (s) => s.misses },
  hitRate: { column: 'hit_rate', title: 'rcache hit rate per interval', unit: 'ratio', value: (s) => s.hitRate },
  cumulativeHitRate: {
    column: 'cumulative_hit_rate',
    title: 'rcache hit rate since start',
    unit: 'ratio',
    value: (s) => s.cumulativeHitRate,
  },
};

/**
 * Fields in CSV column order (after series and t_ms).
 * @example `FIELD_ORDER[0] // 'depotMagazines0'`
 */
export const FIELD_ORDER: readonly TimelineField[] = [
  ...Array.from({ length: RCACHE_CLASSES }, (_, k) => `depotMagazines${k}` as DepotClassField),
  'depotMagazinesTotal',
  'queued',
  'magazines',
  'magazineBytes',
  'iovaObjects',
  'iovaBytes',
  'hits',
  'misses',
  'hitRate',
  'cumulativeHitRate',
];

/** Whether any series ever held IOVAs in flush queues: the queued chart is drawn only then. */
export function everQueued(t: Timeline): boolean {
  return t.series.some((s) => s.samples.some((x) => (x.queued ?? 0) > 0));
}

export function fieldInfo(field: TimelineField): FieldInfo {
  const info = (FIELDS as Record<string, FieldInfo | undefined>)[field];
  if (info === undefined)
    throw new TimelineError(`unknown timeline field ${String(field)}; one of ${FIELD_ORDER.join(', ')}`);
  return info;
}

/**
 * A binary unit for byte axes and values.
 * @example `byteUnitFor(5000).bytes // 1024`
 */
export interface ByteUnit {
  /** The unit's symbol. */
  name: 'B' | 'KiB' | 'MiB' | 'GiB' | 'TiB';
  /** Bytes in one unit. */
  bytes: number;
}

const BYTE_UNITS: readonly ByteUnit[] = [
  { name: 'B', bytes: 1 },
  { name: 'KiB', bytes: 1024 },
  { name: 'MiB', bytes: 1024 ** 2 },
  { name: 'GiB', bytes: 1024 ** 3 },
  { name: 'TiB', bytes: 1024 ** 4 },
];

/**
 * The largest binary unit not above `maxBytes` (B for zero or nothing).
 * @example `byteUnitFor(3 * 1024 ** 2).name // 'MiB'`
 */
export function byteUnitFor(maxBytes: number): ByteUnit {
  let unit = BYTE_UNITS[0];
  for (const u of BYTE_UNITS) if (Number.isFinite(maxBytes) && maxBytes >= u.bytes) unit = u;
  return unit;
}

/** Up to `digits` decimals, trailing zeros dropped, never exponent notation. */
export function plainDecimal(x: number, digits = 9): string {
  if (!Number.isFinite(x)) throw new TimelineError(`cannot write ${String(x)} as a decimal number`);
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return Object.is(x, -0) ? '0' : x.toString();
  let s = x.toFixed(digits);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * A value for people: bytes in binary units, ratios as percent, counts as integers; '-' for null.
 * @throws TimelineError for a value that is not finite.
 * @example `formatValue(0.5, 'ratio') // '50%'`
 */
export function formatValue(v: number | null, unit: FieldUnit): string {
  if (v === null) return '-';
  switch (unit) {
    case 'bytes': {
      const u = byteUnitFor(Math.abs(v));
      return u.bytes === 1 ? `${plainDecimal(v)} B` : `${plainDecimal(v / u.bytes, 2)} ${u.name}`;
    }
    case 'ratio':
      return `${plainDecimal(v * 100, 1)}%`;
    case 'count':
      return plainDecimal(v, 2);
  }
}
