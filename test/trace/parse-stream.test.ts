// parseTraceStream: the same trace (or the same error, on the same line) however the text is cut
// into chunks, and a line past the length limit refused without waiting for its end.
import { describe, expect, it } from 'vitest';
import { MAX_TRACE_LINE_CHARS } from '../../src/share/limits.js';
import { parseTrace, parseTraceStream, TraceSyntaxError } from '../../src/trace/parse.js';

const TRACE =
  'cpus 4 online 2\r\nprofile v6.6\npolicy lazy # a comment\ndomain 0 4096 1\n' +
  'alloc 0 1 4 0xfffff\nfree 0 1 @5 4\n\ntick 300\nslow-alloc 0 2 0xffff 1\nreserve 0 0x10 0x20\nput 0';

function* cut(text: string, sizes: number[]): Generator<string> {
  let at = 0;
  for (let i = 0; at < text.length; i++) {
    const n = sizes.at(i % sizes.length) ?? 1;
    yield text.slice(at, at + n);
    at += n;
  }
}

describe('parseTraceStream', () => {
  it("gives parseTrace's trace for every chunk size, cuts inside lines, \\r\\n and comments included", async () => {
    const whole = parseTrace(TRACE);
    for (const sizes of [[1], [2], [3, 7], [5, 1, 11], [64], [TRACE.length]]) {
      expect(await parseTraceStream(cut(TRACE, sizes)), sizes.join(',')).toEqual(whole);
    }
  });

  it('names the same bad line as parseTrace, whatever the chunks', async () => {
    const bad = TRACE.replace('tick 300', 'tick banana');
    const line = (() => {
      try {
        parseTrace(bad);
      } catch (e) {
        return (e as TraceSyntaxError).line;
      }
      return -1;
    })();
    expect(line).toBe(8);
    for (const sizes of [[1], [4, 9], [1000]]) {
      await expect(parseTraceStream(cut(bad, sizes))).rejects.toMatchObject({ line: 8 });
    }
  });

  it('refuses a line past MAX_TRACE_LINE_CHARS before its end arrives, echo clipped', async () => {
    function* endless(): Generator<string> {
      yield 'cpus 2\n';
      for (let i = 0; i < 64; i++) yield 'x'.repeat(1 << 16); // 4 MiB, no newline
      throw new Error('read past the limit');
    }
    const err = await parseTraceStream(endless()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceSyntaxError);
    expect((err as TraceSyntaxError).message).toContain(`at most ${MAX_TRACE_LINE_CHARS} characters`);
    expect((err as TraceSyntaxError).message.length).toBeLessThan(300);
  });
});
