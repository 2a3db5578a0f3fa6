import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitPfnOf, writeAllocFree } from '../../src/import/alloc-free-writer.js';
import { parseFtrace } from '../../src/import/ftrace.js';
import { RecordingSyntaxError } from '../../src/import/recording.js';
import { PROFILE_NAMES } from '../../src/policy.js';
import { parseTrace, type TraceOp } from '../../src/trace/parse.js';
import { replayTrace } from '../../src/trace/replay.js';
import { writeTrace } from '../../src/trace/write.js';
import { ROOT, run } from '../support/cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'ftrace');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');
const imported = (text: string) => parseTrace(writeTrace(writeAllocFree(parseFtrace(text), { granule: 4096, maskBits: 64 })));
const ofKind = (ops: TraceOp[], op: TraceOp['op']) => ops.filter((o) => o.op === op);

describe('import ftrace: the fixtures', () => {
  it('5.17+ format, 5 flag characters: merges scatter-gather chunks, skips other events, takes CPUs and time', () => {
    const rec = parseFtrace(fixture('v5.17-trace.txt'));
    expect(rec.events.map((e) => [e.kind, e.cpu, e.bytes])).toEqual([
      ['map', 1, 4096n], ['map', 2, 16384n], ['unmap', 3, 4096n], ['unmap', 0, 16384n], ['map', 1, 4096n], ['map', 1, 8192n], ['unmap', 3, 8192n],
    ]);
    expect(rec.events[1]).toMatchObject({ chunks: 3, chunkBytes: [8192n, 4096n, 4096n], iova: 0xffff0000n });
    const t = imported(fixture('v5.17-trace.txt'));
    expect(t.header.possibleCpus).toBe(4);
    expect(ofKind(t.ops, 'alloc').map((o) => (o as { size: bigint }).size)).toEqual([1n, 4n, 1n, 2n]);
    // 100.000100 → 100.012000: 11 whole ms of virtual time
    expect(ofKind(t.ops, 'tick').reduce((n, o) => n + (o as { ms: bigint }).ms, 0n)).toBe(11n);
    // each free names the line of the alloc it frees, on the unmapping CPU
    const lineOf = new Map(t.ops.map((o) => [o.line, o]));
    for (const f of ofKind(t.ops, 'free') as Array<Extract<TraceOp, { op: 'free' }>>) {
      expect(lineOf.get(f.ref!)!.op).toBe('alloc');
      expect((lineOf.get(f.ref!) as { size: bigint }).size).toBe(f.size);
    }
    expect(ofKind(t.ops, 'free').map((o) => (o as { cpu: number }).cpu)).toEqual([3, 0, 3]);
  });
  it('pre-5.17 format, 4 flag characters', () => {
    const rec = parseFtrace(fixture('pre-5.17-trace.txt'));
    expect(rec.events.map((e) => [e.kind, e.cpu, e.iova, e.bytes])).toEqual([
      ['map', 1, 0xfffe0000n, 16384n], ['map', 0, 0xfffdf000n, 4096n], ['unmap', 2, 0xfffe0000n, 16384n], ['unmap', 2, 0xfffdf000n, 4096n],
    ]);
  });
  it('trace-cmd report: cpus= line, padded event names, lost-event notices kept as comments', () => {
    const rec = parseFtrace(fixture('trace-cmd-report.txt'));
    expect(rec.cpus).toBe(8);
    expect(rec.warnings.map((w) => w.line)).toEqual([5]);
    expect(imported(fixture('trace-cmd-report.txt')).header.possibleCpus).toBe(8);
  });
  it.each(['v5.17-trace.txt', 'pre-5.17-trace.txt', 'trace-cmd-report.txt'])('%s replays under every profile on both engines, '
    + 'leaving exactly the unfreed maps live', async (name) => {
    const t = imported(fixture(name));
    const live = ofKind(t.ops, 'alloc').length - ofKind(t.ops, 'free').length;
    for (const profile of PROFILE_NAMES) {
      const pfns: bigint[][] = [];
      for (const engine of ['wasm', 'ts'] as const) {
        const r = await replayTrace({ ...t, header: { ...t.header, profile } }, engine);
        expect(r.snapshot.domains[0]!.liveIovas + r.snapshot.domains[0]!.cachedPfns).toBeGreaterThanOrEqual(live);
        expect(r.values.every((v) => v.pfn !== 0n)).toBe(true);
        pfns.push(r.values.map((v) => v.pfn));
      }
      expect(pfns[0], profile).toEqual(pfns[1]);
    }
  });
});

describe('import ftrace: any map/unmap stream', () => {
  it('replays, and the lab holds one live IOVA per map never unmapped', async () => {
    // a stream of maps (1..8 pages) at distinct addresses, each unmapped later or never
    const stream = fc.array(fc.record({ pages: fc.integer({ min: 1, max: 8 }), cpu: fc.integer({ min: 0, max: 3 }),
      unmapCpu: fc.integer({ min: 0, max: 3 }), unmapAfter: fc.option(fc.integer({ min: 0, max: 5 })) }), { minLength: 1, maxLength: 40 });
    await fc.assert(fc.asyncProperty(stream, async (maps) => {
      const lines: string[] = [];
      const pending: Array<{ at: number; text: string }> = [];
      let us = 0;
      const stamp = (): string => `100.${String(us).padStart(6, '0')}`;
      maps.forEach((m, i) => {
        const iova = (0x100000n + BigInt(i) * 0x10n) << 12n; // never contiguous: every map is its own
        const hex = `0x${iova.toString(16).padStart(16, '0')}`;
        lines.push(`fio-1 [${String(m.cpu).padStart(3, '0')}] ..... ${stamp()}: map: IOMMU: iova=${hex} - 0x0 paddr=0x1000 size=${m.pages * 4096}`
          .replace(' - 0x0', ` - 0x${(iova + BigInt(m.pages * 4096)).toString(16)}`));
        us += 700;
        if (m.unmapAfter !== null) {
          pending.push({ at: i + m.unmapAfter, text: `irq/1-nvme-2 [${String(m.unmapCpu).padStart(3, '0')}] d.h1. {T}: unmap: IOMMU: iova=${hex} - `
            + `0x${(iova + BigInt(m.pages * 4096)).toString(16)} size=${m.pages * 4096} unmapped_size=${m.pages * 4096}` });
        }
        for (const p of pending.filter((q) => q.at <= i)) {
          lines.push(p.text.replace('{T}', stamp()));
          us += 300;
        }
        pending.splice(0, pending.length, ...pending.filter((q) => q.at > i));
      });
      const t = imported(lines.join('\n'));
      const r = await replayTrace(t, 'ts');
      const unmapped = maps.length - pending.length - maps.filter((m) => m.unmapAfter === null).length;
      expect(ofKind(t.ops, 'free').length).toBe(unmapped);
      expect(r.snapshot.domains[0]!.liveIovas - r.snapshot.domains[0]!.cachedPfns).toBe(maps.length - unmapped);
    }), { numRuns: 30 });
  });
});

describe('import ftrace: bad recordings', () => {
  const good = fixture('v5.17-trace.txt').split('\n');
  const withLine = (n: number, text: string): string => [...good.slice(0, n - 1), text, ...good.slice(n)].join('\n');
  const BAD: Array<[string, string, RegExp]> = [
    ['an unmap of an IOVA never mapped', withLine(13, '  x-1 [001] ..... 100.000100: unmap: IOMMU: iova=0x00000000deadb000 - 0x00000000deadc000 size=4096 unmapped_size=4096'), /never mapped/],
    ['a map without its size', withLine(13, '  x-1 [001] ..... 100.000100: map: IOMMU: iova=0x00000000fffff000 - 0x0000000100000000 paddr=0x0000000123456000'), /does not match its format/],
    ['an unmap without unmapped_size', withLine(19, '  <idle>-0 [003] d.h1. 100.002000: unmap: IOMMU: iova=0x00000000fffff000 size=4096'), /does not match its format/],
    ['a map of size 0', withLine(13, '  x-1 [001] ..... 100.000100: map: IOMMU: iova=0x00000000fffff000 paddr=0x0000000123456000 size=0'), /size 0/],
    ['an unmap of another size than mapped', withLine(19, '  <idle>-0 [003] d.h1. 100.002000: unmap: IOMMU: iova=0x00000000fffff000 size=8192 unmapped_size=8192'), /but 1 were mapped at line 13/],
    ['a range ending before it starts', withLine(13, '  x-1 [001] ..... 100.000100: map: IOMMU: iova=0x00000000fffff000 - 0x0000000000001000 paddr=0x0 size=4096'), /ends/],
  ];
  const lineOfCase = (text: string, bad: string): number => text.split('\n').findIndex((l) => l === bad) + 1;
  it.each(BAD)('%s exits 2 naming its line; --lenient skips and counts it', (_what, text, why) => {
    const badLine = text.split('\n').find((l, i) => l !== good[i])!;
    const n = lineOfCase(text, badLine);
    const r = run(['import', 'ftrace', '-'], text);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`ftrace line ${n}:`);
    expect(r.stderr).toMatch(why);
    expect(() => writeAllocFree(parseFtrace(text), { granule: 4096, maskBits: 64 })).toThrow(RecordingSyntaxError);
    const lenient = run(['import', 'ftrace', '-', '--lenient'], text);
    expect(lenient.status).toBe(0);
    expect(lenient.stderr).toContain(`skipped`);
    expect(lenient.stderr).toContain(`line ${n}`);
  });
  it('validates --mask-bits, --bus and --domain-type, and keeps them in the header', () => {
    const file = join(FIXTURES, 'v5.17-trace.txt');
    for (const args of [['--mask-bits', '99'], ['--mask-bits', 'x'], ['--bus', 'usb'], ['--domain-type', 'fq'], ['--cpus', '2']]) {
      const r = run(['import', 'ftrace', file, ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(args[1]);
    }
    const r = run(['import', 'ftrace', file, '--mask-bits', '32', '--bus', 'platform', '--domain-type', 'lazy', '--cpus', '16']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^cpus 16\n/);
    expect(r.stdout).toContain('# device: bus platform, mask-bits 32; domain-type lazy');
    expect(r.stdout).toContain(`alloc 0 1 1 0x${limitPfnOf(32, 4096).toString(16)}\n`);
    expect(limitPfnOf(32, 4096)).toBe(0xfffffn);
    expect(limitPfnOf(64, 4096)).toBe((1n << 36n) - 1n);
  });
  it('-o writes the trace, which replay runs', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const out = join(mkdtempSync(join(tmpdir(), 'iova-import-')), 't.trace');
    expect(run(['import', 'ftrace', join(FIXTURES, 'pre-5.17-trace.txt'), '-o', out]).status).toBe(0);
    const r = run(['replay', out, '--json']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('"op":"alloc"')).length).toBe(2);
  });
});
