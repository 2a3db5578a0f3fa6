// `free <id> <cpu> @<line> <size>` / `slow-free <id> @<line>`: free what an earlier line allocated.
import { describe, expect, it } from 'vitest';
import { parseTrace, TraceSyntaxError } from '../../src/trace/parse.js';
import { replayTrace, TraceReplayError } from '../../src/trace/replay.js';
import { writeTrace } from '../../src/trace/write.js';

const HEAD = 'cpus 2\ndomain 0 4096 1\ndomain 1 4096 1\n';

describe('free @<line>', () => {
  it('frees the PFN that line returned, on both engines, even inside one batch', async () => {
    const t = parseTrace(
      `${HEAD}alloc 0 0 1 0xfffff\nalloc 0 1 4 0xfffff\nfree 0 1 @4 1\nslow-alloc 1 2 0xfffff 1\nslow-free 1 @7\nfree 0 0 @5 4\n`,
    );
    expect(t.ops.map((o) => ('ref' in o ? o.ref : undefined))).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      4,
      undefined,
      7,
      5,
    ]);
    for (const engine of ['wasm', 'ts'] as const) {
      const r = await replayTrace(t, engine);
      expect(r.snapshot.domains.map((d) => d.liveIovas - d.cachedPfns)).toEqual([0, 0]);
    }
  });
  it.each([
    ['a line that is not an allocation', `${HEAD}alloc 0 0 1 0xfffff\nfree 0 0 @3 1\n`, 5],
    ['an allocation of another domain', `${HEAD}alloc 1 0 1 0xfffff\nfree 0 0 @4 1\n`, 5],
    ['an allocation freed already', `${HEAD}alloc 0 0 1 0xfffff\nfree 0 0 @4 1\nfree 0 0 @4 1\n`, 6],
    ['a later line', `${HEAD}free 0 0 @5 1\nalloc 0 0 1 0xfffff\n`, 4],
    ['no number', `${HEAD}alloc 0 0 1 0xfffff\nfree 0 0 @x 1\n`, 5],
  ])('rejects %s, naming the line', (_what, text, line) => {
    expect(() => parseTrace(text)).toThrow(TraceSyntaxError);
    expect(() => parseTrace(text)).toThrow(`trace line ${line}:`);
  });
  it('stops the replay when the named allocation failed', async () => {
    // the domain's only PFN below the limit is taken by line 3, so line 4 fails (pfn 0)
    const t = parseTrace('cpus 1\ndomain 0 4096 1\nalloc 0 0 1 1\nalloc 0 0 1 1\nfree 0 0 @4 1\n');
    await expect(replayTrace(t, 'ts')).rejects.toThrow(TraceReplayError);
    await expect(replayTrace(t, 'ts')).rejects.toThrow(/trace line 5 .*line 4 failed/);
  });
  it('writeTrace renumbers the references to where the allocations are written', () => {
    const t = parseTrace(`${HEAD}# a comment\n\nalloc 0 0 1 0xfffff\nfree 0 0 @6 1\n`);
    const text = writeTrace(t, ['imported']);
    expect(text).toBe('cpus 2\n# imported\ndomain 0 4096 1\ndomain 1 4096 1\nalloc 0 0 1 0xfffff\nfree 0 0 @5 1\n');
    expect(parseTrace(text).ops.map((o) => o.op)).toEqual(t.ops.map((o) => o.op));
  });
});
