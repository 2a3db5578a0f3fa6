import { describe, expect, it } from 'vitest';
import { SizeError } from '../../src/errors.js';
import { dmaFixture, PAGE } from './support.js';

describe('scatter-gather', () => {
  it('several segments give one allocation of the summed, aligned size', () => {
    const f = dmaFixture({ type: 'strict' });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 32 });
    const segs = [PAGE, 100n, 2n * PAGE];
    // 4096 + 4096 (100 aligned up) + 8192 = 16384 bytes = 4 pages, 4-aligned at the top: 0xffffc..0xfffff.
    expect(dev.sgLength(segs)).toBe(4n * PAGE);
    const a = dev.mapSg(0, segs);
    expect(a).toBe(0xffffc000n);
    expect(f.domain.tree.liveCount).toBe(1);
    expect(f.domain.tree.findExact(0xffffcn)?.pfnHi).toBe(0xfffffn);
    expect(f.cookie.stats).toMatchObject({ maps: 1, mappedBytes: 4096n + 100n + 8192n });
    dev.unmap(0, a, dev.sgLength(segs));
    expect(f.loaded(2, 0)).toBe(1); // 4 pages: class 2
  });

  it('pads a segment that would cross the PCI 4 GiB boundary onto it', () => {
    const f = dmaFixture({ type: 'strict' });
    const pci = f.cookie.attachDevice({ dmaMaskBits: 48 });
    const platform = f.cookie.attachDevice({ dmaMaskBits: 48, bus: 'platform' });
    const almost = (1n << 32n) - PAGE; // 4 GiB − 4 KiB, so 4 KiB remain to the boundary
    // PCI: pad = 4096 < 8192 − 1, so the second segment starts at 4 GiB: 4 GiB + 8 KiB in all.
    expect(pci.sgLength([almost, 2n * PAGE])).toBe((1n << 32n) + 2n * PAGE);
    // Platform (no boundary): back to back.
    expect(platform.sgLength([almost, 2n * PAGE])).toBe((1n << 32n) + PAGE);
    // A segment that fits before the boundary is not padded.
    expect(pci.sgLength([almost, PAGE])).toBe(1n << 32n);
    expect(() => pci.sgLength([])).toThrow(SizeError);
    expect(() => pci.sgLength([PAGE, 0n])).toThrow(/bytes 0x0/);
  });
});
