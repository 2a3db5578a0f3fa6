// The trace API is part of the public surface: src/index.ts and the built package (dist/index.js,
// what `import … from 'iova-lab'` loads) export parse, write and replay with their errors.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  formatOp,
  parseTrace,
  replayTrace,
  replayTraceStream,
  TraceReplayError,
  TraceSyntaxError,
  VALUE_OPS,
  writeTrace,
  type ReplayResult,
  type ReplayValue,
  type Trace,
  type TraceHeader,
  type TraceOp,
} from '../../src/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TRACE = 'cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nfree 0 0 0xfffff 1\ntick 5\n';

describe('trace API re-exported from src/index.ts', () => {
  it('parses, writes back and replays', async () => {
    const t: Trace = parseTrace(TRACE);
    const h: TraceHeader = t.header;
    expect(h).toMatchObject({ possibleCpus: 2, onlineCpus: 2 });
    const ops: TraceOp[] = t.ops;
    expect(ops.map((o) => o.op)).toEqual(['domain', 'alloc', 'free', 'tick']);
    expect(formatOp(ops[1])).toBe('alloc 0 0 1 0xfffff');
    expect(VALUE_OPS.has('alloc')).toBe(true);
    expect(parseTrace(writeTrace(t)).ops.map(formatOp)).toEqual(ops.map(formatOp));
    const seen: ReplayValue[] = [];
    const r: ReplayResult = await replayTrace(t, 'ts', (v) => seen.push(v));
    expect(seen).toEqual([{ line: 3, op: 'alloc', pfn: 0xfffffn }]);
    expect(r.snapshot.nowMs).toBe(5n);
  });
  it('exports the named errors', async () => {
    expect(() => parseTrace('domain 0 4096 1\n')).toThrow(TraceSyntaxError);
    await expect(replayTrace(parseTrace('cpus 1\ndomain 0 4096 1\nslow-free 0 0x10\n'), 'ts')).rejects.toBeInstanceOf(
      TraceReplayError,
    );
  });
});

describe('trace API in the built package', () => {
  it('dist/index.js exports the same functions and errors', async () => {
    const pkg = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as Record<string, unknown>;
    for (const name of [
      'parseTrace',
      'writeTrace',
      'formatOp',
      'replayTrace',
      'replayTraceStream',
      'TraceSyntaxError',
      'TraceReplayError',
      'VALUE_OPS',
    ]) {
      expect(pkg[name], name).toBeDefined();
    }
    const parse = pkg.parseTrace as typeof parseTrace;
    const write = pkg.writeTrace as typeof writeTrace;
    expect(write(parse(TRACE))).toBe(TRACE);
    const stream = pkg.replayTraceStream as typeof replayTraceStream;
    const r = await stream([TRACE], 'ts');
    expect(r.ops).toBe(parse(TRACE).ops.length);
  });
});
