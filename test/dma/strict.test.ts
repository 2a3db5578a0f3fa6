import { describe, expect, it } from 'vitest';
import { DMA_FACETS_V6_8 } from '../../src/engine.js';
import {
  DisposedError,
  DoubleFreeError,
  NotAllocatedError,
  NotDmaDomainError,
  OffsetError,
  SizeClassError,
  SizeError,
} from '../../src/errors.js';
import { ENGINES } from '../support/labs.js';
import { dmaFixture, PAGE } from './support.js';

describe.each(ENGINES)('strict unmap (%s engine)', (engine) => {
  it("lands in the unmapping CPU's loaded magazine at once", async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    // 32-bit mask: limit pfn 0xfffff; the empty tree hands out the top page.
    const a = dev.map(0, 100n);
    expect(a).toBe(0xfffff000n);
    dev.unmap(2, a, 100n);
    // In CPU 2's class-0 loaded magazine (not CPU 0's, which mapped it).
    expect(f.loaded(0, 2)).toBe(1);
    expect(f.loaded(0, 0)).toBe(0);
    expect(f.row()).toMatchObject({ dmaType: 1, devices: 1, cachedPfns: 1, queued: 0, fqRings: 0 });
    expect(f.fq()).toBeUndefined();
    // A map on CPU 2 takes it straight back out of that magazine.
    expect(dev.map(2, PAGE)).toBe(0xfffff000n);
    expect(f.loaded(0, 2)).toBe(0);
    f.lab.checkInvariants();
  });

  it('keeps the page offset and frees the aligned page count', async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    dev.map(0, 1n); // 0xfffff
    // 4096 bytes at offset 0x10 span 2 pages: size-aligned below 0xfffff at (0xfffff − 2) & ~1 = 0xffffc.
    const a = dev.map(1, PAGE, { offset: 0x10n });
    expect(a).toBe(0xffffc010n);
    expect(f.domain.find(0xffffcn)).toEqual({ pfnLo: 0xffffcn, pfnHi: 0xffffdn });
    // 1 byte at offset 0x10 is 1 page: class 0, not the 2-page node's class 1.
    expect(() => dev.unmap(1, a, 1n)).toThrow(SizeClassError);
    dev.unmap(1, a, PAGE);
    expect(f.loaded(1, 1)).toBe(1);
    expect(f.row()).toMatchObject({ maps: 2, unmaps: 1, mappedBytes: 4097, mapFailures: 0 });
  });

  it('rounds a cacheable size to a power of two whether the caller (before v5.17) or alloc_iova_fast does', async () => {
    for (const roundInCaller of [false, true]) {
      const f = await dmaFixture(engine, { type: 'strict', facets: { ...DMA_FACETS_V6_8, roundInCaller } });
      const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
      // 3 pages round to 4: 4-aligned at the top, 0xffffc..0xfffff; the unmap frees 3 pages, class 2 all the same.
      const a = dev.map(0, 3n * PAGE);
      expect(a).toBe(0xffffc000n);
      expect(f.domain.find(0xffffcn)?.pfnHi).toBe(0xfffffn);
      dev.unmap(0, a, 3n * PAGE);
      expect(f.loaded(2, 0)).toBe(1);
    }
  });

  it('rejects bad unmaps and maps by name, leaving the model unchanged', async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    dev.unmap(0, a, PAGE);
    expect(() => dev.unmap(0, a, PAGE)).toThrow(DoubleFreeError);
    expect(() => dev.unmap(0, 0x12345000n, PAGE)).toThrow(/dmaAddr 0x12345000/);
    expect(() => dev.unmap(0, 0x12345000n, PAGE)).toThrow(NotAllocatedError);
    expect(() => dev.map(0, 0n)).toThrow(SizeError);
    // The 48-bit aperture holds 2^48 bytes; one more is bad input, named in the message.
    expect(() => dev.map(0, (1n << 48n) + 1n)).toThrow(/bytes 0x1000000000001/);
    expect(() => dev.map(0, 1n, { offset: PAGE })).toThrow(OffsetError);
    expect(f.loaded(0, 0)).toBe(1);
    expect(f.row()).toMatchObject({ liveIovas: 1, maps: 1, unmaps: 1 });
    // A plain domain has no DMA layer to attach to.
    expect(() => f.lab.createDomain().attachDevice({ dmaMaskBits: 32 })).toThrow(NotDmaDomainError);
    f.lab.checkInvariants();
  });

  it('a device goes with its domain', async () => {
    const f = await dmaFixture(engine, { type: 'strict' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    f.domain.dispose();
    expect(() => dev.map(0, PAGE)).toThrow(DisposedError);
    expect(() => f.lab.engine.map(dev.id, 0, PAGE, 0n, false)).toThrow(/device 0/);
  });
});
