// Benchmarks: native C vs WASM batch (and its twin, for the noise) vs WASM per-op vs TS model on
// five deterministic op streams, warm-up curves, scale rows and a 10^7-op trace replay.
// Writes BENCHMARKS.md (not in quick mode).
// Usage: npm run bench [-- --slow-pairs N] [-- --quick] [-- --only SECTION,…]
//   --slow-pairs N: free+alloc pairs on the slow path (default 10000)
//   --quick: a short run to check the benchmark works (few pairs, short budgets, small trace);
//            prints the report and leaves BENCHMARKS.md alone
//   --only SECTION,…: run only these sections (workloads, scale, ts-scale, trace) and print their
//            tables; BENCHMARKS.md is left alone
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IovaModule } from '../src/bindings.js';
import { loadIovaModule } from '../src/wasm/load.js';
import type { Engine, LabConfig } from '../src/engine.js';
import { cacheByName, type CacheCounters } from '../src/snapshot.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import {
  buildNative,
  ENGINES,
  measure,
  NATIVE_OPT,
  sameOutcome,
  writeOpFile,
  type Budget,
  type EngineKind,
  type Outcome,
} from './engines.js';
import { PROFILE_NOTES, limitOf } from './profile-notes.js';
import {
  medianRep,
  noiseOf,
  r2,
  ratio,
  renderMarkdown,
  renderSections,
  type ScaleRow,
  type Target,
  type WarmupRow,
  type WorkloadResult,
} from './report.js';
import { fmtSpread, steady, type Rep } from './stats.js';
import { cfg, seedPreset, SLOW_PREFILL, workloads } from './streams.js';
import { generateTraceText, timeTraceReplay } from './trace-row.js';
import { bigLabRow, LIVE_IOVAS, liveIovasRow, type BigLabRow, type LiveRow } from './ts-scale.js';
import { abRatio, BASELINE_COMMIT, buildBaseline, medianWallMs, runAb, type AbResult } from './scale-ab.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: opts } = parseArgs({
  options: {
    'slow-pairs': { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const quick = opts.quick;
const SECTIONS = ['workloads', 'scale', 'ts-scale', 'trace'] as const;
type Section = (typeof SECTIONS)[number];
const only = opts.only?.split(',');
const badSection = only?.find((x) => !(SECTIONS as readonly string[]).includes(x));
if (badSection !== undefined) {
  console.error(`--only takes sections from ${SECTIONS.join(', ')}, got "${badSection}"`);
  process.exit(2);
}
const want = (section: Section): boolean => only === undefined || only.includes(section);
const slowPairs = Number(opts['slow-pairs'] ?? (quick ? '100' : '10000'));
if (!Number.isSafeInteger(slowPairs) || slowPairs < 0) {
  console.error(`--slow-pairs needs a non-negative integer, got ${opts['slow-pairs']}`);
  process.exit(2);
}
/** Rounds per workload: fewer on the slow path, where one repetition takes seconds. */
const roundsOf = (name: string): number => (quick ? 2 : name.startsWith('4') ? 3 : 5);
const BUDGET: Budget = quick ? { minNs: 0.03e9, maxNs: 0.1e9 } : { minNs: 0.3e9, maxNs: 1e9 };
const WARMUP_REPS = quick ? 4 : 8;
const TRACE_OPS = quick ? 200_000 : 10_000_000;
const AB_ROUNDS = quick ? 2 : 7;

const tStart = performance.now();
const since = (): string => `${((performance.now() - tStart) / 1000).toFixed(1)}s`;
const loads: number[] = [];
const noteLoad = (): void => void loads.push(loadavg()[0]);
const tmp = mkdtempSync(join(tmpdir(), 'iova-bench-'));
const exe = want('workloads') ? buildNative(ROOT, tmp) : '';
const wls = want('workloads') ? await workloads(slowPairs) : [];
noteLoad();

// ---------- workloads: engines alternate within each round ----------
const results: WorkloadResult[] = [];
const warmup: WarmupRow[] = [];
const opFiles: string[] = [];
let failed = false;
for (const w of wls) {
  const opFile = writeOpFile(w, tmp);
  opFiles.push(opFile);
  const rounds = Object.fromEntries(ENGINES.map((en) => [en, [] as Rep[][]])) as Record<EngineKind, Rep[][]>;
  const outcomes: Partial<Record<EngineKind, Outcome>> = {};
  for (let round = 0; round < roundsOf(w.name); round++) {
    // Rotate the starting engine so none always runs first (or right after the native process).
    for (let k = 0; k < ENGINES.length; k++) {
      const en = ENGINES[(k + round) % ENGINES.length];
      const m = await measure(en, w, exe, opFile, BUDGET);
      rounds[en].push(steady(m.reps));
      outcomes[en] ??= m.outcome;
      if (en === 'native' && round === 0 && m.reps.length >= 4)
        warmup.push({ workload: w.name, engine: 'native (runner process)', reps: m.reps });
      const st = medianRep({ name: w.name, ops: w.n, rounds: { [en]: [steady(m.reps)] } } as WorkloadResult, en);
      console.error(
        `  ${w.name} r${round} ${en}: ${m.reps.length} reps, steady median CPU ${(st.cpuNs / 1e6).toFixed(1)} ms @${since()}`,
      );
    }
    noteLoad();
  }
  for (const en of ENGINES.slice(1)) {
    const diff = sameOutcome(outcomes.native!, outcomes[en]!);
    if (diff) {
      console.error(`MISMATCH in workload "${w.name}": native vs ${en}: ${diff}`);
      failed = true;
    }
  }
  results.push({ name: w.name, ops: w.n, rounds });
}
if (failed) {
  console.error('FAIL: engines disagree (see MISMATCH lines above)');
  process.exit(1);
}

// ---------- warm-up curves: a fresh process per workload and engine ----------
// The slow path is left out in full mode: one repetition takes seconds, so its warm-up is a small share.
for (const [i, w] of wls.entries()) {
  if (!quick && w.name.startsWith('4')) continue;
  for (const kind of ['wasm-batch', 'ts'] as const) {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/warmup.ts'), opFiles[i], kind, String(WARMUP_REPS)],
      { cwd: ROOT, encoding: 'utf8' },
    );
    warmup.push({ workload: w.name, engine: kind === 'ts' ? 'TS' : 'WASM batch', reps: JSON.parse(out) as Rep[] });
    console.error(`  warm-up ${w.name} ${kind} @${since()}`);
  }
}
warmup.sort((a, b) => a.workload.localeCompare(b.workload));
noteLoad();

// ---------- scale rows: memory (one run here) and time (before/now, fresh processes) ----------
// Each scale row runs on a fresh WASM instance, so its heap size is that lab's alone.
let rowModule: IovaModule | undefined;
const wasmBinary = readFileSync(join(ROOT, 'wasm/iova_model.wasm'));
/** An engine on a fresh instance of its own (kept in rowModule for its heap size). */
async function freshEngine(config: LabConfig): Promise<Engine> {
  rowModule = await loadIovaModule({ wasmBinary });
  return createWasmEngine(config, { module: rowModule });
}

/** The row's memory: accounted slab bytes from the lab's snapshot, and its instance's heap. */
function measureMemory(row: ScaleRow, e: Engine): void {
  const s = e.snapshot();
  const slabBytes = (c: CacheCounters) => c.numSlabs * c.pagesPerSlab * 4096;
  row.magazineBytes = slabBytes(cacheByName(s, 'iommu_iova_magazine')!);
  row.slabBytes = s.caches.reduce((sum, c) => sum + slabBytes(c), 0);
  row.heap = rowModule!.HEAPU8.length;
}

/** The seed preset and the 1024 × 1000 lab once here, for their memory (their times come from runAb). */
async function memoryRows(): Promise<ScaleRow[]> {
  const seedW = await seedPreset();
  const seedRow: ScaleRow = { label: AB_ROWS_LABEL.seed };
  const e = await freshEngine(seedW.config);
  const res = e.runBatch(seedW.ops);
  if (res.error) throw res.error;
  measureMemory(seedRow, e);
  e.dispose();
  const big: ScaleRow = { label: AB_ROWS_LABEL.big };
  let bigDomains = 0;
  try {
    const e = await freshEngine(cfg(1024));
    for (let i = 0; i < 1000; i++) {
      e.createDomain(4096, 1n);
      bigDomains++;
    }
    measureMemory(big, e);
    e.dispose();
  } catch (err) {
    big.heap = rowModule?.HEAPU8.length;
    big.error = `${(err as Error).name}: ${(err as Error).message} after ${bigDomains} domains`;
  }
  return [seedRow, big];
}
const AB_ROWS_LABEL = { seed: 'seed preset (128 × 159, order0, 20000 churn ops)', big: '1024 CPUs × 1000 domains' };

let scale: ScaleRow[] = [];
let ab: AbResult[] = [];
let baselineNote = '';
if (want('scale')) {
  scale = await memoryRows();
  console.error(`WASM scale rows (memory) @${since()}`);
  const baseline = buildBaseline(ROOT);
  baselineNote = 'dir' in baseline ? '' : baseline.error;
  if (baselineNote) console.error(baselineNote);
  ab = runAb(ROOT, 'dir' in baseline ? baseline.dir : undefined, AB_ROUNDS, (s) => console.error(`${s} @${since()}`));
  if ('dir' in baseline) rmSync(baseline.dir, { recursive: true, force: true });
  noteLoad();
}

// ---------- TS scale rows ----------
let live: LiveRow | undefined;
let bigLab: BigLabRow | undefined;
if (want('ts-scale')) {
  live = await liveIovasRow(quick ? 2 : 5);
  bigLab = bigLabRow();
  console.error(
    `TS scale rows: 200k live ${(live.ts.cpuNs / 1e6).toFixed(0)} ms CPU, 1024x1000 ${(bigLab.cpuNs / 1e6).toFixed(0)} ms CPU${bigLab.error ? ` (${bigLab.error})` : ''} @${since()}`,
  );
  noteLoad();
}

// ---------- trace row: parse + replay of a generated trace ----------
let trace: Awaited<ReturnType<typeof timeTraceReplay>> | undefined;
if (want('trace')) {
  console.error(`generating a ${TRACE_OPS}-op trace @${since()}`);
  trace = await timeTraceReplay(await generateTraceText(TRACE_OPS));
  console.error(`trace: parse + replay ${trace.wallMs.toFixed(0)} ms (CPU ${trace.cpuMs.toFixed(0)} ms) @${since()}`);
  noteLoad();
}
const totalS = (performance.now() - tStart) / 1000;

if (only !== undefined) {
  console.log(
    renderSections({ workloads: results, warmup, scale, ab, baselineNote, abRounds: AB_ROUNDS, live, bigLab, trace }),
  );
  process.exit(0);
}

// ---------- targets (CPU-time ratios: median of per-round ratios, worst workload shown) ----------
const MiB = 2 ** 20;
const noise = noiseOf(results);
const target = (name: string, measured: string, met: boolean, withinNoise = false): Target => ({
  name,
  measured,
  met,
  withinNoise,
  limit: limitOf(name),
});
const worst = (a: EngineKind, b: EngineKind, which: WorkloadResult[]) => {
  const all = which.map((w) => ({ w, s: ratio(w, a, b) }));
  return all.reduce((x, y) => (y.s.med < x.s.med ? y : x));
};
const shown = (x: { w: WorkloadResult; s: ReturnType<typeof ratio> }): string => `${fmtSpread(x.s)}, ${x.w.name}`;
const churn = ratio(results[0], 'wasm-batch', 'native');
const others = worst('wasm-batch', 'native', results.slice(1));
const perOp = worst('wasm-perop', 'wasm-batch', results);
const ts = worst('ts', 'wasm-batch', results);
const traceS = trace!.cpuMs / 1000;
const liveS = live!.ts.cpuNs / 1e9;
const [abSeed, abBig, abCliSeed, abCliBig] = ab;
const [, memBig] = scale;
/** CPU time now / before: met at or below 1; within this run's noise up to 1 + the twin's worst deviation. */
const asBefore = (name: string, r: AbResult, also = { met: true, text: '' }): Target => {
  if (r.before.length === 0) return target(name, `not measured: ${baselineNote}`, false);
  const s = abRatio(r);
  return target(name, fmtSpread(s) + also.text, s.med <= 1 && also.met, s.med <= 1 + noise.worst && also.met);
};
const bigHeapOk = !memBig.error && memBig.heap! <= 180_682_752;
const targets: Target[] = [
  target('WASM batch ≥ 0.75× native, steady state, same-CPU churn (workload 1)', fmtSpread(churn), churn.med >= 0.75),
  target('WASM batch ≥ 0.8× native on every other workload (worst shown)', shown(others), others.s.med >= 0.8),
  target('WASM per-op ≥ 0.5× WASM batch on every workload (worst shown)', shown(perOp), perOp.s.med >= 0.5),
  target('TS model ≥ 0.1× WASM batch on every workload (worst shown)', shown(ts), ts.s.med >= 0.1),
  target(
    `${LIVE_IOVAS.toLocaleString('en')} live IOVAs on the TS engine < 2 s`,
    `${liveS.toFixed(2)} s CPU`,
    liveS < 2,
  ),
  target(
    `${TRACE_OPS.toLocaleString('en')} trace ops parse + replay < 6 s (CPU)`,
    `${traceS.toFixed(2)} s CPU (${(trace!.wallMs / 1000).toFixed(2)} s wall)`,
    traceS < 6,
  ),
  target(
    'seed preset < 1 s (in a lab, median wall time)',
    `${medianWallMs(abSeed.now).toFixed(0)} ms`,
    medianWallMs(abSeed.now) < 1000,
  ),
  target(
    '1024×1000 init (WASM) < 10 s within 2 GB WASM heap (in a lab, median wall time)',
    memBig.error
      ? `failed: ${memBig.error}`
      : `${(medianWallMs(abBig.now) / 1000).toFixed(2)} s, ${(memBig.heap! / 2 ** 30).toFixed(2)} GiB`,
    !memBig.error && medianWallMs(abBig.now) < 10_000 && memBig.heap! <= 2 ** 31,
  ),
  // "As before": against the tree of BASELINE_COMMIT measured in the same rounds (its BENCHMARKS.md
  // had one wall time per row: seed 47 ms, 1024×1000 226 ms). The heap is exact, so it is compared
  // with that tree's HEAPU8.length (180,682,752 bytes), and the TS model's lab with its 12 s and 1.3 GB.
  asBefore(`seed preset in a lab: CPU time now / before (${BASELINE_COMMIT}) ≤ 1`, abSeed),
  asBefore('`iova-lab simulate --preset seed`: CPU time now / before ≤ 1', abCliSeed),
  asBefore('1024×1000 init (WASM) in a lab: CPU time now / before ≤ 1, heap ≤ 172 MiB', abBig, {
    met: bigHeapOk,
    text: `, heap ${memBig.heap === undefined ? '–' : (memBig.heap / MiB).toFixed(0)} MiB`,
  }),
  asBefore('`iova-lab simulate --cpus 1024 --domains 1000`: CPU time now / before ≤ 1', abCliBig),
  target(
    '1024×1000 init (TS) as before (12 s, 1.3 GB) or better',
    bigLab!.error
      ? `failed: ${bigLab!.error}`
      : `${(bigLab!.wallNs / 1e9).toFixed(2)} s wall, ${(bigLab!.heapBytes / MiB).toFixed(0)} MiB heap`,
    !bigLab!.error && bigLab!.wallNs <= 12e9 && bigLab!.heapBytes <= 1.3e9,
  ),
];

const sh = (cmd: string, args: string[]): string => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
};
const cpuModel = /Model name:\s*(.+)/.exec(sh('lscpu', []))?.[1] ?? '?';
const emcc = `emcc ${/\d+\.\d+\.\d+/.exec(sh('emcc', ['--version']))?.[0] ?? '?'}`;
const load =
  `1-minute load average sampled ${loads.length} times during the run: ${loads.map((l) => l.toFixed(1)).join(', ')} ` +
  `on ${sh('nproc', [])} cores. Other jobs shared the machine, so CPU time (which counts only this process's own ` +
  `work, but includes its GC and compiler threads) is the headline; wall time also counts waiting for a core.`;
const method = `Method: each workload is one deterministic op stream (BigUint64Array, 6 words/op) recorded once
in TS. A measurement replays it on fresh labs, one repetition per lab: repetition 1 (cold) is dropped, then
repetitions continue until at least 3 steady ones took ${BUDGET.minNs / 1e9} s of CPU, or the steady ones took
${BUDGET.maxNs / 1e9} s (the slow path: one or two). Each repetition is timed on its own: process CPU time
(\`process.cpuUsage\`; the native runner: \`CLOCK_PROCESS_CPUTIME_ID\`) and wall time, over the batch or
per-op loop only (not lab creation). The WASM batch is the zero-copy batch window: the stream is written
into a window in the WASM heap before the timer starts (as the native runner holds its op file in memory),
one \`run\` executes it, and the results are read in place after the timer stops; the TS model runs the
same window interface over plain arrays.
${roundsOf('')} rounds (the slow path: ${roundsOf('4')}); each round measures every engine once (native, WASM batch, WASM batch twin, WASM per-op,
TS), the starting engine rotating from round to round. Throughput = ops / median steady repetition over all
rounds. A ratio is computed per round from the two engines' median steady repetitions of that round; the
tables show the median of the per-round ratios and their range. The twin is the WASM batch on a
second instance of the same module (own memory), measured like the others: its ratio to the WASM batch is
this run's noise (${r2(noise.lo)}–${r2(noise.hi)}). Native = \`cc ${NATIVE_OPT}\` (gcc) build of native/*.c +
bench/native_runner.c calling \`iova_run_batch\`, one process per measurement; WASM = \`make -C native wasm\`
(emcc -O3 -flto). WASM per-op = the Engine methods (createWasmEngine), including decoding the stream in JS. Results
arrays and final snapshots were checked identical across all engines for every workload. Workload 4
prefills ${SLOW_PREFILL} live size-1 IOVAs (32-bit limit, size-aligned alloc_iova) then runs ${slowPairs} pairs of
free(random live IOVA) + alloc(size 1); \`--slow-pairs N\` changes the count. Warm-up: each workload replayed
${WARMUP_REPS} times in a fresh node process per engine${quick ? '' : ' (the slow path left out: one repetition takes seconds)'}; the native rows are the
first measurement's repetitions (a fresh runner process).`;
const md = renderMarkdown({
  machine: `${cpuModel}, ${sh('nproc', [])} cores (nproc), node ${process.version}, ${emcc}`,
  command: `npm run bench${quick ? ' -- --quick' : ''}${opts['slow-pairs'] !== undefined ? ` -- --slow-pairs ${slowPairs}` : ''}`,
  load,
  totalS,
  method,
  workloads: results,
  warmup,
  scale,
  ab,
  baselineNote,
  abRounds: AB_ROUNDS,
  live: live!,
  bigLab: bigLab!,
  trace: trace!,
  targets,
  profile: PROFILE_NOTES,
});
if (!quick) writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
console.log(md);
