import { describe, expect, it } from 'vitest';
import { LimitError } from '../../src/errors.js';
import { DMA_FACETS_V6_8, type DmaBus, type DmaFacets } from '../../src/model/dma.js';
import { dmaFixture, PAGE } from './support.js';

// start_pfn 0xffffe leaves two pages below 4 GiB (0xffffe, 0xfffff): two 32-bit maps succeed,
// the third fails there. The 48-bit aperture's top pfn is 2^36 − 1 = 0xfffffffff.
function fourMaps(facets: DmaFacets, bus: DmaBus): { addrs: bigint[]; stats: object } {
  const f = dmaFixture({ type: 'strict', startPfn: 0xffffen, facets });
  const dev = f.cookie.attachDevice({ dmaMaskBits: 64, bus });
  const addrs = [0, 1, 2, 3].map(() => dev.map(0, PAGE));
  return { addrs, stats: f.cookie.stats };
}

describe('the SAC trick', () => {
  it('up to v6.5 every map of a 64-bit PCI device tries 32 bits first', () => {
    const { addrs, stats } = fourMaps({ ...DMA_FACETS_V6_8, sacLatch: false }, 'pci');
    // Maps 1-2 inside 4 GiB; 3 and 4 fail there and take the aperture top: 0xfffffffff, 0xffffffffe.
    expect(addrs).toEqual([0xfffff000n, 0xffffe000n, 0xfffffffff000n, 0xffffffffe000n]);
    expect(stats).toMatchObject({ sacAttempts: 4, sacSuccesses: 2, sacSwitched: 0 });
  });

  it('from v6.6 the first 32-bit failure switches the device for good', () => {
    const { addrs, stats } = fourMaps(DMA_FACETS_V6_8, 'pci');
    expect(addrs).toEqual([0xfffff000n, 0xffffe000n, 0xfffffffff000n, 0xffffffffe000n]);
    // Map 3 failed and switched the device; map 4 made no attempt.
    expect(stats).toMatchObject({ sacAttempts: 3, sacSuccesses: 2, sacSwitched: 1 });
  });

  it('a platform device never tries', () => {
    const { addrs, stats } = fourMaps(DMA_FACETS_V6_8, 'platform');
    expect(addrs).toEqual([0xfffffffff000n, 0xffffffffe000n, 0xffffffffd000n, 0xffffffffc000n]);
    expect(stats).toMatchObject({ sacAttempts: 0, sacSwitched: 0 });
  });

  it('forcedac and 32-bit devices make no attempt; a mask below start_pfn is refused', () => {
    const f = dmaFixture({ type: 'strict', startPfn: 0xffffen });
    expect(f.cookie.attachDevice({ dmaMaskBits: 64, forceDac: true }).map(0, PAGE)).toBe(0xfffffffff000n);
    expect(f.cookie.attachDevice({ dmaMaskBits: 32 }).map(0, PAGE)).toBe(0xfffff000n);
    expect(f.cookie.stats.sacAttempts).toBe(0);
    // 20 bits: limit pfn 0xff < start_pfn 0xffffe.
    expect(() => f.cookie.attachDevice({ dmaMaskBits: 20 })).toThrow(LimitError);
    expect(() => f.cookie.attachDevice({ dmaMaskBits: 65 })).toThrow(/dmaMaskBits 65/);
  });

  it('a coherent allocation uses the coherent mask', () => {
    const f = dmaFixture({ type: 'strict' });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 64, coherentMaskBits: 32, bus: 'platform' });
    expect(dev.map(0, PAGE, { coherent: true })).toBe(0xfffff000n);
    expect(dev.map(0, PAGE)).toBe(0xfffffffff000n);
  });
});
