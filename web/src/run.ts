// What the playground shows for a scenario: the CLI's own report text, section by section, and
// the timeline charts (none for explain, which runs no lab). Runs in the worker (and in Node for tests); no DOM here.
import type { WasmLoadOptions } from '../../src/wasm/options.js';
import type { MagazineMode } from '../../src/engine.js';
import {
  checkRunLimits,
  compareVariants,
  makeVariant,
  runScenario,
  variantTitle,
  virtualDurationMs,
  workloadScenario,
  type RunProgress,
  type RunResult,
  type Scenario,
  type Variant,
} from '../../src/cli/scenario.js';
import { formatClassTable } from '../../src/report/classes.js';
import { formatExplanation } from '../../src/report/explain.js';
import { checkExplainCpus, explainText } from '../../src/report/explain-lines.js';
import { formatBreakdown, slabView } from '../../src/report/simulate.js';
import { formatVariantTable, variantRows } from '../../src/report/variants.js';
import { formatModesCompare } from '../../src/share/compare-modes.js';
import { checkCompareOptions } from '../../src/share/compare-rules.js';
import { INT_LIMITS } from '../../src/share/limits.js';
import { checkUnusedOptions } from '../../src/share/unused-options.js';
import type { DerivedScenario } from '../../src/share/inspect-link.js';
import type { PlaygroundScenario } from '../../src/share/scenario-link.js';
import { everQueued, type TimelineField } from '../../src/timeline/fields.js';
import { renderTimelineLineChart } from '../../src/timeline/line-chart.js';
import type { Timeline } from '../../src/timeline/sample.js';
import { parseTrace } from '../../src/trace/parse.js';

export interface Section {
  /** Element id on the page: slab-view, class-table, totals, compare-table, … */
  id: string;
  title: string;
  text: string;
}

export interface PlaygroundResult {
  sections: Section[];
  /** SVG documents, one per chart. */
  charts: string[];
  /** inspect: the command line (the scenario's own otherwise), and the scenario a link can carry. */
  commandLine?: string;
  derived?: DerivedScenario;
}

export type PlaygroundProgress = (done: number, total: number, unit: string, label: string) => void;

/** At most this many timeline samples per run when the scenario names no interval. */
const TARGET_SAMPLES = 200;

/** The sampling interval: the scenario's, else 100 ms stretched so a long run keeps about TARGET_SAMPLES points. */
export function chartInterval(s: PlaygroundScenario, scenario: Scenario): number {
  if (s.timeline !== undefined) return s.timeline;
  const duration = virtualDurationMs(scenario);
  const perSample = Number((duration + BigInt(TARGET_SAMPLES - 1)) / BigInt(TARGET_SAMPLES));
  // at most the largest --timeline: a longer run is then refused by checkRunLimits, as in the CLI
  return Math.min(INT_LIMITS['--timeline'][1], Math.max(100, perSample));
}

function scenarioOf(s: PlaygroundScenario): Scenario {
  if (s.trace === undefined) return workloadScenario(s);
  const header = s.command === 'compare' && s.profiles !== undefined ? 'replace' : 'extend';
  return { kind: 'trace', file: 'pasted trace', trace: parseTrace(s.trace), engine: s.engine ?? 'wasm', header };
}

/** compare without --profiles runs both magazine modes, as the CLI does. */
const MODES: MagazineMode[] = ['named', 'unnamed'];

/** compare --profiles and/or --domain-types: one table row per variant, as the CLI prints it. */
const comparesTable = (s: PlaygroundScenario): boolean =>
  s.command === 'compare' && (s.profiles !== undefined || s.domainTypes !== undefined);

function variantsOf(s: PlaygroundScenario, scenario: Scenario): Variant[] {
  const specs = s.policy ?? [];
  if (comparesTable(s)) return compareVariants(s);
  const profile = s.profile ?? (scenario.kind === 'trace' ? scenario.trace.header.profile : undefined);
  if (s.command === 'compare') return MODES.map((m) => makeVariant(profile, specs, m));
  return [makeVariant(profile, specs, s.magazines)];
}

const DEPOT_BY_CLASS: TimelineField[] = [0, 1, 2, 3, 4, 5].map((k) => `depotMagazines${k}` as TimelineField);

export function chartsOf(t: Timeline): string[] {
  const one = t.series.length === 1;
  const classLabel = (f: TimelineField) => `class ${f.slice(-1)}`;
  const memoryLabel = (f: TimelineField) => (f === 'magazineBytes' ? 'magazines' : 'iommu_iova');
  return [
    one
      ? renderTimelineLineChart(t, DEPOT_BY_CLASS, { title: 'depot magazines per size class', fieldLabel: classLabel })
      : renderTimelineLineChart(t, ['depotMagazinesTotal'], { title: 'depot magazines (all classes)' }),
    renderTimelineLineChart(t, ['magazineBytes', 'iovaBytes'], {
      title: 'magazine and iommu_iova memory',
      fieldLabel: memoryLabel,
    }),
    renderTimelineLineChart(t, ['hitRate'], { title: 'rcache hit rate per interval' }),
    // lazy DMA domains only: the IOVAs waiting in flush queues, drawn when any were (as the CLI does).
    ...(everQueued(t)
      ? [renderTimelineLineChart(t, ['queued'], { title: 'queued entries (IOVAs in flush queues)' })]
      : []),
  ];
}

function sectionsOf(s: PlaygroundScenario, variants: Variant[], results: RunResult[]): Section[] {
  if (comparesTable(s)) {
    const rows = variantRows(
      variants,
      results.map((r) => r.snapshot),
    );
    const table: Section = { id: 'compare-table', title: 'compare', text: formatVariantTable(rows) };
    if (s.format === undefined) return [table];
    return [
      table,
      ...results.map((r, i) => ({
        id: `slab-view-${i}`,
        title: `${variantTitle(variants[i])}: ${r.snapshot.magazineMode} (${r.snapshot.magazineCache})`,
        text: slabView(r.snapshot, s.format),
      })),
    ];
  }
  if (s.command === 'compare') {
    // named and unnamed magazines, side by side as the CLI prints them
    const [named, unnamed] = results.map((r) => r.snapshot);
    const text = formatModesCompare(named, unnamed, variantTitle(variants[0]), s.format);
    return [{ id: 'compare-table', title: 'compare: named vs unnamed magazines', text }];
  }
  const [r] = results;
  return [
    { id: 'slab-view', title: 'slab view', text: slabView(r.snapshot, s.format) },
    { id: 'class-table', title: 'rcache by size class', text: formatClassTable(r.snapshot) },
    { id: 'totals', title: 'totals', text: formatBreakdown(r.snapshot, variantTitle(variants[0])) },
  ];
}

/** Runs the scenario's variants one after the other, as the CLI does, with a timeline for the charts. */
export async function runPlayground(
  s: PlaygroundScenario,
  progress?: PlaygroundProgress,
  wasm?: WasmLoadOptions,
): Promise<PlaygroundResult> {
  if (s.command === 'explain') {
    const explanation = explainText(s.text ?? '', { possibleCpus: checkExplainCpus(s.cpus), onlineCpus: s.online });
    const text = formatExplanation(explanation);
    return { sections: [{ id: 'explanation', title: 'explanation', text }], charts: [] };
  }
  if (s.command === 'compare') checkCompareOptions(s);
  checkUnusedOptions(s);
  const scenario = scenarioOf(s);
  const variants = variantsOf(s, scenario);
  const interval = chartInterval(s, scenario);
  checkRunLimits(scenario, interval, variants.length);
  const results: RunResult[] = [];
  for (const [i, v] of variants.entries()) {
    const label = variants.length === 1 ? v.label : `${v.label} (${i + 1}/${variants.length})`;
    const step: RunProgress = (done, total, unit) => progress?.(done, total, unit, label);
    results.push(await runScenario(v, scenario, step, interval, wasm));
  }
  const labels = variants.map((v) => v.label);
  const unique = new Set(labels).size === labels.length;
  // compare without --profiles runs one label twice: the series are told apart by magazine mode.
  const series = results.map((r) => {
    const t = r.timeline!;
    return unique ? t : { ...t, label: `${t.label} ${r.snapshot.magazineMode}` };
  });
  return { sections: sectionsOf(s, variants, results), charts: chartsOf({ intervalMs: interval, series }) };
}
