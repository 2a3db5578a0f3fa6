// `iova-lab compare`: one scenario under several rcache designs.
//  - default: named and unnamed magazine mode, slab views side by side (or stacked for slabinfo);
//  - --profiles v4.7,v6.0,…: every kernel profile (and profile + --policy when given), one table of
//    magazine / iommu_iova cost, rcache hit rate, depot high-water mark, trims, overflows, slow path;
//  - --domain-types strict,lazy (DMA workloads): one row per DMA domain type, in the same table,
//    followed by the DMA counters (queued, flushes by cause, where the timer freed, SAC attempts).
// The scenario is a workload (the simulate options) or a trace file (--trace FILE).
import { Command } from 'commander';
import { DMA_DOMAIN_TYPES, type DmaDomainType, type MagazineMode } from '../engine.js';
import { PROFILE_NAMES } from '../policy.js';
import { snapshotToJson } from '../report/json.js';
import { formatVariantTable, variantRows } from '../report/variants.js';
import type { Snapshot } from '../snapshot.js';
import { playgroundLink } from './link.js';
import { listOption, profileListOption } from './options.js';
import { checkCompareOptions } from '../share/compare-rules.js';
import { formatModesCompare } from '../share/compare-modes.js';
import { checkUnusedOptions } from '../share/unused-options.js';
import { stderrProgress, type ProgressBar, type ProgressStream } from './progress.js';
import {
  checkRunLimits,
  compareVariants,
  makeVariant,
  readTraceFile,
  runScenario,
  variantTitle,
  type RunResult,
  type Scenario,
  type Variant,
} from './scenario.js';
import { addScenarioOptions, slabView, workloadScenario, type ScenarioOptions } from './simulate.js';
import { timelineInterval, timelineSparklines, writeTimelineFiles } from './timeline-output.js';
import type { Timeline } from '../timeline/sample.js';

/** The playground link of this compare run, when --link asked for one. */
function linkOf(o: CompareOptions, s: Scenario): string | undefined {
  return playgroundLink('compare', o, s.kind === 'trace' ? s.trace : undefined);
}

/** The timeline files a compare writes once its report is out. */
interface TimelineFiles {
  timeline: Timeline | undefined;
  title: string;
}

interface CompareOptions extends ScenarioOptions {
  profiles?: string[];
  domainTypes?: DmaDomainType[];
  trace?: string;
}

async function scenarioOf(o: CompareOptions, replaceHeader: boolean): Promise<Scenario> {
  if (o.trace === undefined) return workloadScenario(o);
  return {
    kind: 'trace',
    file: o.trace,
    trace: await readTraceFile(o.trace, process.stdin),
    engine: o.engine ?? 'wasm',
    header: replaceHeader ? 'replace' : 'extend',
  };
}

function describeScenario(s: Scenario) {
  if (s.kind === 'trace') {
    return {
      trace: s.file,
      cpus: s.trace.header.possibleCpus,
      online: s.trace.header.onlineCpus,
      ops: s.trace.ops.length,
    };
  }
  const { kind: _k, engine: _e, ...rest } = s;
  return rest;
}

async function runAll(
  variants: Variant[],
  scenario: Scenario,
  bar: ProgressBar,
  timelineMs?: number,
): Promise<RunResult[]> {
  const results: RunResult[] = [];
  try {
    for (const [i, v] of variants.entries()) {
      const label = `${v.label} (${i + 1}/${variants.length})`;
      results.push(
        await runScenario(v, scenario, (done, total, unit) => bar.update(done, total, unit, label), timelineMs),
      );
    }
  } finally {
    bar.finish();
  }
  return results;
}

function scenarioTitle(s: Scenario): string {
  return s.kind === 'trace'
    ? `trace ${s.file}`
    : `${s.workload}, ${s.cpus} CPUs, ${s.domains} domain${s.domains === 1 ? '' : 's'}`;
}

/** The runs' series in one timeline; `suffixes` tell apart runs that share a variant label. */
function timelineOf(results: RunResult[], intervalMs: number | undefined, suffixes?: string[]): Timeline | undefined {
  if (intervalMs === undefined) return undefined;
  const series = results.map((r, i) =>
    suffixes ? { ...r.timeline!, label: `${r.timeline!.label} ${suffixes[i]}` } : r.timeline!,
  );
  return { intervalMs, series };
}

function title(v: Variant, s: Snapshot): string {
  return `== ${variantTitle(v)}: ${s.magazineMode} (${s.magazineCache}) ==`;
}

async function compareProfiles(
  o: CompareOptions,
  out: (text: string) => void,
  progress: ProgressStream,
): Promise<TimelineFiles> {
  const variants = compareVariants(o);
  const scenario = await scenarioOf(o, true);
  const link = linkOf(o, scenario);
  const interval = timelineInterval(o);
  checkRunLimits(scenario, interval, variants.length);
  const bar = stderrProgress(o.progress, { total: 0 }, progress);
  const results = await runAll(variants, scenario, bar, interval);
  const rows = variantRows(
    variants,
    results.map((r) => r.snapshot),
  );
  const timeline = timelineOf(results, interval);
  const sparklines = timeline ? timelineSparklines(timeline) : '';
  const files = { timeline, title: `iova-lab compare: ${scenarioTitle(scenario)}` };
  if (o.json) {
    out(
      JSON.stringify(
        {
          engine: scenario.engine,
          scenario: describeScenario(scenario),
          variants: rows.map((r, i) => ({ ...r, ...(results[i].workload ? { workload: results[i].workload } : {}) })),
          ...(timeline ? { timeline } : {}),
          ...(link ? { link } : {}),
        },
        null,
        2,
      ) + '\n',
    );
    return files;
  }
  let text = formatVariantTable(rows) + (sparklines ? '\n' + sparklines : '');
  if (o.format !== undefined) {
    text += results
      .map((r, i) => '\n' + title(variants[i], r.snapshot) + '\n' + slabView(r.snapshot, o.format))
      .join('');
  }
  out(text + (link ? `\nplayground: ${link}\n` : ''));
  return files;
}

async function compareModes(
  o: CompareOptions,
  out: (text: string) => void,
  progress: ProgressStream,
): Promise<TimelineFiles> {
  const scenario = await scenarioOf(o, false);
  const link = linkOf(o, scenario);
  const profile = o.profile ?? (scenario.kind === 'trace' ? scenario.trace.header.profile : undefined);
  const modes: MagazineMode[] = ['named', 'unnamed'];
  const variants = modes.map((m) => makeVariant(profile, o.policy ?? [], m));
  const interval = timelineInterval(o);
  checkRunLimits(scenario, interval, variants.length);
  const bar = stderrProgress(o.progress, { total: 0 }, progress);
  const results = await runAll(variants, scenario, bar, interval);
  const [named, unnamed] = results.map((r) => r.snapshot) as [Snapshot, Snapshot];
  const timeline = timelineOf(results, interval, modes);
  const sparklines = timeline ? timelineSparklines(timeline) : '';
  const files = { timeline, title: `iova-lab compare: ${scenarioTitle(scenario)}` };
  if (o.json) {
    out(
      JSON.stringify(
        {
          engine: scenario.engine,
          // `workload` is the workload's result object wherever it appears; the scenario names it
          scenario: describeScenario(scenario),
          variant: variants[0].label,
          profile: variants[0].profile,
          design: variants[0].design,
          policy: variants[0].policy,
          named: snapshotToJson(named),
          unnamed: snapshotToJson(unnamed),
          ...(timeline ? { timeline } : {}),
          ...(link ? { link } : {}),
        },
        null,
        2,
      ) + '\n',
    );
    return files;
  }
  const linkLine = link ? `\nplayground: ${link}\n` : '';
  const report = formatModesCompare(named, unnamed, variantTitle(variants[0]), o.format);
  out(report + (sparklines ? '\n' + sparklines : '') + linkLine);
  return files;
}

export function compareCommand(out: (text: string) => void, progressStream: ProgressStream = process.stderr): Command {
  return addScenarioOptions(
    new Command('compare').description(
      'run one scenario under several rcache designs: named vs unnamed magazines side by side, ' +
        'or every kernel profile in --profiles (and each + --policy) in one table',
    ),
    { magazinesHelp: "with --profiles: named or unnamed magazines for every variant (default: each profile's)" },
  )
    .option(
      '--profiles <list>',
      `comma-separated kernel versions to compare (e.g. ${PROFILE_NAMES.join(',')})`,
      profileListOption(),
    )
    .option(
      '--domain-types <list>',
      `DMA workloads: domain types to compare (${DMA_DOMAIN_TYPES.join(',')})`,
      listOption('--domain-types', DMA_DOMAIN_TYPES),
    )
    .option('--trace <file>', 'replay this trace (format v1; - for stdin) instead of a workload')
    .action(async (o: CompareOptions) => {
      checkCompareOptions(o);
      checkUnusedOptions(o);
      const files =
        o.profiles || o.domainTypes
          ? await compareProfiles(o, out, progressStream)
          : await compareModes(o, out, progressStream);
      await writeTimelineFiles(o, files.timeline, files.title);
    });
}
