// Warm-up child: replays one op file REPS times in this fresh process on the WASM batch or the TS
// model and prints each repetition's CPU and wall time as JSON. In a fresh process the first
// repetitions run V8's baseline code (Liftoff for WASM, Ignition/Sparkplug for JS) until the hot
// functions are tiered up (TurboFan), so the curve shows the warm-up the steady state excludes.
// Usage: tsx bench/warmup.ts OPFILE wasm-batch|ts REPS
import { createModelEngine } from '../src/model/lab.js';
import { createWasmEngine } from '../src/wasm-engine.js';
import { readOpFile, timeRep } from './engines.js';
import type { Rep } from './stats.js';

const [opFile, kind, repsArg] = process.argv.slice(2);
const count = Number(repsArg);
if (!opFile || (kind !== 'wasm-batch' && kind !== 'ts') || !Number.isSafeInteger(count) || count < 1) {
  console.error(`usage: warmup.ts OPFILE wasm-batch|ts REPS (got ${process.argv.slice(2).join(' ')})`);
  process.exit(2);
}
const { config, ops, n } = readOpFile(opFile);
const reps: Rep[] = [];
for (let i = 0; i < count; i++) {
  const make = kind === 'ts' ? () => createModelEngine(config) : () => createWasmEngine(config);
  const { rep, engine } = await timeRep(make, ops, n, 'batch');
  engine.dispose();
  reps.push(rep);
}
console.log(JSON.stringify(reps));
