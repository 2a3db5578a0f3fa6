// explain reads its input whole but capped (checked while reading, the limit named); import reads
// its recording line by line, so a recording of any length streams through; replay and compare
// --trace open a trace through one helper (src/cli/trace-input.ts).
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { lines, readCapped } from '../../src/cli/stdin.js';
import { FtraceReader } from '../../src/import/ftrace.js';
import { MAX_EXPLAIN_INPUT_BYTES } from '../../src/share/limits.js';
import { UsageError } from '../../src/share/usage-error.js';
import { run } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iova-input-'));
});

const encoder = new TextEncoder();

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** An ftrace map line at `iova` on CPU 1 and its unmap on CPU 2. */
const mapUnmap = (i: number): string => {
  const iova = `0x${(0x100000 + i * 2).toString(16)}000`;
  const t = `${100 + Math.floor(i / 1000)}.${String(i % 1000).padStart(3, '0')}000`;
  return (
    `  fio-1 [001] ..... ${t}: map: IOMMU: iova=${iova} paddr=0x1000 size=4096\n` +
    `  fio-1 [002] ..... ${t}: unmap: IOMMU: iova=${iova} size=4096 unmapped_size=4096\n`
  );
};

describe('readCapped', () => {
  it('refuses a stream past the cap while reading it, naming the limit', async () => {
    let pulled = 0;
    function* source(): Generator<Uint8Array> {
      for (;;) {
        if (++pulled > 5) throw new Error('read past the limit');
        yield new Uint8Array(1 << 20);
      }
    }
    const err = await readCapped(source(), 'stdin', 4 << 20).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe('stdin larger than 4 MiB (the limit of 4194304 bytes).');
    expect(pulled).toBe(5);
  });

  it('gives a stream within the cap whole', async () => {
    const text = 'héllo\nworld\n';
    function* source(): Generator<Uint8Array> {
      const bytes = encoder.encode(text);
      for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
    }
    expect(await readCapped(source(), 'stdin', 100)).toBe(text);
  });
});

describe('lines', () => {
  it('gives the lines of split(/\\r?\\n/) however the bytes are cut', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'é', ' ', '\n', '\r\n', '\r', 'xyz'), { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        async (parts, size) => {
          const bytes = encoder.encode(parts.join(''));
          function* source(): Generator<Uint8Array> {
            for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
          }
          const tooLong = () => new Error('too long');
          expect(await collect(lines(source(), 1000, tooLong))).toEqual(parts.join('').split(/\r?\n/));
        },
      ),
    );
  });

  it('refuses a line past the limit before its end arrives, naming its number', async () => {
    function* source(): Generator<Uint8Array> {
      yield encoder.encode('one\ntwo\n');
      for (let i = 0; i < 100; i++) yield new Uint8Array(1024).fill(0x78);
      throw new Error('read past the limit');
    }
    const err = await collect(lines(source(), 4096, (n) => new Error(`line ${n} too long`))).catch((e: unknown) => e);
    expect((err as Error).message).toBe('line 3 too long');
  });
});

describe('explain input is capped', () => {
  it('stdin past the cap exits 2 naming the limit', () => {
    const r = run(['explain', '--cpus', '4'], 'x'.repeat(MAX_EXPLAIN_INPUT_BYTES + 1));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`stdin larger than 16 MiB (the limit of ${MAX_EXPLAIN_INPUT_BYTES} bytes)`);
    expect(r.stdout).toBe('');
  });

  it('a file past the cap exits 2 naming the limit, before it is read', () => {
    const file = join(dir, 'huge-slabinfo.txt');
    writeFileSync(file, '');
    truncateSync(file, MAX_EXPLAIN_INPUT_BYTES + 1); // sparse
    const r = run(['explain', file, '--cpus', '4']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`the limit of ${MAX_EXPLAIN_INPUT_BYTES} bytes`);
  });
});

describe('a trace that cannot be read', () => {
  // replay and compare --trace open it through the same code: missing (at stat, before reading)
  // and a directory (the first read fails) each exit 2 naming the file and the cause.
  for (const cmd of [['replay'], ['compare', '--trace']]) {
    it(`${cmd.join(' ')}: a missing file and a directory`, () => {
      const missing = join(dir, 'no-such.trace');
      const r1 = run([...cmd, missing]);
      expect(r1.status).toBe(2);
      expect(r1.stderr).toContain(`cannot read trace ${missing}: ENOENT`);
      const r2 = run([...cmd, dir]);
      expect(r2.status).toBe(2);
      expect(r2.stderr).toContain(`cannot read trace ${dir}: EISDIR`);
      expect(r2.stdout).toBe('');
    });
  }
});

describe('import reads line by line', () => {
  it('events come out while the recording is still being read', async () => {
    const reader = new FtraceReader();
    let events = 0;
    let behind = 0;
    function* source(): Generator<Uint8Array> {
      for (let c = 0; c < 50; c++) {
        // Every event of the chunks before the last one pulled has been read already.
        behind = Math.max(behind, 2 * 100 * Math.max(0, c - 1) - reader.rec.events.length);
        yield encoder.encode(Array.from({ length: 100 }, (_, i) => mapUnmap(c * 100 + i)).join(''));
      }
    }
    for await (const raw of lines(source(), 1 << 20, () => new Error('too long'))) {
      reader.line(raw);
      events = reader.rec.events.length;
    }
    expect(events).toBe(2 * 50 * 100);
    expect(behind).toBe(0);
  });

  it('a large recording on stdin imports and replays', () => {
    const N = 50_000;
    const text = Array.from({ length: N }, (_, i) => mapUnmap(i)).join('');
    expect(text.length).toBeGreaterThan(8 << 20);
    const out = join(dir, 'large.trace');
    const r = run(['import', 'ftrace', '-', '-o', out, '--cpus', '4'], text);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const replay = run(['replay', out]);
    expect(replay.status).toBe(0);
    expect(replay.stdout).toContain(`values ${N}`); // a value per map
  }, 120_000);
});
