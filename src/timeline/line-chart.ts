// A small line chart of one timeline panel as SVG text, without Vega: a few kilobytes of code for
// pages that cannot carry Vega (the playground). One line per series and field, a 0..max value
// axis in the field's unit, the virtual-time axis and a legend. Deterministic, like the Vega chart.
import { fieldInfo, formatValue, plainDecimal, TIME_AXIS_TITLE, type TimelineField } from './fields.js';
import { TimelineError, type Timeline } from './sample.js';
import { checkTimeline } from './validate.js';

/**
 * Options of {@link renderTimelineLineChart}.
 * @example `renderTimelineLineChart(timeline, ['hits', 'misses'], { title: 'rcache', width: 800 })`
 */
export interface LineChartOptions {
  /** Panel title. Default: the first field's title. @example `{ title: 'rcache' }` */
  title?: string;
  /** Whole chart width in px. Default 640. @example `{ width: 800 }` */
  width?: number;
  /** Plot area height in px. Default 140. @example `{ height: 200 }` */
  height?: number;
  /**
   * Legend label of a field when several are drawn (e.g. "class 2"). Default: the field's title.
   * @example `{ fieldLabel: (f) => f.replace('depotMagazines', 'class ') }`
   */
  fieldLabel?: (field: TimelineField) => string;
}

/** Ten colours that stay apart for most colour-blind readers (Tableau 10). */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const LEFT = 72;
const RIGHT = 12;
const TOP = 24;
const AXIS = 34;
const LEGEND_ROW = 16;

const escapeXml = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

const px = (x: number): string => plainDecimal(x, 1);

/**
 * One SVG line chart (no vega needed) of `fields` over time, a line per series × field; the fields share a unit.
 * @throws TimelineError for a malformed timeline, no fields, an unknown field or fields of different units.
 * @example `await writeFile('hits.svg', renderTimelineLineChart(timeline, ['hits', 'misses']));`
 */
export function renderTimelineLineChart(
  t: Timeline,
  fields: readonly TimelineField[],
  options: LineChartOptions = {},
): string {
  checkTimeline(t);
  if (fields.length === 0) throw new TimelineError('at least one field is needed');
  const infos = fields.map((f) => fieldInfo(f));
  const unit = infos[0].unit;
  if (infos.some((i) => i.unit !== unit)) throw new TimelineError('the fields of one chart must share a unit');
  const width = options.width ?? 640;
  const height = options.height ?? 140;
  const label = options.fieldLabel ?? ((f: TimelineField) => fieldInfo(f).title);
  const lines = t.series.flatMap((s) =>
    fields.map((f, i) => ({
      name: fields.length === 1 ? s.label : t.series.length === 1 ? label(f) : `${s.label} ${label(f)}`,
      points: s.samples.map((x) => [x.tMs, infos[i].value(x)] as const),
    })),
  );
  const times = lines.flatMap((l) => l.points.map((p) => p[0]));
  const t0 = times.length ? Math.min(...times) : 0;
  const t1 = times.length ? Math.max(...times) : t.intervalMs;
  const span = t1 > t0 ? t1 - t0 : t.intervalMs;
  const values = lines.flatMap((l) => l.points.map((p) => p[1] ?? 0));
  const top = unit === 'ratio' ? 1 : Math.max(1, ...values);
  const plotW = width - LEFT - RIGHT;
  const x = (tMs: number): number => LEFT + ((tMs - t0) / span) * plotW;
  const y = (v: number): number => TOP + height - (v / top) * height;
  const out: string[] = [];
  const legendTop = TOP + height + AXIS;
  const total = legendTop + lines.length * LEGEND_ROW + 4;
  const title = options.title ?? infos[0].title;
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${total}" width="${width}" height="${total}" ` +
      `role="img" aria-label="${escapeXml(title)}" font-family="sans-serif" font-size="11">`,
  );
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect width="${width}" height="${total}" fill="white"/>`);
  out.push(`<text x="${LEFT}" y="15" font-size="12" font-weight="bold">${escapeXml(title)}</text>`);
  for (const v of [0, top / 2, top]) {
    out.push(`<line x1="${LEFT}" x2="${width - RIGHT}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="#ddd"/>`);
    out.push(`<text x="${LEFT - 4}" y="${px(y(v) + 4)}" text-anchor="end">${escapeXml(formatValue(v, unit))}</text>`);
  }
  for (const [tm, anchor] of [
    [t0, 'start'],
    [t0 + span / 2, 'middle'],
    [t0 + span, 'end'],
  ] as const) {
    out.push(`<text x="${px(x(tm))}" y="${TOP + height + 14}" text-anchor="${anchor}">${plainDecimal(tm, 0)}</text>`);
  }
  out.push(`<text x="${LEFT + plotW / 2}" y="${TOP + height + 28}" text-anchor="middle">${TIME_AXIS_TITLE}</text>`);
  lines.forEach((l, i) => {
    const colour = PALETTE[i % PALETTE.length];
    // A gap (no value) breaks the line into separate runs.
    const runs: string[][] = [[]];
    for (const [tMs, v] of l.points) {
      if (v === null) runs.push([]);
      else runs[runs.length - 1].push(`${px(x(tMs))},${px(y(v))}`);
    }
    for (const r of runs.filter((run) => run.length > 0)) {
      out.push(
        r.length === 1
          ? `<circle cx="${r[0].split(',')[0]}" cy="${r[0].split(',')[1]}" r="2" fill="${colour}"/>`
          : `<polyline points="${r.join(' ')}" fill="none" stroke="${colour}" stroke-width="1.5"/>`,
      );
    }
    const ly = legendTop + i * LEGEND_ROW;
    out.push(`<rect x="${LEFT}" y="${ly}" width="12" height="3" fill="${colour}"/>`);
    out.push(`<text x="${LEFT + 18}" y="${ly + 5}">${escapeXml(l.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
