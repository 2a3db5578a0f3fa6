import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DMA_DOMAIN_TYPES, type DmaDomainType } from '../../src/engine.js';
import { parseFtrace } from '../../src/import/ftrace.js';
import { writeMapUnmap } from '../../src/import/map-unmap-writer.js';
import { RecordingSyntaxError } from '../../src/import/recording.js';
import { PROFILE_NAMES, profileByName } from '../../src/policy.js';
import { parseTrace, type TraceOp } from '../../src/trace/parse.js';
import { replayTrace, type ReplayResult } from '../../src/trace/replay.js';
import { writeTrace } from '../../src/trace/write.js';
import { ROOT, run } from '../support/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'ftrace');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const write = (text: string, domainType: DmaDomainType = 'strict') =>
  writeMapUnmap(parseFtrace(text), { granule: 4096, maskBits: 64, bus: 'pci', domainType });
const imported = (text: string, domainType: DmaDomainType = 'strict') =>
  parseTrace(writeTrace(write(text, domainType)));
const ofKind = (ops: TraceOp[], op: TraceOp['op']) => ops.filter((o) => o.op === op);
const maps = (ops: TraceOp[]) => ops.filter((o) => o.op === 'map' || o.op === 'map-sg');
type Unmap = Extract<TraceOp, { op: 'unmap' }>;
/** IOVAs still mapped after a replay: live in the tree, minus those cached in magazines or waiting in a flush queue. */
const stillMapped = (r: ReplayResult): number => {
  const queued = r.snapshot.flushQueues.reduce((n, q) => n + q.queued.reduce((a, b) => a + b, 0), 0);
  return r.snapshot.domains[0].liveIovas - r.snapshot.domains[0].cachedPfns - queued;
};

describe('import ftrace: the fixtures', () => {
  it('5.17+ format, 5 flag characters: merges scatter-gather chunks, skips other events, takes CPUs and time', () => {
    const rec = parseFtrace(fixture('v5.17-trace.txt'));
    expect(rec.events.map((e) => [e.kind, e.cpu, e.bytes])).toEqual([
      ['map', 1, 4096n],
      ['map', 2, 16384n],
      ['unmap', 3, 4096n],
      ['unmap', 0, 16384n],
      ['map', 1, 4096n],
      ['map', 1, 8192n],
      ['unmap', 3, 8192n],
    ]);
    expect(rec.events[1]).toMatchObject({ chunks: 3, chunkBytes: [8192n, 4096n, 4096n], iova: 0xffff0000n });
    const t = imported(fixture('v5.17-trace.txt'));
    expect(t.header.possibleCpus).toBe(4);
    expect(t.ops.slice(0, 2)).toMatchObject([
      { op: 'domain', id: 0, type: 'strict' },
      { op: 'device', dev: 0, id: 0, maskBits: 64, bus: 'pci' },
    ]);
    // one chunk: map; the three contiguous chunks: one map-sg listing them
    expect(maps(t.ops).map((o) => (o.op === 'map' ? o.bytes : o.segments))).toEqual([
      4096n,
      [8192n, 4096n, 4096n],
      4096n,
      8192n,
    ]);
    // 100.000100 → 100.012000: 11 whole ms of virtual time
    expect(ofKind(t.ops, 'tick').reduce((n, o) => n + (o as { ms: bigint }).ms, 0n)).toBe(11n);
    // each unmap names the line of the map it unmaps, with the bytes mapped there, on the unmapping CPU
    const lineOf = new Map(t.ops.map((o) => [o.line, o]));
    for (const u of ofKind(t.ops, 'unmap') as Unmap[]) {
      const m = lineOf.get(u.ref!)!;
      expect(m.op === 'map' ? m.bytes : m.op === 'map-sg' ? m.segments.reduce((a, b) => a + b, 0n) : -1n).toBe(u.bytes);
    }
    expect((ofKind(t.ops, 'unmap') as Unmap[]).map((o) => o.cpu)).toEqual([3, 0, 3]);
  });
  it('pre-5.17 format, 4 flag characters', () => {
    const rec = parseFtrace(fixture('pre-5.17-trace.txt'));
    expect(rec.events.map((e) => [e.kind, e.cpu, e.iova, e.bytes])).toEqual([
      ['map', 1, 0xfffe0000n, 16384n],
      ['map', 0, 0xfffdf000n, 4096n],
      ['unmap', 2, 0xfffe0000n, 16384n],
      ['unmap', 2, 0xfffdf000n, 4096n],
    ]);
  });
  it('trace-cmd report: cpus= line, padded event names, lost-event notices kept as comments', () => {
    const rec = parseFtrace(fixture('trace-cmd-report.txt'));
    expect(rec.cpus).toBe(8);
    expect(rec.warnings.map((w) => w.line)).toEqual([5]);
    expect(imported(fixture('trace-cmd-report.txt')).header.possibleCpus).toBe(8);
  });
  it.each(['v5.17-trace.txt', 'pre-5.17-trace.txt', 'trace-cmd-report.txt'])(
    '%s replays under every profile and domain ' +
      'type on both engines alike, leaving exactly the maps never unmapped',
    async (name) => {
      for (const domainType of DMA_DOMAIN_TYPES) {
        const t = imported(fixture(name), domainType);
        expect(t.ops[0]).toMatchObject({ op: 'domain', type: domainType });
        const live = maps(t.ops).length - ofKind(t.ops, 'unmap').length;
        for (const profile of PROFILE_NAMES) {
          const runs: ReplayResult[] = [];
          for (const engine of ['wasm', 'ts'] as const) {
            const under = { ...t, header: { ...t.header, profile } };
            if (domainType === 'lazy-single' && !profileByName(profile).dma.singleFlushQueue) {
              // the single flush queue came in v6.7: older profiles refuse the domain line
              await expect(replayTrace(under, engine), `${profile} ${engine}`).rejects.toThrow(
                /trace line 2 .*lazy-single/,
              );
              continue;
            }
            const r = await replayTrace(under, engine);
            expect(stillMapped(r), `${domainType} ${profile} ${engine}`).toBe(live);
            expect(r.values.every((v) => v.addr !== undefined && v.addr !== 0n)).toBe(true);
            runs.push(r);
          }
          if (runs.length === 0) continue;
          expect(runs[0].values, `${domainType} ${profile}`).toEqual(runs[1].values);
          expect(runs[0].snapshot, `${domainType} ${profile}`).toEqual(runs[1].snapshot);
        }
      }
    },
  );
  it('lazy keeps the unmapped IOVAs queued until the timer, strict caches them at once', async () => {
    // pre-5.17: both unmaps on CPU 2 within 2 ms, then nothing: the 10 ms timer has not expired
    const strict = await replayTrace(imported(fixture('pre-5.17-trace.txt'), 'strict'), 'ts');
    const lazy = await replayTrace(imported(fixture('pre-5.17-trace.txt'), 'lazy'), 'ts');
    expect(strict.snapshot.flushQueues).toEqual([]);
    expect(strict.snapshot.domains[0].cachedPfns).toBe(2);
    expect(lazy.snapshot.flushQueues[0].queued[2]).toBe(2);
    expect(lazy.snapshot.domains[0].cachedPfns).toBe(0);
  });
});

describe('import ftrace: any map/unmap stream', () => {
  it('replays under any domain type, and the lab holds one live IOVA per map never unmapped', async () => {
    // a stream of maps (1..8 pages) at distinct addresses, each unmapped later or never
    const stream = fc.array(
      fc.record({
        pages: fc.integer({ min: 1, max: 8 }),
        cpu: fc.integer({ min: 0, max: 3 }),
        unmapCpu: fc.integer({ min: 0, max: 3 }),
        unmapAfter: fc.option(fc.integer({ min: 0, max: 5 })),
      }),
      { minLength: 1, maxLength: 40 },
    );
    const types = fc.constantFrom(...DMA_DOMAIN_TYPES);
    await fc.assert(
      fc.asyncProperty(stream, types, async (mapped, domainType) => {
        const lines: string[] = [];
        const pending: Array<{ at: number; text: string }> = [];
        let us = 0;
        const stamp = (): string => `100.${String(us).padStart(6, '0')}`;
        mapped.forEach((m, i) => {
          const iova = (0x100000n + BigInt(i) * 0x10n) << 12n; // never contiguous: every map is its own
          const hex = `0x${iova.toString(16).padStart(16, '0')}`;
          lines.push(
            `fio-1 [${String(m.cpu).padStart(3, '0')}] ..... ${stamp()}: map: IOMMU: iova=${hex} - 0x0 paddr=0x1000 size=${m.pages * 4096}`.replace(
              ' - 0x0',
              ` - 0x${(iova + BigInt(m.pages * 4096)).toString(16)}`,
            ),
          );
          us += 700;
          if (m.unmapAfter !== null) {
            pending.push({
              at: i + m.unmapAfter,
              text:
                `irq/1-nvme-2 [${String(m.unmapCpu).padStart(3, '0')}] d.h1. {T}: unmap: IOMMU: iova=${hex} - ` +
                `0x${(iova + BigInt(m.pages * 4096)).toString(16)} size=${m.pages * 4096} unmapped_size=${m.pages * 4096}`,
            });
          }
          for (const p of pending.filter((q) => q.at <= i)) {
            lines.push(p.text.replace('{T}', stamp()));
            us += 300;
          }
          pending.splice(0, pending.length, ...pending.filter((q) => q.at > i));
        });
        const t = imported(lines.join('\n'), domainType);
        const r = await replayTrace(t, 'ts');
        const unmapped = mapped.length - pending.length - mapped.filter((m) => m.unmapAfter === null).length;
        expect(ofKind(t.ops, 'unmap').length).toBe(unmapped);
        expect(ofKind(t.ops, 'map').length).toBe(mapped.length);
        expect(stillMapped(r)).toBe(mapped.length - unmapped);
      }),
      { numRuns: 30 },
    );
  });
});

describe('import ftrace: bad recordings', () => {
  const good = fixture('v5.17-trace.txt').split('\n');
  const withLine = (n: number, text: string): string => [...good.slice(0, n - 1), text, ...good.slice(n)].join('\n');
  const BAD: Array<[string, string, RegExp]> = [
    [
      'an unmap of an IOVA never mapped',
      withLine(
        13,
        '  x-1 [001] ..... 100.000100: unmap: IOMMU: iova=0x00000000deadb000 - 0x00000000deadc000 size=4096 unmapped_size=4096',
      ),
      /never mapped/,
    ],
    [
      'a map without its size',
      withLine(
        13,
        '  x-1 [001] ..... 100.000100: map: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 paddr=0x0000000123456000',
      ),
      /does not match its format/,
    ],
    [
      'an unmap without unmapped_size',
      withLine(19, '  <idle>-0 [003] d.h1. 100.002000: unmap: IOMMU: iova=0x00000000fffff000 size=4096'),
      /does not match its format/,
    ],
    [
      'a map of size 0',
      withLine(13, '  x-1 [001] ..... 100.000100: map: IOMMU: iova=0x00000000fffff000 paddr=0x0000000123456000 size=0'),
      /size 0/,
    ],
    [
      'an unmap of another size than mapped',
      withLine(
        19,
        '  <idle>-0 [003] d.h1. 100.002000: unmap: IOMMU: iova=0x00000000fffff000 size=8192 unmapped_size=8192',
      ),
      /for 8192 bytes, but 4096 were mapped at line 13/,
    ],
    [
      'a range ending before it starts',
      withLine(
        13,
        '  x-1 [001] ..... 100.000100: map: IOMMU: iova=0x00000000fffff000 - 0x0000000000001000 paddr=0x0 size=4096',
      ),
      /ends/,
    ],
  ];
  const lineOfCase = (text: string, bad: string): number => text.split('\n').findIndex((l) => l === bad) + 1;
  it.each(BAD)('%s exits 2 naming its line; --lenient skips and counts it', (_what, text, why) => {
    const badLine = text.split('\n').find((l, i) => l !== good[i])!;
    const n = lineOfCase(text, badLine);
    const r = run(['import', 'ftrace', '-'], text);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`ftrace line ${n}:`);
    expect(r.stderr).toMatch(why);
    expect(() => write(text)).toThrow(RecordingSyntaxError);
    const lenient = run(['import', 'ftrace', '-', '--lenient'], text);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain(`skipped`);
    expect(lenient.stderr).toContain(`line ${n}`);
  });
  it('validates --mask-bits, --bus and --domain-type, and writes them as the domain and device lines', () => {
    const file = join(FIXTURES, 'v5.17-trace.txt');
    for (const args of [
      ['--mask-bits', '99'],
      ['--mask-bits', 'x'],
      ['--bus', 'usb'],
      ['--domain-type', 'fq'],
      ['--cpus', '2'],
    ]) {
      const r = run(['import', 'ftrace', file, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(args[1]);
    }
    expect(run(['import', 'ftrace', file]).stdout).toContain('\ndomain 0 4096 1 strict\ndevice 0 0 64 pci\n');
    const r = run([
      'import',
      'ftrace',
      file,
      '--mask-bits',
      '32',
      '--bus',
      'platform',
      '--domain-type',
      'lazy-single',
      '--cpus',
      '16',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cpus 16\n/);
    expect(r.stdout).toContain(
      '\ndomain 0 4096 1 lazy-single\ndevice 0 0 32 platform\nmap 0 1 4096\nmap-sg 0 2 8192 4096 4096\n',
    );
    expect(r.stdout).not.toMatch(/header comment|take effect/);
    // the 32-bit mask holds: every DMA address the replay hands out is below 4 GiB
    const replayed = run(['replay', '-', '--json'], r.stdout);
    expect(replayed.status).toBe(0);
    const addrs = replayed.stdout
      .split('\n')
      .flatMap((l) => (l.includes('"addr"') ? [BigInt((JSON.parse(l) as { addr: string }).addr)] : []));
    expect(addrs.length).toBe(4);
    for (const a of addrs) expect(a > 0n && a < 1n << 32n).toBe(true);
  });
  it('-o writes the trace, which replay runs', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const out = join(mkdtempSync(join(tmpdir(), 'iova-import-')), 't.trace');
    expect(run(['import', 'ftrace', join(FIXTURES, 'pre-5.17-trace.txt'), '-o', out]).status).toBe(0);
    const r = run(['replay', out, '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => /"op":"map(-sg)?"/.test(l)).length).toBe(2);
  });
});
