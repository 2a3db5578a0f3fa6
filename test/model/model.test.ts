// TS-model internals: the IOVA tree driven directly, and a long random op stream under the
// invariant checker. The hand-checked scenarios both engines share are in kernel-scenarios.test.ts.
import { describe, it, expect } from 'vitest';
import type { Engine, LabConfig } from '../../src/engine.js';
import { CpuOfflineError } from '../../src/errors.js';
import { createModelEngine } from '../../src/model/lab.js';
import { SlabCache } from '../../src/model/slab.js';
import { IovaTree } from '../../src/model/tree.js';
import { LIMIT32 as LIMIT } from '../support/labs.js';
import { randomInt } from '../support/rng.js';

const lab = (over: Partial<LabConfig> = {}): Engine =>
  createModelEngine({ possibleCpus: 2, onlineCpus: 2, magazines: 'named', slabGeometry: 'slub', ...over });
const newTree = (startPfn = 1n): IovaTree =>
  new IovaTree(12, startPfn, new SlabCache('iommu_iova', 'slub', 1), () => false);

describe('tree', () => {
  it('max32 fast-fail and reset on free', () => {
    const t = newTree();
    expect(t.allocIova(0x80000n, LIMIT, true)).toBe(0x80000n);
    expect(t.allocIova(0x80000n, LIMIT, true)).toBe(0n);
    expect(t.max32AllocSize).toBe(0x80000n);
    expect(t.allocIova(0x7ffffn, LIMIT, false)).toBe(1n);
    expect(t.allocIova(0x90000n, LIMIT, false)).toBe(0n); // fast fail
    expect(t.slowAllocFailures).toBe(2);
    expect(t.freeIova(0x80000n)).toBe(true);
    expect(t.max32AllocSize).toBe(0x100000n);
    expect(t.allocIova(0x80000n, LIMIT, true)).toBe(0x80000n);
  });

  it('retries once from the limit when the cursor sits low', () => {
    const t = newTree();
    const a = t.allocIova(0x10n, LIMIT, true); // 0xffff0
    t.allocIova(0x10n, LIMIT, true); // 0xfffe0, cached32
    t.freeIova(a); // cached32 -> successor of 0xffff0 = anchor? (pfnLo >= cached32.pfnLo) -> moves up
    expect(t.allocIova(0x10n, LIMIT, true)).toBe(0xffff0n);
  });

  it("the lookup hint never answers for a node that left the tree or for a pfn outside the hint's range", () => {
    const t = newTree();
    const a = t.allocIova(0x10n, LIMIT, true); // 0xffff0..0xfffff
    const b = t.allocIova(0x10n, LIMIT, true); // 0xfffe0..0xfffef
    expect(t.findContaining(a + 3n)?.pfnLo).toBe(a); // the hint is now a's node
    expect(t.findContaining(b + 3n)?.pfnLo).toBe(b); // outside a's range: a descent
    expect(t.freeIova(b)).toBe(true); // b was the hint
    expect(t.findContaining(b + 3n)).toBeNull();
    expect(t.findExact(b)).toBeNull();
    expect(t.allocIova(0x20n, LIMIT, true)).toBe(0xfffc0n); // the free range b left is too small
    expect(t.findContaining(b)).toBeNull();
    // reserve_iova grows a node downwards: the hint follows the node's range as it is now
    expect(t.findContaining(a)?.pfnLo).toBe(a);
    expect(t.reserveIova(a - 8n, a + 1n)).toBe(a - 8n);
    expect(t.findContaining(a - 8n)?.pfnLo).toBe(a - 8n);
    expect(t.findExact(a)).toBeNull();
    t.freeAll();
    expect(t.findContaining(a - 8n)).toBeNull();
  });
});

describe('random op stream', () => {
  it('keeps invariants', () => {
    const rnd = randomInt(12345);
    for (const magazines of ['named', 'unnamed'] as const) {
      const e = lab({ possibleCpus: 4, onlineCpus: 3, magazines });
      const doms = [e.createDomain(4096, 1n), e.createDomain(4096, 0xff000n)];
      const live: [number, bigint, bigint][] = [];
      for (let step = 0; step < 4000; step++) {
        const d = doms[rnd(doms.length)];
        const cpu = rnd(3);
        const op = rnd(10);
        try {
          if (op < 4) {
            const size = BigInt(1 + rnd(rnd(4) === 0 ? 80 : 8));
            const pfn = e.allocFast(d, cpu, size, rnd(2) ? LIMIT : 0xffffffffn, rnd(2) === 0);
            if (pfn) live.push([d, pfn, size]);
          } else if (op < 8 && live.length) {
            const [dd, pfn, size] = live.splice(rnd(live.length), 1)[0];
            if (rnd(5) === 0) e.free(dd, pfn);
            else e.freeFast(dd, cpu, pfn, size);
          } else if (op === 8) {
            e.advanceClock(BigInt(rnd(150)));
          } else {
            const x = rnd(4);
            if (x === 0) e.flush(d);
            else if (x === 1) {
              e.cpuOffline(2);
              e.cpuOnline(2);
            } else if (x === 2) e.alloc(d, BigInt(1 + rnd(40)), LIMIT, rnd(2) === 0);
            else e.injectFailure(rnd(2) ? 'magazine' : 'iova', 1 + rnd(3));
          }
        } catch (err) {
          // cpu 2 may be offline at the time; nothing else may fail
          expect(err).toBeInstanceOf(CpuOfflineError);
        }
        if (step % 25 === 0) e.checkInvariants();
      }
      e.checkInvariants();
      for (const d of doms) e.putDomain(d);
      const s = e.snapshot();
      expect(s.caches.every((c) => c.activeObjs === 0 && c.numSlabs === 0)).toBe(true);
      e.checkInvariants();
    }
  });
});
