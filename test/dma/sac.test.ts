import { describe, expect, it } from 'vitest';
import { DMA_FACETS_V6_8, type DmaBus, type DmaLayerFacets, type EngineName } from '../../src/engine.js';
import { BusError, DmaMaskError } from '../../src/errors.js';
import type { DomainCounters } from '../../src/snapshot.js';
import { ENGINES } from '../support/labs.js';
import { dmaFixture, PAGE } from './support.js';

// start_pfn 0xffffe leaves two pages below 4 GiB (0xffffe, 0xfffff): two 32-bit maps succeed,
// the third fails there. The 48-bit aperture's top pfn is 2^36 − 1 = 0xfffffffff.
async function fourMaps(
  engine: EngineName,
  facets: DmaLayerFacets,
  bus: DmaBus,
): Promise<{ addrs: bigint[]; row: DomainCounters }> {
  const f = await dmaFixture(engine, { type: 'strict', startPfn: 0xffffen, facets });
  const dev = f.domain.attachDevice({ dmaMaskBits: 64, bus });
  const addrs = [0, 1, 2, 3].map(() => dev.map(0, PAGE));
  return { addrs, row: f.row() };
}

describe.each(ENGINES)('the SAC trick (%s engine)', (engine) => {
  it('up to v6.5 every map of a 64-bit PCI device tries 32 bits first', async () => {
    const { addrs, row } = await fourMaps(engine, { ...DMA_FACETS_V6_8, sacLatch: false }, 'pci');
    // Maps 1-2 inside 4 GiB; 3 and 4 fail there and take the aperture top: 0xfffffffff, 0xffffffffe.
    expect(addrs).toEqual([0xfffff000n, 0xffffe000n, 0xfffffffff000n, 0xffffffffe000n]);
    expect(row).toMatchObject({ sacAttempts: 4, sacSuccesses: 2, sacSwitched: 0 });
  });

  it('from v6.6 the first 32-bit failure switches the device for good', async () => {
    const { addrs, row } = await fourMaps(engine, DMA_FACETS_V6_8, 'pci');
    expect(addrs).toEqual([0xfffff000n, 0xffffe000n, 0xfffffffff000n, 0xffffffffe000n]);
    // Map 3 failed and switched the device; map 4 made no attempt.
    expect(row).toMatchObject({ sacAttempts: 3, sacSuccesses: 2, sacSwitched: 1 });
  });

  it('a platform device never tries', async () => {
    const { addrs, row } = await fourMaps(engine, DMA_FACETS_V6_8, 'platform');
    expect(addrs).toEqual([0xfffffffff000n, 0xffffffffe000n, 0xffffffffd000n, 0xffffffffc000n]);
    expect(row).toMatchObject({ sacAttempts: 0, sacSwitched: 0 });
  });

  it('forcedac and 32-bit devices make no attempt; a mask below start_pfn is refused', async () => {
    const f = await dmaFixture(engine, { type: 'strict', startPfn: 0xffffen });
    expect(f.domain.attachDevice({ dmaMaskBits: 64, forceDac: true }).map(0, PAGE)).toBe(0xfffffffff000n);
    expect(f.domain.attachDevice({ dmaMaskBits: 32 }).map(0, PAGE)).toBe(0xfffff000n);
    expect(f.row()).toMatchObject({ sacAttempts: 0, devices: 2 });
    // 20 bits: limit pfn 0xff < start_pfn 0xffffe.
    expect(() => f.domain.attachDevice({ dmaMaskBits: 20 })).toThrow(DmaMaskError);
    expect(() => f.domain.attachDevice({ dmaMaskBits: 65 })).toThrow(/dmaMaskBits 65/);
    expect(() =>
      f.lab.engine.attachDevice(f.domain.id, {
        bus: 'isa' as DmaBus,
        dmaMaskBits: 64,
        coherentMaskBits: 64,
        forceDac: false,
      }),
    ).toThrow(BusError);
    expect(f.row().devices).toBe(2);
  });

  it('a coherent allocation uses the coherent mask', async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 64, coherentMaskBits: 32, bus: 'platform' });
    expect(dev.allocCoherent(0, PAGE)).toBe(0xfffff000n);
    expect(dev.map(0, PAGE)).toBe(0xfffffffff000n);
  });
});
