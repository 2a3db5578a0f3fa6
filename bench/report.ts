// Renders the benchmark results as BENCHMARKS.md: machine, command, load, tables (CPU time as the
// headline, wall time beside it, ratios as medians of per-round ratios with their ranges, the
// noise of two identical engines, warm-up apart from steady state), targets and, for a missed
// target, what limits it.
import { ENGINE_LABEL, ENGINES, type EngineKind } from './engines.js';
import { abRatio, BASELINE_COMMIT, type AbResult } from './scale-ab.js';
import { fmtSpread, median, spread, type Rep, type Spread } from './stats.js';
import type { BigLabRow, LiveRow } from './ts-scale.js';
import type { TraceTiming } from './trace-row.js';

export interface WorkloadResult {
  name: string;
  ops: number;
  /** Per engine, per round: that round's steady repetitions. */
  rounds: Record<EngineKind, Rep[][]>;
}
export interface WarmupRow {
  workload: string;
  engine: string;
  reps: Rep[];
}
/** A scale row's memory, from one run of it in the benchmark's process. */
export interface ScaleRow {
  label: string;
  heap?: number;
  magazineBytes?: number;
  slabBytes?: number;
  error?: string;
}
export interface Target {
  name: string;
  measured: string;
  met: boolean;
  /** Not met, but by less than this run's noise: no evidence either way. */
  withinNoise?: boolean;
  limit: string;
}

export interface Report {
  machine: string;
  command: string;
  load: string;
  totalS: number;
  method: string;
  workloads: WorkloadResult[];
  warmup: WarmupRow[];
  scale: ScaleRow[];
  ab: AbResult[];
  /** Why the baseline is missing, or '' when it was measured. */
  baselineNote: string;
  abRounds: number;
  live: LiveRow;
  bigLab: BigLabRow;
  trace: TraceTiming;
  targets: Target[];
  profile: string;
}

/** The sections one `--only` run measured. */
export type Sections = Partial<Pick<Report, 'live' | 'bigLab' | 'trace'>> &
  Pick<Report, 'workloads' | 'warmup' | 'scale' | 'ab' | 'baselineNote' | 'abRounds'>;

const MiB = 2 ** 20;
export const fmt = (x: number): string =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
export const r2 = (x: number): string => x.toFixed(2);
const mib = (x?: number): string => (x === undefined ? '–' : `${(x / MiB).toFixed(0)} MiB`);
const wall = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
const ms = (ns: number): string => wall(ns / 1e6);

/** Median of every steady repetition of an engine over all rounds. */
export function medianRep(w: WorkloadResult, en: EngineKind): Rep {
  const all = w.rounds[en].flat();
  return { cpuNs: median(all.map((r) => r.cpuNs)), wallNs: median(all.map((r) => r.wallNs)) };
}

/** Throughput of `a` relative to `b` (CPU time), one ratio per round, as median and range. */
export function ratio(w: WorkloadResult, a: EngineKind, b: EngineKind): Spread {
  const per = w.rounds[a].map((ra, i) => median(w.rounds[b][i].map((r) => r.cpuNs)) / median(ra.map((r) => r.cpuNs)));
  return spread(per);
}

function throughputTable(ws: WorkloadResult[]): string {
  const shown = ENGINES.filter((e) => e !== 'wasm-batch-twin');
  return [
    `| workload | ops | ${shown.map((e) => `${ENGINE_LABEL[e]} ops/s: CPU · wall`).join(' | ')} |`,
    `|---|---:|${shown.map(() => '---:').join('|')}|`,
    ...ws.map(
      (w) =>
        `| ${w.name} | ${w.ops} | ${shown
          .map((e) => {
            const m = medianRep(w, e);
            return `**${fmt(w.ops / (m.cpuNs / 1e9))}** · ${fmt(w.ops / (m.wallNs / 1e9))}`;
          })
          .join(' | ')} |`,
    ),
  ].join('\n');
}

function ratioTable(ws: WorkloadResult[]): string {
  return [
    '| workload | WASM batch / native | WASM per-op / WASM batch | TS / WASM batch | noise: WASM batch (twin) / WASM batch |',
    '|---|---:|---:|---:|---:|',
    ...ws.map(
      (w) =>
        `| ${w.name} | ${fmtSpread(ratio(w, 'wasm-batch', 'native'))} | ${fmtSpread(ratio(w, 'wasm-perop', 'wasm-batch'))} | ${fmtSpread(ratio(w, 'ts', 'wasm-batch'))} | ${fmtSpread(ratio(w, 'wasm-batch-twin', 'wasm-batch'))} |`,
    ),
  ].join('\n');
}

/** The largest deviation from 1 of any per-round twin ratio: differences below it are not real. */
export function noiseOf(ws: WorkloadResult[]): { worst: number; lo: number; hi: number } {
  const all = ws.flatMap((w) => {
    const s = ratio(w, 'wasm-batch-twin', 'wasm-batch');
    return [s.min, s.max];
  });
  const lo = Math.min(...all),
    hi = Math.max(...all);
  return { worst: Math.max(1 - lo, hi - 1), lo, hi };
}

function warmupTable(rows: WarmupRow[]): string {
  return [
    '| workload | engine | rep 1 (cold) CPU | rep 2 CPU | rep 3 CPU | steady median CPU (reps 4+; 2+ if fewer) | rep 1 / steady |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows.map(({ workload, engine, reps }) => {
      const st = median(reps.slice(reps.length >= 4 ? 3 : 1).map((r) => r.cpuNs));
      const at = (i: number): string => (reps[i] ? ms(reps[i].cpuNs) : '–');
      return `| ${workload} | ${engine} | ${at(0)} | ${at(1)} | ${at(2)} | ${ms(st)} | ${r2(reps[0].cpuNs / st)} |`;
    }),
  ].join('\n');
}

/** "32 ms (29–41 ms)": the median and range of the repetitions' CPU or wall time. */
function msSpread(reps: Rep[], of: 'cpuNs' | 'wallNs'): string {
  if (reps.length === 0) return '–';
  const s = spread(reps.map((r) => r[of] / 1e6));
  const n = (x: number): string => x.toFixed(x < 10 ? 1 : 0);
  return `${n(s.med)} ms (${n(s.min)}–${n(s.max)})`;
}

function abTable(ab: AbResult[]): string {
  return [
    `| scale row | CPU before (${BASELINE_COMMIT}) | CPU now | CPU now / before (per round) | wall before | wall now |`,
    '|---|---:|---:|---:|---:|---:|',
    ...ab.map(
      (r) =>
        `| ${r.row.label} | ${msSpread(r.before, 'cpuNs')} | **${msSpread(r.now, 'cpuNs')}** | ${r.before.length ? fmtSpread(abRatio(r)) : '–'} | ${msSpread(r.before, 'wallNs')} | ${msSpread(r.now, 'wallNs')} |`,
    ),
  ].join('\n');
}

function abText(note: string, rounds: number): string {
  const head = note
    ? `Before/now: ${note}; only this tree was measured.`
    : `Before/now: the tree of commit ${BASELINE_COMMIT} (whose BENCHMARKS.md reported the seed preset at 47 ms and the
1024 × 1000 lab at 226 ms, one wall time each) is extracted with \`git archive\` next to this checkout, its CLI
built with this checkout's tsc, and both trees run every row in the same ${rounds} rounds.`;
  return `${head} Each measurement is a fresh node
process; the two trees alternate within a round (the first one alternating from round to round), and a ratio is
taken per round: median (min–max) over the rounds, above 1 = slower now. "In a lab" rows time a fresh WASM
instance of a module the process has already compiled: instantiation, lab creation and the work
(bench/scale-child.ts), as the earlier in-process rows did; the seed preset's batch holds its 159 domain inits and
its churn. "Whole process" rows time \`node bin/iova-lab.js …\` from start to exit: CPU time as the process
reports it at exit (all threads), wall time around the spawn.`;
}

function memoryTable(scale: ScaleRow[]): string {
  return [
    '| scale row (one run) | WASM heap (HEAPU8.length) | accounted iommu_iova_magazine memory | all accounted slab memory |',
    '|---|---:|---:|---:|',
    ...scale.map(
      (s) =>
        `| ${s.label}${s.error ? ` (FAILED: ${s.error})` : ''} | ${mib(s.heap)} | ${mib(s.magazineBytes)} | ${mib(s.slabBytes)} |`,
    ),
  ].join('\n');
}

function scaleSection(r: Pick<Report, 'scale' | 'ab' | 'baselineNote' | 'abRounds'>): string {
  return `${abTable(r.ab)}

${abText(r.baselineNote, r.abRounds)}

${memoryTable(r.scale)}`;
}

const status = (t: Target): string => (t.met ? 'met' : t.withinNoise ? 'within noise' : 'MISSED');

function tsScaleTable(live: LiveRow, big: BigLabRow): string {
  return [
    '| TS scale row | CPU time | wall time | JS heap added |',
    '|---|---:|---:|---:|',
    `| 200,000 live IOVAs: createDomain + 200,000 allocFast (sizes 1–4, 32-bit limit, 8 CPUs), TS model batch, median of ${live.reps} | ${ms(live.ts.cpuNs)} | ${ms(live.ts.wallNs)} | – |`,
    `| the same stream on the WASM batch, median of ${live.reps} | ${ms(live.wasm.cpuNs)} | ${ms(live.wasm.wallNs)} | – |`,
    `| 1024 CPUs × 1000 domains init, TS model per-op createDomain, one run${big.error ? ` (FAILED: ${big.error})` : ''} | ${ms(big.cpuNs)} | ${ms(big.wallNs)} | ${mib(big.heapBytes)} |`,
  ].join('\n');
}

function traceTable(t: TraceTiming): string {
  return [
    '| trace row | ops | parse + replay, wall | CPU | ops/s |',
    '|---|---:|---:|---:|---:|',
    `| trace v1 text (${(t.chars / MiB).toFixed(0)} MiB), replayTraceStream on WASM (streamed into the batch window), ${t.values} values | ${t.ops} | ${wall(t.wallMs)} | ${wall(t.cpuMs)} | ${fmt(t.ops / (t.wallMs / 1000))} |`,
  ].join('\n');
}

export function renderMarkdown(r: Report): string {
  const missed = r.targets.filter((t) => !t.met);
  const noise = noiseOf(r.workloads);
  return `# Benchmarks

Generated by \`npm run bench\` (\`tsx bench/run.ts\`). Do not edit by hand; rerun to refresh.

Machine: ${r.machine}.
Command: \`${r.command}\` (total ${r.totalS.toFixed(1)} s, one run).
Load during the run: ${r.load}

${r.method}

## Steady state: throughput per engine (median per-repetition CPU time; wall time beside it)

${throughputTable(r.workloads)}

## Ratios (CPU time): median of the per-round ratios, (min–max) over the rounds

${ratioTable(r.workloads)}

**Noise of this run:** the WASM batch measured against a second instance of the same module, in the
same rounds, came out between ${r2(noise.lo)} and ${r2(noise.hi)} of itself (per-round ratios over all
workloads): differences of up to about ${(noise.worst * 100).toFixed(0)} % between two engines in this run are not
evidence of a real difference.

## Warm-up (fresh process per row; not part of the steady state above)

${warmupTable(r.warmup)}

## Scale

${scaleSection(r)}

${tsScaleTable(r.live, r.bigLab)}

${traceTable(r.trace)}

## Targets

| target | measured | status |
|---|---|---|
${r.targets.map((t) => `| ${t.name} | ${t.measured} | ${status(t)} |`).join('\n')}

"Within noise": not met, but by less than this run's noise (the twin's largest deviation above): no evidence of a
real difference either way.

## What limits the missed targets

${missed.length ? missed.map((t) => `- ${t.name} (${t.measured}, ${status(t)}): ${t.limit}`).join('\n') : 'None.'}

${r.profile}
`;
}

/** The tables of the sections an `--only` run measured. */
export function renderSections(r: Sections): string {
  const parts: string[] = [];
  if (r.workloads.length) {
    parts.push(throughputTable(r.workloads), ratioTable(r.workloads), warmupTable(r.warmup));
  }
  if (r.ab.length) parts.push(scaleSection(r));
  if (r.live && r.bigLab) parts.push(tsScaleTable(r.live, r.bigLab));
  if (r.trace) parts.push(traceTable(r.trace));
  return parts.join('\n\n') + '\n';
}
