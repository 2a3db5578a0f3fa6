// Benchmarks: native C vs WASM batch vs WASM per-op vs TS model on five deterministic op streams,
// plus scale rows. Usage: npm run bench  (tsx bench/run.ts). Writes BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOps, type BatchOp } from '../src/batch.js';
import { OP_WORDS, OpCode, type Engine, type LabConfig } from '../src/engine.js';
import { createModelEngine } from '../src/model/lab.js';
import { decodeSnapshot, cacheByName, type Snapshot } from '../src/snapshot.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import type { IovaModule, IovaModuleFactory } from '../src/bindings.js';
import { seededRandom } from '../src/workloads/index.js';

const ROOT = new URL('..', import.meta.url).pathname;
const MIN_NS = 0.3e9;
const ROUNDS = 3;
const LIMIT = 0xfffffn; // 32-bit DMA limit pfn with 4 KiB granule
const tmp = mkdtempSync(join(tmpdir(), 'iova-bench-'));

// ---------- stream generation: ops recorded while driving a reference engine (pfns are known) ----------
class Recorder {
  readonly ops: BatchOp[] = [];
  constructor(readonly e: Engine) {}
  createDomain(): number { const id = this.e.createDomain(4096, 1n); this.ops.push({ op: 'createDomain', granule: 4096, startPfn: 1n }); return id; }
  putDomain(domain: number): void { this.e.putDomain(domain); this.ops.push({ op: 'putDomain', domain }); }
  allocFast(domain: number, cpu: number, size: bigint): bigint {
    const pfn = this.e.allocFast(domain, cpu, size, LIMIT, false);
    if (pfn === 0n) throw new Error('generator: allocFast failed');
    this.ops.push({ op: 'allocFast', domain, cpu, size, limitPfn: LIMIT, flushRcache: false });
    return pfn;
  }
  freeFast(domain: number, cpu: number, pfn: bigint, size: bigint): void { this.e.freeFast(domain, cpu, pfn, size); this.ops.push({ op: 'freeFast', domain, cpu, pfn, size }); }
  alloc(domain: number, size: bigint): bigint {
    const pfn = this.e.alloc(domain, size, LIMIT, true);
    if (pfn === 0n) throw new Error('generator: alloc failed');
    this.ops.push({ op: 'alloc', domain, size, limitPfn: LIMIT, sizeAligned: true });
    return pfn;
  }
  free(domain: number, pfn: bigint): void { this.e.free(domain, pfn); this.ops.push({ op: 'free', domain, pfn }); }
  advance(ms: bigint): void { this.e.advanceClock(ms); this.ops.push({ op: 'advance', ms }); }
}

interface Workload { name: string; config: LabConfig; ops: BigUint64Array; n: number }
const cfg = (cpus: number, slabGeometry: 'slub' | 'order0' = 'slub'): LabConfig =>
  ({ possibleCpus: cpus, onlineCpus: cpus, magazines: 'named', slabGeometry });

async function record(name: string, config: LabConfig, gen: (r: Recorder, rand: () => number) => void): Promise<Workload> {
  const e = await createWasmEngine(config);
  const r = new Recorder(e);
  gen(r, seededRandom(42));
  e.dispose();
  return { name, config, ops: encodeOps(r.ops), n: r.ops.length };
}

const ri = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

async function workloads(): Promise<Workload[]> {
  const out: Workload[] = [];
  console.error(`gen ${((performance.now()-tStart)/1000).toFixed(1)}s`); out.push(await record('1 same-CPU churn', cfg(8), (r, rand) => {
    const d = r.createDomain();
    for (let i = 0; i < 100_000; i++) { const s = BigInt(ri(rand, 1, 32)); r.freeFast(d, 0, r.allocFast(d, 0, s), s); }
  }));
  console.error(`gen ${((performance.now()-tStart)/1000).toFixed(1)}s`); out.push(await record('2 cross-CPU', cfg(8), (r, rand) => {
    const d = r.createDomain();
    for (let round = 0; round < 400; round++) {
      const cpu = round % 4;
      const live: [bigint, bigint][] = [];
      for (let i = 0; i < 256; i++) { const s = BigInt(ri(rand, 1, 32)); live.push([r.allocFast(d, cpu, s), s]); }
      for (const [p, s] of live) r.freeFast(d, cpu + 4, p, s);
    }
  }));
  console.error(`gen ${((performance.now()-tStart)/1000).toFixed(1)}s`); out.push(await record('3 depot grow+trim', cfg(8), (r, rand) => {
    const d = r.createDomain();
    for (let burst = 0; burst < 40; burst++) {
      const live: [bigint, bigint][] = [];
      for (let i = 0; i < 2000; i++) { const s = BigInt(ri(rand, 1, 4)); live.push([r.allocFast(d, i % 8, s), s]); }
      for (const [p, s] of live) r.freeFast(d, burst % 8, p, s);
      for (let t = 0; t < 10; t++) r.advance(100n);
    }
  }));
  console.error(`gen ${((performance.now()-tStart)/1000).toFixed(1)}s`); out.push(await record('4 slow path (alloc_iova)', cfg(8), (r, rand) => {
    const d = r.createDomain();
    const live: bigint[] = [];
    for (let i = 0; i < 300_000; i++) live.push(r.alloc(d, 1n));
    for (let i = 0; i < 500; i++) { // pairs cost ~1 ms each (allocator walks the tree); kept small for runtime
      const k = Math.floor(rand() * live.length);
      r.free(d, live[k]!);
      live[k] = r.alloc(d, 1n);
    }
  }));
  console.error(`gen ${((performance.now()-tStart)/1000).toFixed(1)}s`); out.push(await record('5 domain init/put 128x159', cfg(128), (r) => {
    const ids: number[] = [];
    for (let i = 0; i < 159; i++) ids.push(r.createDomain());
    for (const id of ids) r.putDomain(id);
  }));
  return out;
}

// ---------- engines ----------
interface Outcome { results: BigUint64Array; snap: Snapshot }
interface Measured { opsPerSec: number; outcome: Outcome }

function writeOpFile(w: Workload): string {
  const path = join(tmp, `${w.name.split(' ')[0]}.ops`);
  const hdr = new BigUint64Array([0x494f5641n, BigInt(w.config.possibleCpus), BigInt(w.config.onlineCpus),
    w.config.magazines === 'named' ? 0n : 1n, w.config.slabGeometry === 'slub' ? 0n : 1n, BigInt(w.n)]);
  writeFileSync(path, Buffer.concat([Buffer.from(hdr.buffer), Buffer.from(w.ops.buffer, w.ops.byteOffset, w.ops.byteLength)]));
  return path;
}

function buildNative(): string {
  const exe = join(tmp, 'native_runner');
  const srcs = ['slab', 'clock', 'tree', 'rcache', 'iova_model'].map((s) => join(ROOT, 'native', `${s}.c`));
  execFileSync('cc', ['-O2', '-I', join(ROOT, 'native'), ...srcs, join(ROOT, 'bench/native_runner.c'), '-o', exe], { stdio: 'inherit' });
  return exe;
}

function runNative(exe: string, opFile: string, n: number): Measured {
  const outFile = opFile + '.out';
  const line = execFileSync(exe, [opFile, outFile], { encoding: 'utf8' });
  const m = /reps (\d+) ops (\d+) ns (\d+)/.exec(line);
  if (!m) throw new Error(`native runner said: ${line}`);
  const buf = readFileSync(outFile);
  const words = new BigUint64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const results = words.slice(0, n);
  const count = Number(words[n]);
  const snap = decodeSnapshot(words.slice(n + 1, n + 1 + count));
  return { opsPerSec: (Number(m[1]) * Number(m[2])) / (Number(m[3]) / 1e9), outcome: { results, snap } };
}

/** Per-op replay of an encoded stream through the Engine methods (decode cost included). */
function perOp(e: Engine, ops: BigUint64Array): BigUint64Array {
  const n = ops.length / OP_WORDS;
  const res = new BigUint64Array(n);
  for (let i = 0, o = 0; i < n; i++, o += OP_WORDS) {
    const dom = Number(ops[o + 1]), cpu = Number(ops[o + 2]), a = ops[o + 3]!, b = ops[o + 4]!, c = ops[o + 5]!;
    switch (Number(ops[o])) {
      case OpCode.AllocFast: res[i] = e.allocFast(dom, cpu, a, b, c !== 0n); break;
      case OpCode.FreeFast: e.freeFast(dom, cpu, a, b); break;
      case OpCode.Alloc: res[i] = e.alloc(dom, a, b, c !== 0n); break;
      case OpCode.Free: e.free(dom, a); break;
      case OpCode.Advance: e.advanceClock(a); break;
      case OpCode.DomainCreate: res[i] = BigInt(e.createDomain(Number(a), b)); break;
      case OpCode.DomainPut: e.putDomain(dom); break;
      default: throw new Error(`perOp: opcode ${ops[o]} not used by these workloads`);
    }
  }
  return res;
}

async function measureInProc(make: () => Promise<Engine> | Engine, w: Workload, mode: 'batch' | 'perop'): Promise<Measured> {
  let total = 0, reps = 0;
  let outcome: Outcome | undefined;
  do {
    const e = await make();
    const t0 = process.hrtime.bigint();
    let results: BigUint64Array;
    if (mode === 'batch') {
      const r = e.runBatch(w.ops);
      if (r.error || r.completed !== w.n) throw new Error(`${e.name} batch stopped at ${r.completed}: ${r.error?.message}`);
      results = r.results;
    } else results = perOp(e, w.ops);
    total += Number(process.hrtime.bigint() - t0);
    if (!outcome) outcome = { results: results.slice(), snap: e.snapshot() };
    e.dispose();
    reps++;
  } while (total < MIN_NS);
  return { opsPerSec: (reps * w.n) / (total / 1e9), outcome: outcome! };
}

function sameOutcome(a: Outcome, b: Outcome): string | null {
  if (a.results.length !== b.results.length) return `results length ${a.results.length} vs ${b.results.length}`;
  for (let i = 0; i < a.results.length; i++) if (a.results[i] !== b.results[i]) return `result[${i}] ${a.results[i]} vs ${b.results[i]}`;
  const sa = JSON.stringify(a.snap), sb = JSON.stringify(b.snap);
  return sa === sb ? null : 'final snapshots differ';
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const fmt = (x: number): string => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));
const r2 = (x: number): string => x.toFixed(2);

// ---------- main ----------
const tStart = performance.now();
const exe = buildNative();
const wls = await workloads();
const ENGINES = ['native', 'wasm-batch', 'wasm-perop', 'ts'] as const;
type EName = (typeof ENGINES)[number];
const rows: { w: Workload; med: Record<EName, number> }[] = [];
let failed = false;

for (const w of wls) {
  const opFile = writeOpFile(w);
  const samples: Record<EName, number[]> = { native: [], 'wasm-batch': [], 'wasm-perop': [], ts: [] };
  const outcomes: Partial<Record<EName, Outcome>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const en of ENGINES) {
      // TS on the slow path takes ~45 s per measurement: measured in round 1 only to bound runtime.
      if (en === 'ts' && w.name.startsWith('4') && round > 0) continue;
      const m = en === 'native' ? runNative(exe, opFile, w.n)
        : en === 'wasm-batch' ? await measureInProc(() => createWasmEngine(w.config), w, 'batch')
        : en === 'wasm-perop' ? await measureInProc(() => createWasmEngine(w.config), w, 'perop')
        : await measureInProc(() => createModelEngine(w.config), w, 'batch');
      samples[en].push(m.opsPerSec); console.error(`  ${w.name} ${en} ${m.opsPerSec.toFixed(0)} @${((performance.now()-tStart)/1000).toFixed(1)}s`);
      outcomes[en] ??= m.outcome;
    }
  }
  for (const en of ENGINES.slice(1)) {
    const diff = sameOutcome(outcomes.native!, outcomes[en]!);
    if (diff) { console.error(`MISMATCH in workload "${w.name}": native vs ${en}: ${diff}`); failed = true; }
  }
  const med = Object.fromEntries(ENGINES.map((en) => [en, median(samples[en])])) as Record<EName, number>;
  rows.push({ w, med });
  console.log(`${w.name}: ${w.n} ops, ` + ENGINES.map((en) => `${en} ${fmt(med[en])} ops/s`).join(', '));
}
if (failed) { console.error('FAIL: engines disagree (see MISMATCH lines above)'); process.exit(1); }

// ---------- scale rows (WASM engine, wall time including lab creation) ----------
// Seed preset: 128 CPUs, 159 domains, order0 slabs; init + 20k churn ops spread over domains/CPUs.
const seedCfg = cfg(128, 'order0');
const seedW = await record('seed', seedCfg, (r, rand) => {
  for (let i = 0; i < 159; i++) r.createDomain();
  for (let i = 0; i < 10_000; i++) {
    const d = i % 159, cpu = ri(rand, 0, 127), s = BigInt(ri(rand, 1, 32));
    r.freeFast(d, cpu, r.allocFast(d, cpu, s), s);
  }
});
let t0 = performance.now();
{
  const e = await createWasmEngine(seedCfg);
  const res = e.runBatch(seedW.ops);
  if (res.error) throw res.error;
  e.dispose();
}
const seedMs = performance.now() - t0;

// 1024 CPUs x 1000 domains init on a fresh WASM instance so its heap size is this lab's alone.
const req = createRequire(import.meta.url);
const realFactory = req(join(ROOT, 'wasm/iova_model.cjs')) as IovaModuleFactory;
let bigMod: IovaModule | undefined;
const factory: IovaModuleFactory = async (o) => (bigMod = await realFactory(o));
const wasmBinary = readFileSync(join(ROOT, 'wasm/iova_model.wasm'));
let bigMs = NaN, bigHeap = NaN, bigKernel = NaN, bigKernelAll = NaN, bigDomains = 0, bigError = '';
t0 = performance.now();
try {
  const e = await createWasmEngine(cfg(1024), { factory, wasmBinary });
  for (let i = 0; i < 1000; i++) { e.createDomain(4096, 1n); bigDomains++; }
  bigMs = performance.now() - t0;
  const s = e.snapshot();
  const mag = cacheByName(s, 'iommu_iova_magazine')!;
  bigKernel = mag.numSlabs * mag.pagesPerSlab * 4096;
  bigKernelAll = s.caches.reduce((sum, c) => sum + c.numSlabs * c.pagesPerSlab * 4096, 0);
  bigHeap = bigMod!.HEAPU8.length;
  e.dispose();
} catch (err) {
  bigMs = performance.now() - t0;
  bigHeap = bigMod?.HEAPU8.length ?? NaN;
  bigError = `${(err as Error).name}: ${(err as Error).message} after ${bigDomains} domains`;
}
const totalS = (performance.now() - tStart) / 1000;

// ---------- report ----------
const GB = 2 ** 30, MB = 2 ** 20;
const table = [
  '| workload | ops | native ops/s | WASM batch ops/s | WASM per-op ops/s | TS ops/s | WASM batch / native | TS / WASM batch | per-op / batch |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(({ w, med: m }) => `| ${w.name} | ${w.n} | ${fmt(m.native)} | ${fmt(m['wasm-batch'])} | ${fmt(m['wasm-perop'])} | ${fmt(m.ts)} | ${r2(m['wasm-batch'] / m.native)} | ${r2(m.ts / m['wasm-batch'])} | ${r2(m['wasm-perop'] / m['wasm-batch'])} |`),
].join('\n');
const scale = [
  '| scale row | wall time | WASM heap (HEAPU8.length) | accounted iommu_iova_magazine memory | all accounted slab memory |',
  '|---|---:|---:|---:|---:|',
  `| seed preset: 128 CPUs × 159 domains (order0) init + ${seedW.n - 159} churn ops, WASM batch | ${seedMs.toFixed(0)} ms | – | – | – |`,
  `| 1024 CPUs × 1000 domains init, WASM per-op createDomain${bigError ? ` (FAILED: ${bigError})` : ''} | ${(bigMs / 1000).toFixed(2)} s | ${(bigHeap / MB).toFixed(0)} MiB | ${(bigKernel / MB).toFixed(0)} MiB | ${(bigKernelAll / MB).toFixed(0)} MiB |`,
].join('\n');
console.log('\n' + table + '\n\n' + scale + `\n\ntotal bench time ${totalS.toFixed(1)} s`);

const byName = (p: string) => rows.find((r) => r.w.name.startsWith(p))!.med;
const churn = byName('1'), slow = byName('4');
const minTsRatio = Math.min(...rows.map((r) => r.med['wasm-batch'] / r.med.ts));
const minPerOp = Math.min(...rows.map((r) => r.med['wasm-perop'] / r.med['wasm-batch']));
const t = (ok: boolean) => (ok ? 'met' : 'MISSED');
const targets = [
  ['WASM batch ≥ 0.75× native on churn (workload 1)', r2(churn['wasm-batch'] / churn.native), churn['wasm-batch'] / churn.native >= 0.75],
  ['WASM batch ≥ 0.6× native on slow path (workload 4)', r2(slow['wasm-batch'] / slow.native), slow['wasm-batch'] / slow.native >= 0.6],
  ['WASM batch ≥ 2× TS (every workload; worst shown)', r2(minTsRatio), minTsRatio >= 2],
  ['per-op ≥ 0.5× batch (every workload; worst shown)', r2(minPerOp), minPerOp >= 0.5],
  ['seed preset < 1 s', `${seedMs.toFixed(0)} ms`, seedMs < 1000],
  ['1024×1000 init < 10 s within 2 GB WASM heap', bigError ? `failed: ${bigError}` : `${(bigMs / 1000).toFixed(2)} s, ${(bigHeap / GB).toFixed(2)} GiB`, !bigError && bigMs < 10_000 && bigHeap <= 2 * GB],
] as const;
const sh = (c: string) => { try { return execFileSync('sh', ['-c', c], { encoding: 'utf8' }).trim(); } catch { return '?'; } };
const md = `# Benchmarks

Generated by \`npm run bench\` (\`tsx bench/run.ts\`). Do not edit by hand; rerun to refresh.

Machine: ${sh('nproc')} CPUs (nproc), ${cpus()[0]?.model ?? sh("grep -m1 'model name' /proc/cpuinfo")}, node ${process.version}.
Command: \`npm run bench\` (total ${totalS.toFixed(1)} s).

Method: each workload is one deterministic op stream (BigUint64Array, 6 words/op) recorded once
in TS; every engine replays it on a fresh lab, repeated until ≥ 0.3 s of timed work (timing
covers only the batch / per-op loop, not lab creation). Engines alternate native, WASM batch,
WASM per-op, TS for ${ROUNDS} rounds; the table shows the median ops/s (TS on workload 4: one measurement, round 1 only, ~45 s each). Native = \`cc -O2\` build of
native/*.c + bench/native_runner.c calling \`iova_run_batch\`. WASM per-op = the Engine methods
(createWasmEngine), including the cost of decoding the encoded stream in JS. Results arrays and
final snapshots were checked identical across all four engines for every workload.

${table}

${scale}

## Targets

| target | measured | status |
|---|---|---|
${targets.map(([n, v, ok]) => `| ${n} | ${v} | ${t(ok)} |`).join('\n')}

## Notes on missed targets

${targets.filter(([, , ok]) => !ok).map(([n]) => `- ${n}: ${n.includes('native') ? 'not profiled; same C source, so the gap is wasm32 codegen/bounds-checked memory vs cc -O2 (the slow path is tree-walk bound).' : n.includes('TS') ? 'the pure-TS model does PFN arithmetic in BigInt and allocates objects per node; the gap is largest on the tree-heavy slow path.' : n.includes('per-op') ? 'each per-op call crosses the JS⇄WASM boundary with BigInt arguments plus JS-side decoding.' : n.includes('seed') ? 'init allocates every per-CPU magazine of every domain (128×6×2 per domain).' : 'every domain allocates 1024×6×2 magazines of 1 KiB model state, so the heap scales with kernel memory: ' + (bigError || 'see row above')}`).join('\n') || 'None.'}
`;
writeFileSync(join(ROOT, 'BENCHMARKS.md'), md);
console.log('\n' + targets.map(([n, v, ok]) => `${t(ok)}: ${n} — ${v}`).join('\n'));
console.log('wrote BENCHMARKS.md');
