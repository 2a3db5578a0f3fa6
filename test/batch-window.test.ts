// The zero-copy batch window and runBatch built on it, on both engines: the same results as
// runBatch into a fresh array, errors at the failing op, the caller's output array, the lifetime
// rule (views re-fetched after a run that grew the WASM memory) and bad arguments.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeOps, type BatchOp } from '../src/batch.js';
import { OP_WORDS } from '../src/engine.js';
import { DisposedError, SizeError } from '../src/errors.js';
import { ENGINES, LIMIT32, newLab } from './support/labs.js';

/** A reproducible stream: a domain, then allocFast/freeFast churn on two CPUs with clock ticks. */
function churnOps(count: number, seed: number): BatchOp[] {
  let s = seed;
  const rand = (n: number): number => ((s = (s * 1103515245 + 12345) % 2 ** 31), s % n);
  const ops: BatchOp[] = [{ op: 'createDomain', granule: 4096, startPfn: 1n }];
  for (let i = 0; i < count; i++) {
    ops.push({
      op: 'allocFast',
      domain: 0,
      cpu: rand(2),
      size: BigInt(1 + rand(40)),
      limitPfn: LIMIT32,
      flushRcache: true,
    });
    if (i % 64 === 0) ops.push({ op: 'advance', ms: 20n });
  }
  return ops;
}

describe.each(ENGINES)('%s engine', (engine) => {
  it('a window run in pieces returns what one runBatch returns, and leaves the same lab', async () => {
    const ops = churnOps(3000, 7);
    const words = encodeOps(ops);
    using whole = await newLab(engine, { possibleCpus: 2 });
    const expected = whole.runBatch(words);
    expect(expected.completed).toBe(ops.length);

    using lab = await newLab(engine, { possibleCpus: 2 });
    using win = lab.batchWindow(1000);
    expect(win.capacity).toBe(1000);
    const got: bigint[] = [];
    for (let first = 0; first < ops.length; first += 1000) {
      const n = Math.min(1000, ops.length - first);
      win.ops.set(words.subarray(first * OP_WORDS, (first + n) * OP_WORDS));
      const r = win.run(n);
      expect(r.error).toBeUndefined();
      expect(r.completed).toBe(n);
      got.push(...win.results.subarray(0, n));
    }
    expect(got).toEqual([...expected.results]);
    expect(lab.snapshot()).toEqual(whole.snapshot());
  });

  it('stops at a failing op with its error, results before it kept, ops words unchanged', async () => {
    using lab = await newLab(engine, { possibleCpus: 2 });
    const ops = encodeOps([
      { op: 'createDomain', granule: 4096, startPfn: 1n },
      { op: 'allocFast', domain: 0, cpu: 0, size: 4n, limitPfn: LIMIT32, flushRcache: true },
      { op: 'allocFast', domain: 0, cpu: 0, size: 0n, limitPfn: LIMIT32, flushRcache: true },
      { op: 'advance', ms: 1n },
    ]);
    using win = lab.batchWindow(4);
    win.ops.set(ops);
    const r = win.run(4);
    expect(r.completed).toBe(2);
    expect(r.error).toBeInstanceOf(SizeError);
    expect(win.results[0]).toBe(0n); // the domain id
    expect(win.results[1]).toBe(LIMIT32 - 3n);
    expect([...win.ops]).toEqual([...ops]);
    expect(lab.snapshot().domains[0].liveIovas).toBe(1);
  });

  it('runBatch names the failing op by its index in the whole batch, beyond the first chunk', async () => {
    using lab = await newLab(engine, { possibleCpus: 2 });
    const ops: BatchOp[] = [{ op: 'createDomain', granule: 4096, startPfn: 1n }];
    for (let i = 0; i < 5000; i++) ops.push({ op: 'advance', ms: 1n });
    ops.push({ op: 'allocFast', domain: 0, cpu: 0, size: 0n, limitPfn: LIMIT32, flushRcache: true });
    const r = lab.runBatch(encodeOps(ops));
    expect(r.completed).toBe(5001);
    expect(r.error).toBeInstanceOf(SizeError);
    if (engine === 'wasm') expect(r.error!.message).toContain('op 5001');
  });

  it("runBatch writes into the caller's output array and returns a view of it", async () => {
    using lab = await newLab(engine, { possibleCpus: 2 });
    const ops = churnOps(100, 3);
    const out = new BigUint64Array(ops.length + 5).fill(7n);
    const r = lab.runBatch(encodeOps(ops), out);
    expect(r.completed).toBe(ops.length);
    expect(r.results.buffer).toBe(out.buffer);
    expect(r.results.length).toBe(ops.length);
    expect(out[1]).not.toBe(7n);
    expect(out[ops.length]).toBe(7n); // past the batch: untouched
    expect(() => lab.runBatch(encodeOps(ops), new BigUint64Array(3))).toThrow(
      `needs an output array of ${ops.length} words, got 3`,
    );
  });

  it('views fetched again after the heap grew read and write the window', async () => {
    // A module instance of its own, so its heap starts at the initial size (16 MiB).
    const wasm = { wasmBinary: readFileSync(new URL('../wasm/iova_model.wasm', import.meta.url)) };
    using lab = await newLab(engine, { possibleCpus: 4, wasm });
    using win = lab.batchWindow(16);
    const before = win.ops;
    using big = lab.batchWindow(1 << 20); // 56 MiB: the WASM heap grows, detaching older views
    expect(big.capacity).toBe(1 << 20);
    if (engine === 'wasm') expect(before.length).toBe(0);
    const creates: BatchOp[] = Array.from({ length: 16 }, () => ({ op: 'createDomain', granule: 4096, startPfn: 1n }));
    win.ops.set(encodeOps(creates));
    expect(win.run(16).completed).toBe(16);
    expect([...win.results]).toEqual(Array.from({ length: 16 }, (_, i) => BigInt(i)));
  });

  it('refuses bad capacities and run counts by value, and use after dispose', async () => {
    const lab = await newLab(engine, { possibleCpus: 2 });
    expect(() => lab.batchWindow(0)).toThrow(RangeError);
    expect(() => lab.batchWindow(1.5)).toThrow(/got 1.5/);
    expect(() => lab.batchWindow(2 ** 23)).toThrow(/got 8388608/);
    const win = lab.batchWindow(4);
    expect(() => win.run(5)).toThrow(RangeError);
    expect(() => win.run(-1)).toThrow(/got -1/);
    expect(win.run(0).completed).toBe(0);
    win.dispose();
    win.dispose();
    expect(() => win.ops).toThrow(DisposedError);
    expect(() => win.run(0)).toThrow(DisposedError);
    const other = lab.batchWindow(4);
    lab.dispose();
    expect(() => other.run(0)).toThrow(DisposedError);
  });
});
