// A terminal chart: one sparkline (▁▂▃▄▅▆▇█) per series for one field, with min/max/last.
import { fieldInfo, formatValue, plainDecimal, type TimelineField } from './fields.js';
import { TimelineError, type Timeline } from './sample.js';
import { checkTimeline } from './validate.js';

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
/**
 * Drawn where a sample has no value (a hit rate with no lookups).
 * @example `line.includes(ASCII_GAP)`
 */
export const ASCII_GAP = ' ';

/**
 * Options of {@link renderTimelineAscii}.
 * @example `renderTimelineAscii(timeline, 'hitRate', { width: 60, scale: 'series' })`
 */
export interface AsciiOptions {
  /**
   * Most characters per sparkline (default 80). A longer series is cut into this many buckets of
   * consecutive samples and each character shows the largest value in its bucket.
   * @example `{ width: 60 }`
   */
  width?: number;
  /**
   * 'shared' (default): every series on the same vertical scale, so their heights compare;
   * 'series': each series scaled to its own min..max. Hit rates are always drawn on 0..100%.
   * @example `{ scale: 'series' }`
   */
  scale?: 'shared' | 'series';
}

/** Splits `values` into at most `width` consecutive buckets and keeps each bucket's maximum. */
function downsample(values: (number | null)[], width: number): (number | null)[] {
  if (values.length <= width) return values;
  const out: (number | null)[] = [];
  for (let b = 0; b < width; b++) {
    const lo = Math.floor((b * values.length) / width);
    const hi = Math.floor(((b + 1) * values.length) / width);
    let best: number | null = null;
    for (let i = lo; i < hi; i++) {
      const v = values[i]!;
      if (v !== null && (best === null || v > best)) best = v;
    }
    out.push(best);
  }
  return out;
}

function range(values: (number | null)[]): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v === null) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min <= max ? { min, max } : null;
}

function sparkline(values: (number | null)[], lo: number, hi: number): string {
  return values
    .map((v) => {
      if (v === null) return ASCII_GAP;
      if (hi <= lo) return BARS[0];
      const level = Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1));
      return BARS[Math.min(BARS.length - 1, Math.max(0, level))];
    })
    .join('');
}

/**
 * Lines for a terminal: a heading naming the field, the time span and the interval, then one
 * line per series: its label (padded), its sparkline, and min / max / last values in the
 * field's unit. A series without samples shows "(no samples)".
 * @throws TimelineError for a malformed timeline or option.
 * @example `console.log(renderTimelineAscii(timeline, 'depotMagazinesTotal').join('\n'));`
 */
export function renderTimelineAscii(t: Timeline, field: TimelineField, options: AsciiOptions = {}): string[] {
  checkTimeline(t);
  const info = fieldInfo(field);
  const width = options.width ?? 80;
  if (!Number.isInteger(width) || width < 1)
    throw new TimelineError(`width must be a positive integer, got ${String(width)}`);
  const scale = options.scale ?? 'shared';
  if (scale !== 'shared' && scale !== 'series')
    throw new TimelineError(`scale must be 'shared' or 'series', got ${String(scale)}`);

  const rows = t.series.map((s) => ({
    label: s.label,
    samples: s.samples,
    values: s.samples.map((x) => info.value(x)),
  }));
  const times = rows.flatMap((r) => r.samples.map((x) => x.tMs));
  const span =
    times.length === 0
      ? 'no samples'
      : `${plainDecimal(times.reduce((a, b) => Math.min(a, b)))}–` +
        `${plainDecimal(times.reduce((a, b) => Math.max(a, b)))} ms virtual time`;
  const lines = [`${info.title} (${info.column}), ${span}, sampled every ${plainDecimal(t.intervalMs)} ms`];

  const shared = range(rows.flatMap((r) => r.values));
  const ratioScale = info.unit === 'ratio' ? { min: 0, max: 1 } : null;
  const labelWidth = rows.reduce((w, r) => Math.max(w, r.label.length), 0);
  for (const r of rows) {
    const label = r.label.padEnd(labelWidth);
    const own = range(r.values);
    if (r.values.length === 0) {
      lines.push(`${label}  (no samples)`);
      continue;
    }
    const bounds = ratioScale ?? (scale === 'shared' ? shared : own) ?? { min: 0, max: 0 };
    const line = sparkline(downsample(r.values, width), bounds.min, bounds.max);
    const last = r.values[r.values.length - 1] ?? null;
    const stats =
      own === null
        ? 'min -  max -  last -'
        : `min ${formatValue(own.min, info.unit)}  max ${formatValue(own.max, info.unit)}  ` +
          `last ${formatValue(last, info.unit)}`;
    lines.push(`${label}  ${line}  ${stats}`);
  }
  return lines;
}
