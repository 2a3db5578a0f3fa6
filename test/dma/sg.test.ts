import { describe, expect, it } from 'vitest';
import { SegmentsError, SizeError } from '../../src/errors.js';
import { ENGINES } from '../support/labs.js';
import { dmaFixture, PAGE } from './support.js';

describe.each(ENGINES)('scatter-gather (%s engine)', (engine) => {
  it('several segments give one allocation of the summed, aligned size', async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    // 4096 + 4096 (100 aligned up) + 8192 = 16384 bytes = 4 pages, 4-aligned at the top: 0xffffc..0xfffff.
    const a = dev.mapSg(0, [PAGE, 100n, 2n * PAGE]);
    expect(a).toBe(0xffffc000n);
    expect(f.domain.find(0xffffcn)).toEqual({ pfnLo: 0xffffcn, pfnHi: 0xfffffn });
    expect(f.row()).toMatchObject({ liveIovas: 1, maps: 1, mappedBytes: 4096 + 100 + 8192 });
    dev.unmap(0, a, 4n * PAGE);
    expect(f.loaded(2, 0)).toBe(1); // 4 pages: class 2
  });

  it('pads a segment that would cross the PCI 4 GiB boundary onto it', async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const pci = f.domain.attachDevice({ dmaMaskBits: 48 });
    const platform = f.domain.attachDevice({ dmaMaskBits: 48, bus: 'platform' });
    const almost = (1n << 32n) - PAGE; // 4 GiB − 4 KiB, so 4 KiB remain to the boundary
    const pages = (addr: bigint): bigint => {
      const r = f.domain.find(addr >> 12n)!;
      return r.pfnHi - r.pfnLo + 1n;
    };
    // PCI: pad = 4096 < 8192 − 1, so the second segment starts at 4 GiB: 4 GiB + 8 KiB in all.
    expect(pages(pci.mapSg(0, [almost, 2n * PAGE]))).toBe((1n << 20n) + 2n);
    // Platform (no boundary): back to back, 4 GiB + 4 KiB.
    expect(pages(platform.mapSg(0, [almost, 2n * PAGE]))).toBe((1n << 20n) + 1n);
    // A segment that fits before the boundary is not padded.
    expect(pages(pci.mapSg(0, [almost, PAGE]))).toBe(1n << 20n);
    expect(() => pci.mapSg(0, [])).toThrow(SegmentsError);
    expect(() =>
      pci.mapSg(
        0,
        Array.from({ length: 1025 }, () => PAGE),
      ),
    ).toThrow(/segments 1025/);
    expect(() => pci.mapSg(0, [PAGE, 0n])).toThrow(SizeError);
    expect(f.row().maps).toBe(3);
    f.lab.checkInvariants();
  });
});
