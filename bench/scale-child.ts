// One timed scale row in a fresh node process, for the before/now comparison (bench/scale-ab.ts).
// The tree at argv[2] (this checkout or the baseline's) supplies the op streams and the WASM engine,
// so both trees run their own code through the same steps. Prints {"cpuNs","wallNs"} on stdout.
// Usage: node --import tsx bench/scale-child.ts TREE seed|big
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Streams from './streams.js';
import type * as WasmEngine from '../src/wasm-engine.js';

const [tree, row] = process.argv.slice(2);
if (row !== 'seed' && row !== 'big') throw new RangeError(`scale-child: row must be seed or big, got ${row}`);
const from = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(tree, path)).href)) as T;
const { seedPreset, cfg } = await from<typeof Streams>('bench/streams.ts');
const { createWasmEngine } = await from<typeof WasmEngine>('src/wasm-engine.ts');
const wasmBinary = readFileSync(join(tree, 'wasm/iova_model.wasm'));
// Both rows time a fresh instance of a module this process has already compiled and run (the seed
// stream is recorded on one), as the bench's earlier in-process rows did.
const seed = row === 'seed' ? await seedPreset() : undefined;
if (!seed) (await createWasmEngine(cfg(1))).dispose();

const c0 = process.cpuUsage();
const w0 = performance.now();
if (seed) {
  const e = await createWasmEngine(seed.config, { wasmBinary });
  const res = e.runBatch(seed.ops);
  if (res.error) throw res.error;
} else {
  const e = await createWasmEngine(cfg(1024), { wasmBinary });
  for (let i = 0; i < 1000; i++) e.createDomain(4096, 1n);
}
const wallNs = (performance.now() - w0) * 1e6;
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ cpuNs: (c.user + c.system) * 1000, wallNs }));
