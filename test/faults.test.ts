// Injected allocation failures take the kernel's fallbacks, on both engines.
import { describe, expect, it } from 'vitest';
import { AllocationFailedError } from '../src/errors.js';
import { ENGINES, LIMIT32, active, newLab } from './support/labs.js';

describe.each(ENGINES)('%s engine under injected faults', (engine) => {
  it('a failed magazine allocation on free returns the IOVA to the tree', async () => {
    using lab = await newLab(engine, { possibleCpus: 1 });
    const dom = lab.createDomain();
    const pfns = Array.from({ length: 255 }, () => dom.allocFast(0, 1, LIMIT32));
    pfns.slice(0, 254).forEach((p) => dom.freeFast(0, p, 1)); // loaded and prev now full
    lab.injectFailure('magazine', 1);
    dom.freeFast(0, pfns[254], 1);
    const s = lab.snapshot();
    expect(s.magazines.depot).toBe(0);
    expect(dom.find(pfns[254])).toBeNull(); // freed to the tree instead of cached
    expect(s.domains[0]).toMatchObject({ liveIovas: 254, cachedPfns: 254 });
    lab.checkInvariants();
  });

  it('a failed iommu_iova allocation makes alloc return 0 and changes nothing else', async () => {
    using lab = await newLab(engine, { possibleCpus: 1 });
    const dom = lab.createDomain();
    lab.injectFailure('iova', 2);
    expect(dom.alloc(1, LIMIT32)).toBe(0xfffffn);
    expect(dom.alloc(1, LIMIT32)).toBe(0n);
    expect(dom.alloc(1, LIMIT32)).toBe(0xffffen);
    expect(active(lab.snapshot(), 'iommu_iova')).toBe(2);
  });

  it('domain init that cannot get a magazine fails cleanly and frees what it had', async () => {
    using lab = await newLab(engine, { possibleCpus: 4 });
    lab.injectFailure('magazine', 30);
    expect(() => lab.createDomain()).toThrow(AllocationFailedError);
    const s = lab.snapshot();
    expect(active(s, 'iommu_iova_magazine')).toBe(0);
    expect(active(s, 'kmalloc-1k')).toBe(0);
    expect(s.domains).toEqual([]);
    lab.createDomain(); // the lab stays usable
    expect(active(lab.snapshot(), 'iommu_iova_magazine')).toBe(48);
  });
});
