import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBpftrace } from '../../src/import/bpftrace.js';
import { parseTrace } from '../../src/trace/parse.js';
import { replayTrace } from '../../src/trace/replay.js';
import { writeTrace } from '../../src/trace/write.js';
import { ROOT, run } from '../support/cli.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'bpftrace', 'two-domains.txt');
const SCRIPT = join(ROOT, 'scripts', 'iova-record.bt');
const text = readFileSync(FIXTURE, 'utf8');

describe('import bpftrace', () => {
  it('gives one domain per iova_domain pointer, a new one after put_iova_domain', () => {
    const r = importBpftrace(text);
    expect([...r.domains.values()]).toEqual(['0xffff888104a2c0a8', '0xffff88810c7d10a8', '0xffff88810c7d10a8']);
    const t = parseTrace(writeTrace(r.trace));
    expect(t.header.possibleCpus).toBe(4);
    expect(t.ops.filter((o) => o.op === 'domain').length).toBe(3);
    expect(t.ops.filter((o) => o.op === 'put').map((o) => (o as { id: number }).id)).toEqual([1]);
    // flush=0 → alloc-noflush; alloc_iova outside the fast path → slow-alloc, freed by slow-free @line
    expect(t.ops.filter((o) => o.op === 'alloc-noflush').length).toBe(3);
    expect(t.ops.filter((o) => o.op === 'slow-alloc')).toMatchObject([{ size: 16n, aligned: true }]);
    expect(t.ops.find((o) => o.op === 'slow-free')).toHaveProperty('ref');
    // the free_fast keeps the recorded (unrounded) size: 3 pages of a 4-page allocation
    expect(t.ops.filter((o) => o.op === 'free').map((o) => (o as { size: bigint }).size)).toEqual([1n, 3n, 2n]);
  });
  it('replays on both engines: the allocation that failed on the machine is tried, nothing is freed twice', async () => {
    const t = parseTrace(writeTrace(importBpftrace(text).trace));
    for (const engine of ['wasm', 'ts'] as const) {
      const r = await replayTrace(t, engine);
      expect(r.snapshot.domains.map((d) => d.id)).toEqual([0, 2]);
      // domain 0: the 64-page allocation is live (it failed on the machine, so nothing freed it)
      expect(r.snapshot.domains[0].liveIovas - r.snapshot.domains[0].cachedPfns).toBe(1);
      expect(r.snapshot.domains[1].liveIovas).toBe(1);
    }
  });
  it('on the command line, with -o, then replay', () => {
    const r = run(['import', 'bpftrace', FIXTURE]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('# domain 1 = iova_domain 0xffff88810c7d10a8');
    expect(run(['replay', '-'], r.stdout).status).toBe(0);
  });
  it.each([
    ['a line without a key', 'IOVA free_fast cpu=3 ns=5 iovad=0x1 pfn=0xfffff', /without size/],
    ['an unknown event', 'IOVA frobnicate cpu=3 ns=5 iovad=0x1', /unknown event "frobnicate"/],
    ['a bad value', 'IOVA put cpu=3 ns=5 iovad=0xzz', /"iovad=0xzz" is not key=/],
    [
      'a free of a PFN never allocated',
      'IOVA free_fast cpu=3 ns=5 iovad=0x1 pfn=0x1234 size=1',
      /free of 0x1234, which was never allocated/,
    ],
  ])('%s exits 2 naming its line', (_what, line, why) => {
    const r = run(['import', 'bpftrace', '-'], `Attaching 9 probes...\n${line}\n`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bpftrace line 2:');
    expect(r.stderr).toMatch(why);
    expect(run(['import', 'bpftrace', '-', '--lenient'], `${line}\n`).status).toBe(0);
  });
});

describe('the recording script', () => {
  const script = readFileSync(SCRIPT, 'utf8');
  it('record --print-script prints the shipped file', () => {
    const r = run(['record', '--print-script']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(script);
    expect(run(['record']).status).toBe(2);
  });
  it('probes every symbol the importer reads', () => {
    for (const sym of [
      'alloc_iova_fast',
      'free_iova_fast',
      'alloc_iova',
      'free_iova',
      'put_iova_domain',
      'iova_domain_init_rcaches',
      'init_iova_domain',
    ]) {
      expect(script).toMatch(new RegExp(`kprobe:${sym}\\b`));
    }
    expect(script).toMatch(/kretprobe:alloc_iova_fast/);
  });
  it('prints every event with the keys the importer requires', () => {
    const formats = [...script.matchAll(/printf\("IOVA (\w+) ([^"]*)\\n"/g)].filter((m) => m[1] !== 'begin');
    expect(formats.length).toBe(7);
    for (const [, event, keys] of formats) {
      // a line shaped like the printf, with numbers in place of the formats, imports
      const line = `IOVA ${event} ${keys.replace(/%[a-z]+/g, '1').replace(/0x1/g, '0x1')}`;
      const r = importBpftrace(`${line}\n`, { lenient: true });
      // the frees free nothing recorded; any other complaint would be about the line's shape
      expect(
        r.skipped.filter((s) => !/never allocated/.test(s.why)),
        `${event}: ${line}`,
      ).toEqual([]);
    }
  });
});
