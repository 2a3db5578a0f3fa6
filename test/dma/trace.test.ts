// The DMA lines of the trace format: parsed, written back, replayed on both engines with the
// addresses worked out by hand, and rejected by name when malformed.
import { describe, expect, it } from 'vitest';
import { DmaMaskError } from '../../src/errors.js';
import { parseTrace, TraceSyntaxError } from '../../src/trace/parse.js';
import { replayTrace, TraceReplayError } from '../../src/trace/replay.js';
import { writeTrace } from '../../src/trace/write.js';
import { ENGINES } from '../support/labs.js';

const TRACE = `cpus 4
domain 7 4096 1 lazy
domain 8 4096 1
device 3 7 32
device 4 7 64 platform
map 3 0 100
map-sg 3 1 4096 100 8192
map 4 2 4096
unmap 3 2 0xfffff000 100
unmap 3 2 0xffff8000 16384
tick 10
`;

describe('trace DMA lines', () => {
  it('parse into typed ops and write back to the same text', () => {
    const t = parseTrace(TRACE);
    expect(t.ops.slice(0, 7).map(({ line: _l, ...o }) => o)).toEqual([
      { op: 'domain', id: 7, granule: 4096, startPfn: 1n, type: 'lazy' },
      { op: 'domain', id: 8, granule: 4096, startPfn: 1n },
      { op: 'device', dev: 3, id: 7, maskBits: 32, bus: 'pci' },
      { op: 'device', dev: 4, id: 7, maskBits: 64, bus: 'platform' },
      { op: 'map', dev: 3, cpu: 0, bytes: 100n },
      { op: 'map-sg', dev: 3, cpu: 1, segments: [4096n, 100n, 8192n] },
      { op: 'map', dev: 4, cpu: 2, bytes: 4096n },
    ]);
    const again = parseTrace(writeTrace(t));
    expect(again.ops.map(({ line: _l, ...o }) => o)).toEqual(t.ops.map(({ line: _l, ...o }) => o));
    expect(writeTrace(t)).toContain('device 3 7 32 pci\n');
  });

  it.each([
    ['domain 1 4096 1 eager', /strict\|lazy\|lazy-single as argument 4/],
    ['domain 1 4096 1\ndevice 0 1 32', /domain id 1 of a live DMA domain/],
    ['domain 1 4096 1 strict\ndevice 0 1 32 usb', /pci\|platform as argument 4/],
    ['domain 1 4096 1 strict\nmap 0 0 4096', /device id 0 attached by an earlier "device" line/],
    ['domain 1 4096 1 strict\ndevice 0 1 32\nput 1\nmap 0 0 4096', /device id 0 attached .* to a live domain/],
    ['domain 1 4096 1 strict\ndevice 0 1 32\ndevice 0 1 32', /a device id not used before/],
    ['domain 1 4096 1 strict\ndevice 0 1 32\nmap-sg 0 0', /"map-sg <dev> <cpu> <bytes> <bytes…>"/],
    ['domain 1 4096 1 strict\ndevice 0 1 32\nunmap 0 0 0x1000', /"unmap <dev> <cpu> <dma_addr> <bytes>"/],
    ['domain 1 4096 1 strict\ndevice 0 1 32\nmap 0 9 4096', /cpu in \[0, 3\]/],
  ])('rejects %j by line and name', (body, message) => {
    const text = `cpus 4\n${body}\n`;
    expect(() => parseTrace(text)).toThrow(TraceSyntaxError);
    expect(() => parseTrace(text)).toThrow(message);
  });
});

describe.each(ENGINES)('trace DMA replay (%s engine)', (engine) => {
  it('returns DMA addresses for map and map-sg; the lazy unmaps wait for the timer of the unmapping CPU', async () => {
    const values: unknown[] = [];
    const r = await replayTrace(parseTrace(TRACE), engine, (v) => values.push(v));
    // 32-bit device: the top page 0xfffff; then the map-sg's 4096 + 4096 (100 aligned) + 8192 bytes,
    // one 4-page allocation size-aligned below it: (0xfffff − 4) & ~3 = 0xffff8.
    expect(values).toEqual([
      { line: 6, op: 'map', pfn: 0xfffffn, addr: 0xfffff000n },
      { line: 7, op: 'map-sg', pfn: 0xffff8n, addr: 0xffff8000n },
      // A 64-bit platform device makes no 32-bit attempt: the top of the 48-bit aperture.
      { line: 8, op: 'map', pfn: 0xfffffffffn, addr: 0xfffffffff000n },
    ]);
    expect(r.snapshot.domains.map((d) => d.maps)).toEqual([3, 0]);
    // Both unmaps queued on CPU 2 at t=0; the tick reaches the timer's 10 ms: freed on CPU 2, the
    // page into class 0, the 4-page block into class 2.
    expect(r.snapshot.domains[0]).toMatchObject({ unmaps: 2, queued: 0, timerExpiries: 1, timerFreed: 2 });
    expect(r.snapshot.flushQueues[0].timerFreedOn).toEqual([0, 0, 2, 0]);
    expect(r.snapshot.cpus[2].loadedPfns).toEqual([1, 0, 1, 0, 0, 0]);
  });

  it('stops at the failing line with the engine error named', async () => {
    const text = `cpus 2\ndomain 0 4096 0xffffe strict\ndevice 0 0 16\n`;
    const err = await replayTrace(parseTrace(text), engine).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TraceReplayError);
    expect((err as TraceReplayError).line).toBe(3);
    expect((err as TraceReplayError).engineError).toBeInstanceOf(DmaMaskError);
  });
});

describe.each(ENGINES)('unmap @<line> (%s engine)', (engine) => {
  it('unmaps what the map on that line returned, as an imported recording needs', async () => {
    const text =
      `cpus 2\ndomain 0 4096 1 strict\ndevice 1 0 32\nmap 1 0 4096\nmap-sg 1 0 4096 4096\n` +
      `unmap 1 1 @5 8192\nunmap 1 1 @4 4096\n`;
    const t = parseTrace(text);
    expect(t.ops.at(-1)).toMatchObject({ op: 'unmap', ref: 4, addr: 0n });
    expect(writeTrace(t)).toContain('unmap 1 1 @5 8192\nunmap 1 1 @4 4096\n');
    const r = await replayTrace(t, engine);
    // both unmapped on CPU 1: the page into class 0, the 2-page map-sg into class 1
    expect(r.snapshot.cpus[1].loadedPfns.slice(0, 2)).toEqual([1, 1]);
    expect(r.snapshot.domains[0]).toMatchObject({ maps: 2, unmaps: 2 });
    expect(() => parseTrace(`${text}unmap 1 1 @4 4096\n`)).toThrow(/not yet unmapped map or map-sg line of device 1/);
  });
});
