// The DMA layer's benchmark: map/unmap pairs per second on a strict and a lazy domain, native C
// vs WASM batch vs WASM per-op vs TS, with the same harness and checks as `npm run bench` (the
// engines alternate, the median of 3 rounds is shown, results and final snapshots must agree).
// Usage: npm run bench:dma [-- --pairs N]   (default 100000). Prints a markdown table.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildNative, ENGINES, measure, sameOutcome, writeOpFile, type EngineKind } from './engines.js';
import { fmt, r2 } from './report.js';
import { dmaWorkload } from './streams.js';

const ROUNDS = 3;
const { values: opts } = parseArgs({ options: { pairs: { type: 'string', default: '100000' } } });
const pairs = Number(opts.pairs);
if (!Number.isSafeInteger(pairs) || pairs < 32) throw new Error(`--pairs needs an integer ≥ 32, got ${opts.pairs}`);

const ROOT = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'iova-bench-dma-'));
const exe = buildNative(ROOT, tmp);
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
const lines = [
  '| domain | pairs | native pairs/s | WASM batch pairs/s | WASM per-op pairs/s | TS pairs/s | WASM batch / native | TS / WASM batch |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
];
for (const type of ['strict', 'lazy'] as const) {
  const w = await dmaWorkload(type, pairs);
  const opFile = writeOpFile(w, tmp);
  const samples: Record<EngineKind, number[]> = { native: [], 'wasm-batch': [], 'wasm-perop': [], ts: [] };
  const outcomes: Partial<Record<EngineKind, Awaited<ReturnType<typeof measure>>['outcome']>> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const en of ENGINES) {
      const m = await measure(en, w, exe, opFile);
      samples[en].push(m.opsPerSec);
      outcomes[en] ??= m.outcome;
    }
  }
  for (const en of ENGINES.slice(1)) {
    const diff = sameOutcome(outcomes.native!, outcomes[en]!);
    if (diff) throw new Error(`MISMATCH in ${w.name}: native vs ${en}: ${diff}`);
  }
  // ops/s to pairs/s: the stream also holds the domain, the device and one advance per 32 pairs
  const pairsPerOp = Math.ceil(pairs / 32) * 32 / w.n;
  const m = Object.fromEntries(ENGINES.map((en) => [en, median(samples[en]) * pairsPerOp])) as Record<EngineKind, number>;
  lines.push(`| ${type} | ${Math.ceil(pairs / 32) * 32} | ${fmt(m.native)} | ${fmt(m['wasm-batch'])} | `
    + `${fmt(m['wasm-perop'])} | ${fmt(m.ts)} | ${r2(m['wasm-batch'] / m.native)} | ${r2(m.ts / m['wasm-batch'])} |`);
}
console.log(lines.join('\n'));
