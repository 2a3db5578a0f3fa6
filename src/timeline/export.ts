// Timelines as CSV (one row per series × sample) and as JSON, for other tools.
import { FIELD_ORDER, fieldInfo, plainDecimal } from './fields.js';
import { checkTimeline } from './validate.js';
import type { Timeline } from './sample.js';

/**
 * The CSV header: series, t_ms, then every field in FIELD_ORDER.
 * @example `CSV_COLUMNS.slice(0, 2) // ['series', 't_ms']`
 */
export const CSV_COLUMNS: readonly string[] = ['series', 't_ms', ...FIELD_ORDER.map((f) => fieldInfo(f).column)];

function csvText(s: string): string {
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * CSV with a header row and one row per series × sample, series in timeline order, samples in
 * time order. Numbers are plain decimals (no exponents, at most 9 decimals); a null hit rate is
 * an empty field. Lines end with "\n", the last one too.
 * @throws TimelineError for a malformed timeline.
 * @example `await writeFile('timeline.csv', timelineToCsv(timeline));`
 */
export function timelineToCsv(t: Timeline): string {
  checkTimeline(t);
  const lines = [CSV_COLUMNS.join(',')];
  for (const series of t.series) {
    for (const sample of series.samples) {
      const cells = [csvText(series.label), plainDecimal(sample.tMs)];
      for (const f of FIELD_ORDER) {
        const v = fieldInfo(f).value(sample);
        cells.push(v === null ? '' : plainDecimal(v));
      }
      lines.push(cells.join(','));
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The `format` field of {@link timelineToJson}'s document.
 * @example `JSON.parse(timelineToJson(timeline)).format === TIMELINE_JSON_FORMAT`
 */
export const TIMELINE_JSON_FORMAT = 'iova-lab-timeline';
/**
 * The `version` field of {@link timelineToJson}'s document.
 * @example `JSON.parse(timelineToJson(timeline)).version === TIMELINE_JSON_VERSION`
 */
export const TIMELINE_JSON_VERSION = 1;

/**
 * Options of {@link timelineToJson}.
 * @example `timelineToJson(timeline, { indent: 0 })`
 */
export interface TimelineJsonOptions {
  /** Spaces per level; 0 writes one line. Default 2. @example `{ indent: 0 }` */
  indent?: number;
}

/**
 * The timeline as JSON: `{ format: "iova-lab-timeline", version: 1, intervalMs, series: [{ label,
 * samples: [TimelineSample…] }] }`, fields in a fixed order, null where there were no lookups.
 * @throws TimelineError for a malformed timeline.
 * @example `const doc = JSON.parse(timelineToJson(timeline));`
 */
export function timelineToJson(t: Timeline, options: TimelineJsonOptions = {}): string {
  checkTimeline(t);
  const doc = {
    format: TIMELINE_JSON_FORMAT,
    version: TIMELINE_JSON_VERSION,
    intervalMs: t.intervalMs,
    series: t.series.map((s) => ({
      label: s.label,
      samples: s.samples.map((x) => ({
        tMs: x.tMs,
        depotMagazines: [...x.depotMagazines],
        depotMagazinesTotal: x.depotMagazinesTotal,
        ...(x.queued === undefined ? {} : { queued: x.queued }),
        magazines: x.magazines,
        magazineBytes: x.magazineBytes,
        iovaObjects: x.iovaObjects,
        iovaBytes: x.iovaBytes,
        hits: x.hits,
        misses: x.misses,
        hitRate: x.hitRate,
        cumulativeHitRate: x.cumulativeHitRate,
      })),
    })),
  };
  return JSON.stringify(doc, null, options.indent ?? 2) + '\n';
}
