// How each engine replays a workload and is timed: the native C runner (separate process), the
// WASM zero-copy batch window (twice: on the shared module instance and on a second instance of the same
// module, so the pair shows the run's noise), the WASM per-op API and the TS model. Every
// repetition is timed on its own (process CPU time and wall time of the replay loop only).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IovaModule } from '../src/bindings.js';
import { loadIovaModule } from '../src/wasm/load.js';
import { DMA_DOMAIN_TYPES, OP_WORDS, OpCode, type Engine, type LabConfig } from '../src/engine.js';
import { createModelEngine } from '../src/model/lab.js';
import { decodeSnapshot, type Snapshot } from '../src/snapshot.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import { enoughReps, type Rep } from './stats.js';
import type { Workload } from './streams.js';
import { bigintsAsText } from '../test/support/differential.js';

export const ENGINES = ['native', 'wasm-batch', 'wasm-batch-twin', 'wasm-perop', 'ts'] as const;
export type EngineKind = (typeof ENGINES)[number];
export const ENGINE_LABEL: Record<EngineKind, string> = {
  native: 'native',
  'wasm-batch': 'WASM batch (zero-copy)',
  'wasm-batch-twin': 'WASM batch (twin)',
  'wasm-perop': 'WASM per-op',
  ts: 'TS',
};

/** The optimisation level of the WASM build (native/Makefile EMFLAGS). The WASM build adds -flto; the
 * native one does not (gcc builds the sources in one command, each its own unit). */
export const NATIVE_OPT = '-O3';

/** Steady repetitions continue until ≥ 3 of them took minNs of CPU, or they took maxNs. */
export interface Budget {
  minNs: number;
  maxNs: number;
}
export interface Outcome {
  results: BigUint64Array;
  snap: Snapshot;
}
/** reps[0] is the cold repetition. */
export interface Measured {
  reps: Rep[];
  outcome: Outcome;
}

export function buildNative(root: string, dir: string): string {
  const exe = join(dir, 'native_runner');
  // every C source of the model (native/*.c; the tests and the fuzz harness live in subfolders)
  const srcs = readdirSync(join(root, 'native'))
    .filter((f) => f.endsWith('.c'))
    .map((f) => join(root, 'native', f));
  execFileSync(
    'cc',
    [NATIVE_OPT, '-I', join(root, 'native'), ...srcs, join(root, 'bench/native_runner.c'), '-o', exe],
    { stdio: 'inherit' },
  );
  return exe;
}

const MAGIC = 0x494f5641n;

/** The op file bench/native_runner.c reads: a 6-word header, then the ops. */
export function writeOpFile(w: Workload, dir: string): string {
  const path = join(dir, `${w.name.split(' ')[0]}.ops`);
  const hdr = new BigUint64Array([
    MAGIC,
    BigInt(w.config.possibleCpus),
    BigInt(w.config.onlineCpus),
    w.config.magazines === 'named' ? 0n : 1n,
    w.config.slabGeometry === 'slub' ? 0n : 1n,
    BigInt(w.n),
  ]);
  writeFileSync(
    path,
    Buffer.concat([Buffer.from(hdr.buffer), Buffer.from(w.ops.buffer, w.ops.byteOffset, w.ops.byteLength)]),
  );
  return path;
}

/** Reads an op file back (the warm-up child process replays it). */
export function readOpFile(path: string): { config: LabConfig; ops: BigUint64Array; n: number } {
  const buf = readFileSync(path);
  const words = new BigUint64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  if (words[0] !== MAGIC) throw new Error(`${path}: not an op file`);
  const config: LabConfig = {
    possibleCpus: Number(words[1]),
    onlineCpus: Number(words[2]),
    magazines: words[3] === 0n ? 'named' : 'unnamed',
    slabGeometry: words[4] === 0n ? 'slub' : 'order0',
  };
  return { config, ops: words.slice(6), n: Number(words[5]) };
}

function runNative(exe: string, opFile: string, n: number, b: Budget): Measured {
  const outFile = opFile + '.out';
  const out = execFileSync(exe, [opFile, outFile, String(b.minNs), String(b.maxNs)], { encoding: 'utf8' });
  const reps = [...out.matchAll(/^rep (\d+) (\d+)$/gm)].map((m) => ({ cpuNs: Number(m[1]), wallNs: Number(m[2]) }));
  if (reps.length < 2) throw new Error(`native runner said: ${out}`);
  const buf = readFileSync(outFile);
  const words = new BigUint64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const count = Number(words[n]);
  return { reps, outcome: { results: words.slice(0, n), snap: decodeSnapshot(words.slice(n + 1, n + 1 + count)) } };
}

/** Per-op replay of an encoded stream through the Engine methods (decode cost included). The
 * opcode, domain, cpu and flag words are small, so they are read as the low 32 bits of their
 * word (little-endian), as a caller would hold them as numbers, not as bigints. */
function perOp(e: Engine, ops: BigUint64Array): BigUint64Array {
  const n = ops.length / OP_WORDS;
  const low = new Uint32Array(ops.buffer, ops.byteOffset, ops.length * 2);
  const res = new BigUint64Array(n);
  for (let i = 0, o = 0; i < n; i++, o += OP_WORDS) {
    const dom = low[2 * o + 2],
      cpu = low[2 * o + 4],
      a = ops[o + 3],
      b = ops[o + 4],
      flag = low[2 * o + 10] !== 0;
    switch (low[2 * o] as OpCode) {
      case OpCode.AllocFast:
        res[i] = e.allocFast(dom, cpu, a, b, flag);
        break;
      case OpCode.FreeFast:
        e.freeFast(dom, cpu, a, b);
        break;
      case OpCode.Alloc:
        res[i] = e.alloc(dom, a, b, flag);
        break;
      case OpCode.Free:
        e.free(dom, a);
        break;
      case OpCode.Advance:
        e.advanceClock(a);
        break;
      case OpCode.DomainCreate:
        res[i] = BigInt(e.createDomain(Number(a), b));
        break;
      case OpCode.DomainPut:
        e.putDomain(dom);
        break;
      case OpCode.DmaDomainCreate:
        res[i] = BigInt(e.createDmaDomain(Number(a), b, DMA_DOMAIN_TYPES[low[2 * o + 10]], cpu));
        break;
      case OpCode.DeviceAttach: {
        const bus = cpu === 0 ? 'pci' : 'platform';
        const masks = { dmaMaskBits: Number(a), coherentMaskBits: Number(b) };
        res[i] = BigInt(e.attachDevice(dom, { bus, ...masks, forceDac: flag }));
        break;
      }
      case OpCode.Map:
        res[i] = e.map(dom, cpu, a, b, flag);
        break;
      case OpCode.Unmap:
        e.unmap(dom, cpu, a, b);
        break;
      default:
        throw new Error(`perOp: opcode ${ops[o]} not used by these workloads`);
    }
  }
  return res;
}

/** One repetition on a fresh lab: the replay's process CPU time (all threads) and wall time. The
 * batch mode is the zero-copy path: the stream is written into a batch window of the engine (in the
 * WASM heap for the WASM engine) before the timer starts, as the native runner holds its op file
 * in memory, and one run's results are read in place after it stops. */
export async function timeRep(
  make: () => Promise<Engine> | Engine,
  ops: BigUint64Array,
  n: number,
  mode: 'batch' | 'perop',
): Promise<{ rep: Rep; engine: Engine; results: BigUint64Array }> {
  const e = await make();
  const win = mode === 'batch' ? e.batchWindow(n) : null;
  win?.ops.set(ops);
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  let results: BigUint64Array;
  if (win) {
    const r = win.run(n);
    if (r.error || r.completed !== n) throw new Error(`${e.name} batch stopped at ${r.completed}: ${r.error?.message}`);
    results = win.results;
  } else results = perOp(e, ops);
  const wallNs = Number(process.hrtime.bigint() - w0);
  const c = process.cpuUsage(c0);
  if (win) {
    results = results.slice(); // out of the window before it is freed
    win.dispose();
  }
  return { rep: { cpuNs: (c.user + c.system) * 1000, wallNs }, engine: e, results };
}

async function measureInProc(
  make: () => Promise<Engine> | Engine,
  w: Workload,
  mode: 'batch' | 'perop',
  b: Budget,
): Promise<Measured> {
  const reps: Rep[] = [];
  let outcome: Outcome | undefined;
  do {
    const { rep, engine, results } = await timeRep(make, w.ops, w.n, mode);
    reps.push(rep);
    if (!outcome) outcome = { results: results.slice(), snap: engine.snapshot() };
    engine.dispose();
  } while (!enoughReps(reps, b.minNs, b.maxNs));
  return { reps, outcome: outcome };
}

/** A second instance of the WASM module (its own memory), reused by every twin repetition. */
let twin: Promise<IovaModule> | undefined;
const twinModule = (): Promise<IovaModule> => (twin ??= loadIovaModule({ wasmBinary: wasmBytes() }));
let bytes: Uint8Array | undefined;
const wasmBytes = (): Uint8Array => (bytes ??= readFileSync(new URL('../wasm/iova_model.wasm', import.meta.url)));

/** One measurement (a cold repetition, then steady ones) of workload `w` on engine `kind`. */
export function measure(
  kind: EngineKind,
  w: Workload,
  nativeExe: string,
  opFile: string,
  b: Budget,
): Promise<Measured> {
  switch (kind) {
    case 'native':
      return Promise.resolve(runNative(nativeExe, opFile, w.n, b));
    case 'wasm-batch':
      return measureInProc(() => createWasmEngine(w.config), w, 'batch', b);
    case 'wasm-batch-twin':
      return measureInProc(async () => createWasmEngine(w.config, { module: await twinModule() }), w, 'batch', b);
    case 'wasm-perop':
      return measureInProc(() => createWasmEngine(w.config), w, 'perop', b);
    case 'ts':
      return measureInProc(() => createModelEngine(w.config), w, 'batch', b);
  }
}

/** null when both engines returned the same results and final snapshot, else what differs. */
export function sameOutcome(a: Outcome, b: Outcome): string | null {
  if (a.results.length !== b.results.length) return `results length ${a.results.length} vs ${b.results.length}`;
  for (let i = 0; i < a.results.length; i++)
    if (a.results[i] !== b.results[i]) return `result[${i}] ${a.results[i]} vs ${b.results[i]}`;
  const sa = JSON.stringify(a.snap, bigintsAsText),
    sb = JSON.stringify(b.snap, bigintsAsText);
  return sa === sb ? null : 'final snapshots differ';
}
