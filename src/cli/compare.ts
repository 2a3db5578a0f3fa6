// `iova-lab compare`: one scenario under several rcache designs.
//  - default: named and unnamed magazine mode, slab views side by side (or stacked for slabinfo);
//  - --profiles v4.7,v6.0,…: every kernel profile (and profile + --policy when given), one table of
//    magazine / iommu_iova cost, rcache hit rate, depot high-water mark, trims, overflows, slow path.
// The scenario is a workload (the simulate options) or a trace file (--trace FILE).
import { Command } from 'commander';
import type { MagazineMode } from '../engine.js';
import { PROFILE_NAMES } from '../policy.js';
import { snapshotToJson } from '../report/json.js';
import { formatSlabtop } from '../report/slabtop.js';
import { sideBySide } from '../report/summary.js';
import { formatVariantTable, variantMetrics, withSavings } from '../report/variants.js';
import type { Snapshot } from '../snapshot.js';
import { playgroundLink } from './link.js';
import { profileListOption } from './options.js';
import { checkCompareOptions } from '../share/compare-rules.js';
import { stderrProgress, type ProgressBar, type ProgressStream } from './progress.js';
import {
  makeVariant, profileVariants, readTraceFile, runScenario, variantTitle,
  type RunResult, type Scenario, type Variant,
} from './scenario.js';
import { addScenarioOptions, slabView, workloadScenario, type ScenarioOptions } from './simulate.js';
import { emitTimeline, timelineInterval } from './timeline-output.js';
import type { Timeline } from '../timeline/sample.js';

/** The playground link of this compare run, when --link asked for one. */
function linkOf(o: CompareOptions, s: Scenario): string | undefined {
  return playgroundLink('compare', o, s.kind === 'trace' ? s.trace : undefined);
}

interface CompareOptions extends ScenarioOptions {
  profiles?: string[];
  trace?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function scenarioOf(o: CompareOptions, replaceHeader: boolean): Promise<Scenario> {
  if (o.trace === undefined) return workloadScenario(o);
  return {
    kind: 'trace',
    file: o.trace,
    trace: await readTraceFile(o.trace, readStdin),
    engine: o.engine ?? 'wasm',
    header: replaceHeader ? 'replace' : 'extend',
  };
}

function describeScenario(s: Scenario) {
  if (s.kind === 'trace') {
    return { trace: s.file, cpus: s.trace.header.possibleCpus, online: s.trace.header.onlineCpus, ops: s.trace.ops.length };
  }
  const { kind: _k, engine: _e, ...rest } = s;
  return rest;
}

async function runAll(variants: Variant[], scenario: Scenario, bar: ProgressBar, timelineMs?: number): Promise<RunResult[]> {
  const results: RunResult[] = [];
  try {
    for (const [i, v] of variants.entries()) {
      const label = `${v.label} (${i + 1}/${variants.length})`;
      results.push(await runScenario(v, scenario, (done, total, unit) => bar.update(done, total, unit, label), timelineMs));
    }
  } finally {
    bar.finish();
  }
  return results;
}

function scenarioTitle(s: Scenario): string {
  return s.kind === 'trace' ? `trace ${s.file}` : `${s.workload}, ${s.cpus} CPUs, ${s.domains} domain${s.domains === 1 ? '' : 's'}`;
}

/** The runs' series in one timeline; `suffixes` tell apart runs that share a variant label. */
function timelineOf(results: RunResult[], intervalMs: number | undefined, suffixes?: string[]): Timeline | undefined {
  if (intervalMs === undefined) return undefined;
  const series = results.map((r, i) => (suffixes ? { ...r.timeline!, label: `${r.timeline!.label} ${suffixes[i]}` } : r.timeline!));
  return { intervalMs, series };
}

function title(v: Variant, s: Snapshot): string {
  return `== ${variantTitle(v)}: ${s.magazineMode} (${s.magazineCache}) ==`;
}

async function compareProfiles(o: CompareOptions, out: (text: string) => void, progress: ProgressStream): Promise<void> {
  const variants = profileVariants(o.profiles!, o.policy ?? [], o.magazines);
  const scenario = await scenarioOf(o, true);
  const link = linkOf(o, scenario);
  const interval = timelineInterval(o);
  const bar = stderrProgress(o.progress, { total: 0 }, progress);
  const results = await runAll(variants, scenario, bar, interval);
  const rows = withSavings(variants.map((v, i) => variantMetrics(v.label, v.profile, v.policy, results[i]!.snapshot)));
  const timeline = timelineOf(results, interval);
  const sparklines = timeline ? await emitTimeline(o, timeline, `iova-lab compare: ${scenarioTitle(scenario)}`) : '';
  if (o.json) {
    out(JSON.stringify({
      engine: scenario.engine,
      scenario: describeScenario(scenario),
      variants: rows.map((r, i) => ({ ...r, ...(results[i]!.workload ? { workload: results[i]!.workload } : {}) })),
      ...(timeline ? { timeline } : {}),
      ...(link ? { link } : {}),
    }, null, 2) + '\n');
    return;
  }
  let text = formatVariantTable(rows) + (sparklines ? '\n' + sparklines : '');
  if (o.format !== undefined) {
    text += results.map((r, i) => '\n' + title(variants[i]!, r.snapshot) + '\n' + slabView(r.snapshot, o.format)).join('');
  }
  out(text + (link ? `\nplayground: ${link}\n` : ''));
}

async function compareModes(o: CompareOptions, out: (text: string) => void, progress: ProgressStream): Promise<void> {
  const scenario = await scenarioOf(o, false);
  const link = linkOf(o, scenario);
  const profile = o.profile ?? (scenario.kind === 'trace' ? scenario.trace.header.profile : undefined);
  const modes: MagazineMode[] = ['named', 'unnamed'];
  const variants = modes.map((m) => makeVariant(profile, o.policy ?? [], m));
  const interval = timelineInterval(o);
  const bar = stderrProgress(o.progress, { total: 0 }, progress);
  const results = await runAll(variants, scenario, bar, interval);
  const [named, unnamed] = results.map((r) => r.snapshot) as [Snapshot, Snapshot];
  const timeline = timelineOf(results, interval, modes);
  const sparklines = timeline ? await emitTimeline(o, timeline, `iova-lab compare: ${scenarioTitle(scenario)}`) : '';
  if (o.json) {
    out(JSON.stringify({
      engine: scenario.engine,
      workload: scenario.kind === 'workload' ? scenario.workload : 'trace',
      scenario: describeScenario(scenario),
      variant: variants[0]!.label,
      profile: variants[0]!.profile,
      design: variants[0]!.design,
      named: snapshotToJson(named),
      unnamed: snapshotToJson(unnamed),
      ...(timeline ? { timeline } : {}),
      ...(link ? { link } : {}),
    }, null, 2) + '\n');
    return;
  }
  const block = (head: string, s: Snapshot, view: string) =>
    `${head}\n${view}magazines: ${s.magazines.total} (depot ${s.magazines.depot})\n`;
  const linkLine = link ? `\nplayground: ${link}\n` : '';
  const heads = [`== named (${named.magazineCache}) ==`, `== unnamed (${unnamed.magazineCache}) ==`];
  const profileLine = `profile ${variantTitle(variants[0]!)}\n`;
  if (o.format === 'slabinfo') {
    // slabinfo lines are too wide to sit next to each other: one block after the other.
    out(block(heads[0]!, named, slabView(named, 'slabinfo')) + '\n' + block(heads[1]!, unnamed, slabView(unnamed, 'slabinfo'))
      + profileLine + (sparklines ? '\n' + sparklines : '') + linkLine);
  } else {
    out(sideBySide(block(heads[0]!, named, formatSlabtop(named)), block(heads[1]!, unnamed, formatSlabtop(unnamed)))
      + profileLine + (sparklines ? '\n' + sparklines : '') + linkLine);
  }
}

export function compareCommand(out: (text: string) => void, progressStream: ProgressStream = process.stderr): Command {
  return addScenarioOptions(
    new Command('compare').description(
      'run one scenario under several rcache designs: named vs unnamed magazines side by side, '
        + 'or every kernel profile in --profiles (and each + --policy) in one table'),
    { magazinesHelp: "with --profiles: named or unnamed magazines for every variant (default: each profile's)" },
  )
    .option('--profiles <list>', `comma-separated kernel versions to compare (e.g. ${PROFILE_NAMES.join(',')})`,
      profileListOption())
    .option('--trace <file>', 'replay this trace (format v1; - for stdin) instead of a workload')
    .action(async (o: CompareOptions) => {
      checkCompareOptions(o);
      if (o.profiles) await compareProfiles(o, out, progressStream);
      else await compareModes(o, out, progressStream);
    });
}
