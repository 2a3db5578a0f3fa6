// replayTraceStream: the same values, counters and errors as parseTrace + replayTrace however the
// text is cut, and bounded memory: ops run while the text is still arriving, and a trace past the
// old op limit (which held every parsed op) runs with nothing held in proportion to its length.
import { describe, expect, it } from 'vitest';
import { IovaLab } from '../../src/lab.js';
import { MAX_TRACE_OPS } from '../../src/share/limits.js';
import { parseTrace, TraceSyntaxError } from '../../src/trace/parse.js';
import {
  replayTrace,
  replayTraceStream,
  TraceReplayError,
  type ReplayValue,
  type StreamReplayResult,
} from '../../src/trace/replay.js';
import { TraceScanner } from '../../src/trace/scan.js';
import { WindowReplayer } from '../../src/trace/window-replayer.js';

const TRACES = {
  allocator:
    'cpus 4 online 2\r\nprofile v6.6\npolicy lazy # a comment\ndomain 0 4096 1\n' +
    'alloc 0 1 4 0xfffff\nfree 0 1 @5 4\n\ntick 300\nslow-alloc 0 2 0xffff 1\nreserve 0 0x10 0x20\n' +
    'alloc-noflush 0 0 3 0xfffff\nslow-free 0 @9\nflush 0\noffline 1\nonline 1\nput 0',
  dma:
    'cpus 2\ndomain 1 4096 1 lazy\ndevice 7 1 32 pci\nmap 7 0 8192\nmap-sg 7 1 4096 12288 1 2 3 4 5\n' +
    'unmap 7 0 @4 8192\nunmap 7 1 @5 36864\ntick 20\n',
  inject: 'cpus 2\ndomain 0 4096 1\ninject iova 1\nalloc 0 0 1 0xfffff\nslow-alloc 0 2 0xfffff 0\n',
};

function* cut(text: string, size: number): Generator<string> {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}

async function streamed(text: string, engine: 'wasm' | 'ts', size = 7) {
  const values: ReplayValue[] = [];
  const r = await replayTraceStream(cut(text, size), engine, (v) => values.push(v));
  return { values, r };
}

const errorOf = async (p: Promise<unknown>): Promise<Error> =>
  p.then(
    () => new Error('no error'),
    (e: unknown) => e as Error,
  );

describe.each(['wasm', 'ts'] as const)('replayTraceStream (%s engine)', (engine) => {
  it.each(Object.entries(TRACES))("gives replayTrace's values and counters: %s", async (_name, text) => {
    const whole = await replayTrace(parseTrace(text), engine);
    for (const size of [1, 5, 64, text.length]) {
      const { values, r } = await streamed(text, engine, size);
      expect(values).toEqual(whole.values);
      expect(r.snapshot).toEqual(whole.snapshot);
      expect([r.ops, r.values]).toEqual([parseTrace(text).ops.length, whole.values.length]);
    }
  });

  it('names the bad line as parseTrace does, after running the ops before it', async () => {
    const bad = TRACES.allocator.replace('tick 300', 'tick banana');
    const parsed = (() => {
      try {
        parseTrace(bad);
      } catch (e) {
        return e as TraceSyntaxError;
      }
    })();
    const { values } = await streamed(TRACES.allocator, engine);
    const seen: ReplayValue[] = [];
    const err = await errorOf(replayTraceStream(cut(bad, 3), engine, (v) => seen.push(v)));
    expect(err).toBeInstanceOf(TraceSyntaxError);
    expect(err.message).toBe(parsed!.message);
    expect(seen).toEqual(values.filter((v) => v.line < 8));
  });

  it("stops at the engine's error with replayTrace's message", async () => {
    const text = 'cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nslow-free 0 0x1234\ntick 1\n';
    const whole = await errorOf(replayTrace(parseTrace(text), engine));
    const err = await errorOf(replayTraceStream(cut(text, 4), engine));
    expect(err).toBeInstanceOf(TraceReplayError);
    expect(err.message).toBe(whole.message);
    expect((err as TraceReplayError).line).toBe(4);
  });

  it('a free of a failed allocation by @<line> stops naming both lines', async () => {
    // the domain's only PFN below the limit is taken by line 3, so line 4 fails (pfn 0)
    const text = 'cpus 1\ndomain 0 4096 1\nalloc 0 0 1 1\nalloc 0 0 1 1\nfree 0 0 @4 1\n';
    const whole = await errorOf(replayTrace(parseTrace(text), engine));
    const err = await errorOf(replayTraceStream([text], engine));
    expect(err).toBeInstanceOf(TraceReplayError);
    expect(err.message).toBe(whole.message);
    expect(err.message).toMatch(/trace line 5 .*line 4 failed/);
  });

  it('@<line> of an allocation already freed by its PFN is refused on that line, whatever the batches', async () => {
    const head = 'cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nfree 0 0 0xfffff 1\n';
    // Right after (one window), and after more ops than one window holds.
    for (const gap of [0, 5000]) {
      const text = head + 'tick 0\n'.repeat(gap) + 'free 0 0 @3 1\n';
      const err = await errorOf(replayTraceStream([text], engine));
      expect(err).toBeInstanceOf(TraceSyntaxError);
      expect((err as TraceSyntaxError).line).toBe(5 + gap);
      expect(err.message).toContain('not yet freed alloc line of domain 0');
    }
  });
});

describe('a streamed replay holds no op', () => {
  it('a trace past the old op limit runs, its lines run while the text still arrives', async () => {
    // MAX_TRACE_OPS + 2 ops: alloc / free-by-PFN pairs (each free gives the same PFN back).
    const PAIRS_PER_CHUNK = 5000;
    const chunk = 'alloc 0 0 1 0xfffff\nfree 0 0 0xfffff 1\n'.repeat(PAIRS_PER_CHUNK);
    const chunks = Math.ceil(MAX_TRACE_OPS / 2 / PAIRS_PER_CHUNK);
    let done = 0;
    let linesOut = 1;
    let widestGap = 0;
    function* text(): Generator<string> {
      yield 'cpus 2\ndomain 0 4096 1\n';
      for (let i = 0; i < chunks; i++) {
        // Ops read but not yet run when the next chunk is asked for: at most one window's worth.
        widestGap = Math.max(widestGap, linesOut - done);
        linesOut += 2 * PAIRS_PER_CHUNK;
        yield chunk;
      }
    }
    const r: StreamReplayResult = await replayTraceStream(text(), 'wasm', undefined, {
      onProgress: (n) => (done = n),
    });
    expect(r.ops).toBe(1 + 2 * PAIRS_PER_CHUNK * chunks);
    expect(r.ops).toBeGreaterThan(MAX_TRACE_OPS);
    expect(r.values).toBe(PAIRS_PER_CHUNK * chunks);
    expect(r.snapshot.domains[0]).toBeDefined();
    // A parser that held its ops would run none before the end: the gap would be the whole trace.
    expect(widestGap).toBeLessThanOrEqual(2 * PAIRS_PER_CHUNK + 4096);
  }, 300_000);
});

describe('the @<line> targets a streamed replay keeps', () => {
  it('follow the live allocations: freed ones (by PFN or by @<line>) and a put domain are forgotten', async () => {
    using lab = await IovaLab.create({ possibleCpus: 2, engine: 'ts' });
    const scanner = new TraceScanner();
    scanner.push('cpus 2\n');
    using replayer = new WindowReplayer(lab.engine, scanner);
    scanner.sink = replayer;
    scanner.push('domain 0 4096 1\n');
    // Each chunk ends with an allocation the next one frees by its PFN, so one is always held.
    scanner.push('alloc 0 0 1 0xfffff\n');
    let line = 4;
    let held = 0;
    for (let i = 0; i < 50; i++) {
      const lines: string[] = [];
      for (let j = 0; j < 1000; j++, line += 4) {
        lines.push('free 0 0 0xfffff 1', 'alloc 0 1 2 0xfffff', `free 0 1 @${line + 1} 2`, 'alloc 0 0 1 0xfffff');
      }
      scanner.push(lines.join('\n') + '\n');
      held = Math.max(held, scanner.allocRefs.size);
    }
    // 100 000 allocation lines went by; at most one window's were ever held at once.
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(4096);
    replayer.flush();
    expect(scanner.allocRefs.size).toBe(1);
    scanner.push('alloc 0 0 1 0xfffff\nput 0\n');
    expect(scanner.allocRefs.size).toBe(0);
  });
});
