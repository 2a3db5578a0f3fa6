// How each engine replays a workload and is timed: the native C runner (separate process), the
// WASM batch API, the WASM per-op API and the TS model. Timing covers only the replay loop.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DMA_DOMAIN_TYPES, OP_WORDS, OpCode, type Engine } from '../src/engine.js';
import { createModelEngine } from '../src/model/lab.js';
import { decodeSnapshot, type Snapshot } from '../src/snapshot.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import type { Workload } from './streams.js';

export const ENGINES = ['native', 'wasm-batch', 'wasm-perop', 'ts'] as const;
export type EngineKind = (typeof ENGINES)[number];

/** Each measurement repeats its workload on fresh labs until this much replay time has passed. */
const MIN_NS = 0.3e9;
/** Same level as the WASM build (native/Makefile EMFLAGS), so the ratio compares codegen, not flags. */
export const NATIVE_OPT = '-O3';

export interface Outcome { results: BigUint64Array; snap: Snapshot }
export interface Measured { opsPerSec: number; outcome: Outcome }

export function buildNative(root: string, dir: string): string {
  const exe = join(dir, 'native_runner');
  // every C source of the model (native/*.c; the tests and the fuzz harness live in subfolders)
  const srcs = readdirSync(join(root, 'native')).filter((f) => f.endsWith('.c')).map((f) => join(root, 'native', f));
  execFileSync('cc', [NATIVE_OPT, '-I', join(root, 'native'), ...srcs, join(root, 'bench/native_runner.c'), '-o', exe], { stdio: 'inherit' });
  return exe;
}

/** The op file bench/native_runner.c reads: a 6-word header, then the ops. */
export function writeOpFile(w: Workload, dir: string): string {
  const path = join(dir, `${w.name.split(' ')[0]}.ops`);
  const hdr = new BigUint64Array([0x494f5641n, BigInt(w.config.possibleCpus), BigInt(w.config.onlineCpus),
    w.config.magazines === 'named' ? 0n : 1n, w.config.slabGeometry === 'slub' ? 0n : 1n, BigInt(w.n)]);
  writeFileSync(path, Buffer.concat([Buffer.from(hdr.buffer), Buffer.from(w.ops.buffer, w.ops.byteOffset, w.ops.byteLength)]));
  return path;
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

/** Per-op replay of an encoded stream through the Engine methods (decode cost included). The
 * opcode, domain, cpu and flag words are small, so they are read as the low 32 bits of their
 * word (little-endian), as a caller would hold them as numbers, not as bigints. */
function perOp(e: Engine, ops: BigUint64Array): BigUint64Array {
  const n = ops.length / OP_WORDS;
  const low = new Uint32Array(ops.buffer, ops.byteOffset, ops.length * 2);
  const res = new BigUint64Array(n);
  for (let i = 0, o = 0; i < n; i++, o += OP_WORDS) {
    const dom = low[2 * o + 2]!, cpu = low[2 * o + 4]!, a = ops[o + 3]!, b = ops[o + 4]!, flag = low[2 * o + 10] !== 0;
    switch (low[2 * o]) {
      case OpCode.AllocFast: res[i] = e.allocFast(dom, cpu, a, b, flag); break;
      case OpCode.FreeFast: e.freeFast(dom, cpu, a, b); break;
      case OpCode.Alloc: res[i] = e.alloc(dom, a, b, flag); break;
      case OpCode.Free: e.free(dom, a); break;
      case OpCode.Advance: e.advanceClock(a); break;
      case OpCode.DomainCreate: res[i] = BigInt(e.createDomain(Number(a), b)); break;
      case OpCode.DomainPut: e.putDomain(dom); break;
      case OpCode.DmaDomainCreate:
        res[i] = BigInt(e.createDmaDomain(Number(a), b, DMA_DOMAIN_TYPES[low[2 * o + 10]!]!, cpu));
        break;
      case OpCode.DeviceAttach: {
        const bus = cpu === 0 ? 'pci' : 'platform';
        const masks = { dmaMaskBits: Number(a), coherentMaskBits: Number(b) };
        res[i] = BigInt(e.attachDevice(dom, { bus, ...masks, forceDac: flag }));
        break;
      }
      case OpCode.Map: res[i] = e.map(dom, cpu, a, b, flag); break;
      case OpCode.Unmap: e.unmap(dom, cpu, a, b); break;
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

/** One timed measurement of workload `w` on engine `kind`. */
export function measure(kind: EngineKind, w: Workload, nativeExe: string, opFile: string): Promise<Measured> {
  switch (kind) {
    case 'native': return Promise.resolve(runNative(nativeExe, opFile, w.n));
    case 'wasm-batch': return measureInProc(() => createWasmEngine(w.config), w, 'batch');
    case 'wasm-perop': return measureInProc(() => createWasmEngine(w.config), w, 'perop');
    case 'ts': return measureInProc(() => createModelEngine(w.config), w, 'batch');
  }
}

/** null when both engines returned the same results and final snapshot, else what differs. */
export function sameOutcome(a: Outcome, b: Outcome): string | null {
  if (a.results.length !== b.results.length) return `results length ${a.results.length} vs ${b.results.length}`;
  for (let i = 0; i < a.results.length; i++) if (a.results[i] !== b.results[i]) return `result[${i}] ${a.results[i]} vs ${b.results[i]}`;
  const sa = JSON.stringify(a.snap), sb = JSON.stringify(b.snap);
  return sa === sb ? null : 'final snapshots differ';
}
