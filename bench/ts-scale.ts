// Scale rows of the TS model: time to allocate 200,000 live IOVAs (WASM batch beside it), and a
// 1024-CPU × 1000-domain lab's creation time and JS heap.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { encodeOps, type BatchOp } from '../src/batch.js';
import { createModelEngine } from '../src/model/lab.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import { timeRep } from './engines.js';
import { median, type Rep } from './stats.js';
import { LIMIT32 as LIMIT } from '../test/support/constants.js';
import { cfg } from './streams.js';

export const LIVE_IOVAS = 200_000;

export interface LiveRow {
  ts: Rep;
  wasm: Rep;
  reps: number;
}
export interface BigLabRow {
  cpuNs: number;
  wallNs: number;
  heapBytes: number;
  /** Why the lab stopped short of 1000 domains (the model's memory budget refuses what it cannot hold). */
  error?: string;
}

const mid = (reps: Rep[]): Rep => ({
  cpuNs: median(reps.map((r) => r.cpuNs)),
  wallNs: median(reps.map((r) => r.wallNs)),
});

/** createDomain, then LIVE_IOVAS allocFast of sizes 1..4 (32-bit limit) spread over 8 CPUs, none freed. */
export async function liveIovasRow(reps: number): Promise<LiveRow> {
  const ops: BatchOp[] = [{ op: 'createDomain', granule: 4096, startPfn: 1n }];
  for (let i = 0; i < LIVE_IOVAS; i++) {
    ops.push({
      op: 'allocFast',
      domain: 0,
      cpu: i % 8,
      size: BigInt(1 + (i % 4)),
      limitPfn: LIMIT,
      flushRcache: false,
    });
  }
  const enc = encodeOps(ops);
  const ts: Rep[] = [],
    wasm: Rep[] = [];
  for (let r = 0; r < reps; r++) {
    // alternating; every repetition counts (each is cold for its lab)
    for (const [out, make] of [
      [ts, () => createModelEngine(cfg(8))],
      [wasm, () => createWasmEngine(cfg(8))],
    ] as const) {
      const { rep, engine } = await timeRep(make, enc, ops.length, 'batch');
      const live = engine.snapshot().domains[0].liveIovas;
      if (live !== LIVE_IOVAS) throw new Error(`${engine.name}: ${live} live IOVAs, expected ${LIVE_IOVAS}`);
      engine.dispose();
      out.push(rep);
    }
  }
  return { ts: mid(ts), wasm: mid(wasm), reps };
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** 1024 CPUs × 1000 domains on the TS model through createDomain; heap = live JS heap it adds. */
export function bigLabRow(): BigLabRow {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const c0 = process.cpuUsage();
  const w0 = process.hrtime.bigint();
  const e = createModelEngine(cfg(1024));
  let error: string | undefined;
  for (let i = 0; i < 1000 && error === undefined; i++) {
    try {
      e.createDomain(4096, 1n);
    } catch (err) {
      error = `${(err as Error).name} after ${i} domains: ${(err as Error).message}`;
    }
  }
  const wallNs = Number(process.hrtime.bigint() - w0);
  const c = process.cpuUsage(c0);
  gc();
  const heapBytes = process.memoryUsage().heapUsed - heap0;
  e.dispose();
  gc();
  return { cpuNs: (c.user + c.system) * 1000, wallNs, heapBytes, ...(error === undefined ? {} : { error }) };
}
