// Checks a Timeline before it is written or drawn, so a bad one fails with a named error
// instead of producing a half-written file or a chart with merged series.
import { RCACHE_CLASSES } from '../snapshot.js';
import { FIELD_ORDER, fieldInfo } from './fields.js';
import { TimelineError, type Timeline } from './sample.js';

/**
 * Checks a timeline's shape before it is drawn or exported.
 * @throws TimelineError naming the first malformed series, sample or field.
 * @example `checkTimeline(JSON.parse(text).timeline);`
 */
export function checkTimeline(t: Timeline): void {
  if (typeof t !== 'object' || t === null || !Array.isArray(t.series)) throw new TimelineError('not a timeline');
  if (typeof t.intervalMs !== 'number' || !Number.isFinite(t.intervalMs) || t.intervalMs <= 0) {
    throw new TimelineError(`intervalMs must be a positive finite number, got ${String(t.intervalMs)}`);
  }
  const labels = new Set<string>();
  for (const series of t.series) {
    if (typeof series.label !== 'string' || series.label === '')
      throw new TimelineError('a series needs a non-empty label');
    if (labels.has(series.label)) throw new TimelineError(`two series are labelled ${JSON.stringify(series.label)}`);
    labels.add(series.label);
    let lastMs = -Infinity;
    for (const s of series.samples) {
      if (typeof s.tMs !== 'number' || !Number.isFinite(s.tMs) || s.tMs < lastMs) {
        const where = `series ${JSON.stringify(series.label)}`;
        throw new TimelineError(
          `${where}: sample times must be finite and in order (${String(s.tMs)} after ${lastMs})`,
        );
      }
      lastMs = s.tMs;
      if (!Array.isArray(s.depotMagazines) || s.depotMagazines.length !== RCACHE_CLASSES) {
        throw new TimelineError(
          `series ${JSON.stringify(series.label)} at ${s.tMs} ms: depotMagazines needs ${RCACHE_CLASSES} entries`,
        );
      }
      for (const f of FIELD_ORDER) {
        const info = fieldInfo(f);
        const v = info.value(s);
        const ok = v === null ? info.unit === 'ratio' : typeof v === 'number' && Number.isFinite(v);
        if (!ok) throw new TimelineError(`series ${JSON.stringify(series.label)} at ${s.tMs} ms: ${f} is ${String(v)}`);
      }
    }
  }
}
