// The timeline as an SVG chart. Vega-Lite describes the chart; Vega lays it out and writes SVG
// text headlessly (renderer 'none' + View.toSVG()): no browser, DOM or canvas, and the same
// timeline always gives the same text. vega and vega-lite are optional peer dependencies,
// imported on the first render only, so the rest of the library never loads them.
import type { TopLevelSpec } from 'vega-lite';
import { MissingDependencyError } from '../errors.js';
import { byteUnitFor, everQueued, fieldInfo, TIME_AXIS_TITLE, type TimelineField } from './fields.js';
import { TimelineError, type Timeline } from './sample.js';
import { checkTimeline } from './validate.js';
import { RCACHE_CLASSES } from '../snapshot.js';

/**
 * One panel of the timeline chart.
 * @example `renderTimelineSvg(timeline, { panels: ['hitRate'] satisfies SvgPanel[] })`
 */
export type SvgPanel = 'depotMagazines' | 'queued' | 'magazineBytes' | 'iovaBytes' | 'hitRate';
/**
 * Every panel, top to bottom as drawn.
 * @example `renderTimelineSvg(timeline, { panels: SVG_PANELS })`
 */
export const SVG_PANELS: readonly SvgPanel[] = ['depotMagazines', 'queued', 'magazineBytes', 'iovaBytes', 'hitRate'];

/** The panels drawn by default: all but the flush-queue one when nothing was ever queued. */
export function defaultPanels(t: Timeline): SvgPanel[] {
  const queued = everQueued(t);
  return SVG_PANELS.filter((p) => queued || p !== 'queued');
}

/**
 * Options of {@link renderTimelineSvg} and {@link timelineChartSpec}.
 * @example `await renderTimelineSvg(timeline, { title: 'churn', depot: 'perClass' })`
 */
export interface SvgOptions {
  /** Chart title. Default "iova-lab timeline". @example `{ title: 'churn' }` */
  title?: string;
  /** Second title line, e.g. the scenario. @example `{ subtitle: 'scenario: burst' }` */
  subtitle?: string;
  /** Panels, top to bottom. Default: defaultPanels(). @example `{ panels: ['hitRate'] }` */
  panels?: readonly SvgPanel[];
  /**
   * 'total' (default): one line per series; 'perClass': one line per series × size class, dashed by class.
   * @example `{ depot: 'perClass' }`
   */
  depot?: 'total' | 'perClass';
  /** Plot area width in px. Default 640. @example `{ width: 800 }` */
  width?: number;
  /** Plot area height of each panel in px. Default 140. @example `{ panelHeight: 200 }` */
  panelHeight?: number;
  /**
   * Draw a dot at every sample. Default: only when some series has a single sample (a lone point draws no line).
   * @example `{ points: true }`
   */
  points?: boolean;
}

export { TIME_AXIS_TITLE };

/**
 * A Vega-Lite top-level spec as plain data (typed loosely so vega-lite's typings stay optional).
 * @example `JSON.stringify(timelineChartSpec(timeline) satisfies ChartSpec)`
 */
export type ChartSpec = { readonly [key: string]: unknown };

async function optional<T>(name: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    throw new MissingDependencyError(
      `SVG timelines need the optional peer dependency ${name}: npm install vega vega-lite`,
      name,
      e,
    );
  }
}

/** One dash pattern per size class, all different ([1, 0] is solid). */
const CLASS_DASHES: readonly (readonly number[])[] = [
  [1, 0],
  [6, 3],
  [2, 2],
  [8, 3, 2, 3],
  [1, 4],
  [12, 3, 2, 3, 2, 3],
];

type Row = { series: string; tMs: number; value: number | null; sizeClass?: string };

interface PanelData {
  yTitle: string;
  rows: Row[];
  /** Vega format string for the y axis, if not the default. */
  format?: string;
  /** Whole numbers only: no ticks between integers. */
  integer?: boolean;
  domain?: [number, number];
  dashByClass?: boolean;
}

function scalarPanel(t: Timeline, field: TimelineField): PanelData {
  const info = fieldInfo(field);
  const raw = t.series.flatMap((s) => s.samples.map((x) => ({ series: s.label, tMs: x.tMs, value: info.value(x) })));
  if (info.unit === 'ratio') {
    return { yTitle: `${info.title} (%)`, rows: raw, format: '.0%', domain: [0, 1] };
  }
  if (info.unit === 'bytes') {
    const max = raw.reduce((m, r) => Math.max(m, r.value ?? 0), 0);
    const unit = byteUnitFor(max);
    const rows = raw.map((r) => ({ ...r, value: r.value === null ? null : r.value / unit.bytes }));
    return { yTitle: `${info.title} (${unit.name})`, rows, ...flatZero(rows) };
  }
  return { yTitle: `${info.title} (count)`, rows: raw, format: ',d', integer: true, ...flatZero(raw) };
}

/** A panel whose values are all zero (or absent) gets the axis 0..1 rather than a degenerate one. */
function flatZero(rows: Row[]): { domain?: [number, number] } {
  return rows.some((r) => r.value !== null && r.value !== 0) ? {} : { domain: [0, 1] };
}

function depotPanel(t: Timeline, mode: 'total' | 'perClass'): PanelData {
  if (mode === 'total') return scalarPanel(t, 'depotMagazinesTotal');
  const rows: Row[] = [];
  for (const s of t.series) {
    for (let k = 0; k < RCACHE_CLASSES; k++) {
      for (const x of s.samples)
        rows.push({ series: s.label, sizeClass: `class ${k}`, tMs: x.tMs, value: x.depotMagazines[k] });
    }
  }
  return {
    yTitle: 'depot magazines per size class (count)',
    rows,
    dashByClass: true,
    format: ',d',
    integer: true,
    ...flatZero(rows),
  };
}

function positive(what: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new TimelineError(`${what} must be a positive number, got ${String(v)}`);
  return v;
}

/**
 * The Vega-Lite spec renderTimelineSvg draws; exposed for tools that want to restyle it. Needs
 * no vega install.
 * @throws TimelineError for a malformed timeline or option.
 * @example `const spec = timelineChartSpec(timeline, { panels: ['hitRate'] });`
 */
export function timelineChartSpec(t: Timeline, options: SvgOptions = {}): ChartSpec {
  return chartSpec(t, options) as unknown as ChartSpec;
}

function chartSpec(t: Timeline, options: SvgOptions): TopLevelSpec {
  checkTimeline(t);
  const width = positive('width', options.width, 640);
  const height = positive('panelHeight', options.panelHeight, 140);
  const panels = options.panels ?? defaultPanels(t);
  if (panels.length === 0) throw new TimelineError('at least one panel is needed');
  for (const p of panels)
    if (!SVG_PANELS.includes(p)) throw new TimelineError(`unknown panel ${String(p)}; one of ${SVG_PANELS.join(', ')}`);
  const depot = options.depot ?? 'total';
  if (depot !== 'total' && depot !== 'perClass')
    throw new TimelineError(`depot must be 'total' or 'perClass', got ${String(depot)}`);
  const points = options.points ?? t.series.some((s) => s.samples.length === 1);
  const labels = t.series.map((s) => s.label);
  const times = t.series.flatMap((s) => s.samples.map((x) => x.tMs));
  const xDomain: [number, number] =
    times.length === 0
      ? [0, t.intervalMs]
      : [times.reduce((a, b) => Math.min(a, b)), times.reduce((a, b) => Math.max(a, b))];
  if (xDomain[0] === xDomain[1]) xDomain[1] = xDomain[0] + t.intervalMs;
  const wholeMs = times.every(Number.isInteger) && Number.isInteger(t.intervalMs);

  const views = panels.map((p) => {
    const d = p === 'depotMagazines' ? depotPanel(t, depot) : scalarPanel(t, p);
    return {
      width,
      height,
      data: { values: d.rows },
      mark: { type: 'line' as const, point: points, interpolate: 'linear' as const },
      encoding: {
        x: {
          field: 'tMs',
          type: 'quantitative' as const,
          title: TIME_AXIS_TITLE,
          scale: { domain: xDomain, nice: false },
          ...(wholeMs ? { axis: { tickMinStep: 1 } } : {}),
        },
        y: {
          field: 'value',
          type: 'quantitative' as const,
          title: d.yTitle,
          ...(d.domain ? { scale: { domain: d.domain } } : {}),
          ...(d.format ? { axis: { format: d.format, ...(d.integer ? { tickMinStep: 1 } : {}) } } : {}),
        },
        color: { field: 'series', type: 'nominal' as const, title: 'series', scale: { domain: labels }, sort: labels },
        ...(d.dashByClass
          ? {
              strokeDash: {
                field: 'sizeClass',
                type: 'nominal' as const,
                title: 'size class',
                scale: { range: CLASS_DASHES.map((dash) => [...dash]) },
              },
            }
          : {}),
      },
    };
  });

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: options.title ?? 'iova-lab timeline',
      ...(options.subtitle !== undefined ? { subtitle: options.subtitle } : {}),
      anchor: 'start',
    },
    background: 'white',
    padding: 8,
    vconcat: views,
    resolve: { scale: { color: 'shared', x: 'shared' } },
    config: {
      legend: { orient: 'right', labelLimit: 320 },
      axis: { labelFontSize: 10, titleFontSize: 11 },
      font: 'sans-serif',
    },
  };
}

/**
 * The timeline as a standalone SVG document: stacked panels sharing the virtual-time axis
 * (depot magazines, magazine memory, iommu_iova memory, per-interval rcache hit rate; byte
 * panels in the binary unit that fits their largest value), one colour per series with a
 * legend. Async because Vega's dataflow is. Deterministic: the same timeline and options give
 * the same text.
 * @throws TimelineError for a malformed timeline or option; MissingDependencyError when vega or
 *   vega-lite is not installed.
 * @example `await writeFile('timeline.svg', await renderTimelineSvg(timeline, { title: 'churn' }));`
 */
export async function renderTimelineSvg(t: Timeline, options: SvgOptions = {}): Promise<string> {
  const spec = chartSpec(t, options);
  const vega = await optional('vega', () => import('vega'));
  const { compile } = await optional('vega-lite', () => import('vega-lite'));
  const quiet = vega.logger(vega.Error);
  const compiled = compile(spec, { logger: quiet }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger: quiet });
  try {
    const svg = await view.toSVG();
    return svg.endsWith('\n') ? svg : svg + '\n';
  } finally {
    view.finalize();
  }
}
