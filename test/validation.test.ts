// Bad input: each gets its named error class, a message naming the offending value, and leaves
// every counter unchanged. Runs on both engines.
import { describe, expect, it } from 'vitest';
import {
  CpuOfflineError,
  CpuRangeError,
  CpuStateError,
  DisposedError,
  DoubleFreeError,
  GranuleError,
  InvalidNumberError,
  LabConfigError,
  LimitError,
  NotAllocatedError,
  ReserveRangeError,
  SizeClassError,
  SizeError,
  StartPfnError,
  UnknownDomainError,
  IovaLabError,
} from '../src/errors.js';
import type { IovaDomain } from '../src/domain.js';
import type { IovaLab } from '../src/lab.js';
import { ENGINES, LIMIT32, newLab } from './support/labs.js';

type ErrorClass = new (...args: never[]) => IovaLabError;

describe.each(ENGINES)('%s engine rejects bad input', (engine) => {
  async function setup(): Promise<{ lab: IovaLab; dom: IovaDomain; live: bigint; cached: bigint }> {
    const lab = await newLab(engine, { possibleCpus: 4, onlineCpus: 3 });
    const dom = lab.createDomain({ startPfn: 0x100n });
    const live = dom.allocFast(0, 4, LIMIT32);
    const cached = dom.allocFast(0, 1, LIMIT32);
    dom.freeFast(0, cached, 1);
    return { lab, dom, live, cached };
  }

  const cases: [string, ErrorClass, string, (c: Awaited<ReturnType<typeof setup>>) => unknown][] = [
    ['size 0', SizeError, 'size 0x0', ({ dom }) => dom.allocFast(0, 0, LIMIT32)],
    [
      'size above the domain range',
      SizeError,
      `size 0x${(1n << 52n).toString(16)}`,
      ({ dom }) => dom.alloc(1n << 52n, LIMIT32),
    ],
    ['limit below start_pfn', LimitError, 'limitPfn 0xff', ({ dom }) => dom.allocFast(0, 1, 0xff)],
    ['granule not a power of two', GranuleError, 'granule 3000', ({ lab }) => lab.createDomain({ granule: 3000 })],
    ['granule above 4096', GranuleError, 'granule 8192', ({ lab }) => lab.createDomain({ granule: 8192 })],
    ['start PFN 0', StartPfnError, 'startPfn 0x0', ({ lab }) => lab.createDomain({ startPfn: 0 })],
    ['CPU id out of range', CpuRangeError, 'cpu 4', ({ dom }) => dom.allocFast(4, 1, LIMIT32)],
    ['offline CPU allocating', CpuOfflineError, 'cpu 3', ({ dom }) => dom.allocFast(3, 1, LIMIT32)],
    ['offline CPU freeing', CpuOfflineError, 'cpu 3', ({ dom, live }) => dom.freeFast(3, live, 4)],
    ['onlining an online CPU', CpuStateError, 'cpu 0', ({ lab }) => lab.cpuOnline(0)],
    ['freeing a PFN that is not allocated', NotAllocatedError, 'pfn 0x1234', ({ dom }) => dom.free(0x1234)],
    [
      'fast-freeing a PFN that is not allocated',
      NotAllocatedError,
      'pfn 0x1234',
      ({ dom }) => dom.freeFast(0, 0x1234, 1),
    ],
    ['double free of a cached PFN', DoubleFreeError, 'pfn', ({ dom, cached }) => dom.freeFast(1, cached, 1)],
    ['slow free of a cached PFN', DoubleFreeError, 'pfn', ({ dom, cached }) => dom.free(cached)],
    ['freeing with the wrong size class', SizeClassError, 'size 0x40', ({ dom, live }) => dom.freeFast(0, live, 64)],
    ['reserve with lo > hi', ReserveRangeError, 'lo 0x300', ({ dom }) => dom.reserve(0x300, 0x200)],
    ['reserve below start_pfn', ReserveRangeError, 'lo 0x10', ({ dom }) => dom.reserve(0x10, 0x200)],
    ['reserve over a cached IOVA', ReserveRangeError, 'hi', ({ dom, cached }) => dom.reserve(cached - 4n, cached)],
    ['a non-integer size', InvalidNumberError, '1.5', ({ dom }) => dom.allocFast(0, 1.5, LIMIT32)],
    ['a negative PFN', InvalidNumberError, '-1', ({ dom }) => dom.free(-1n)],
    ['a PFN above 2^64', InvalidNumberError, String(1n << 64n), ({ dom }) => dom.free(1n << 64n)],
    ['a NaN CPU', InvalidNumberError, 'NaN', ({ dom }) => dom.allocFast(Number.NaN, 1, LIMIT32)],
  ];

  it.each(cases)('%s', async (_name, Cls, named, call) => {
    const c = await setup();
    const before = c.lab.snapshot();
    let thrown: unknown;
    try {
      call(c);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(Cls);
    expect((thrown as Error).message).toContain(named);
    expect(c.lab.snapshot()).toEqual(before);
    c.lab.checkInvariants();
    c.lab.dispose();
  });

  it('offlining the last online CPU is refused', async () => {
    using lab = await newLab(engine, { possibleCpus: 2, onlineCpus: 1 });
    expect(() => lab.cpuOffline(0)).toThrow(CpuStateError);
    expect(lab.snapshot().onlineCpus).toBe(1);
  });

  it('a bad lab configuration is refused', async () => {
    await expect(newLab(engine, { possibleCpus: 0 })).rejects.toBeInstanceOf(LabConfigError);
    await expect(newLab(engine, { possibleCpus: 2, onlineCpus: 3 })).rejects.toBeInstanceOf(LabConfigError);
  });

  it('a put domain and a disposed lab refuse further use', async () => {
    const lab = await newLab(engine, { possibleCpus: 2 });
    const dom = lab.createDomain();
    const other = lab.createDomain();
    dom.dispose();
    expect(() => dom.allocFast(0, 1, LIMIT32)).toThrow(UnknownDomainError);
    lab.dispose();
    expect(() => other.allocFast(0, 1, LIMIT32)).toThrow(DisposedError);
    expect(() => lab.snapshot()).toThrow(DisposedError);
    expect(() => other.dispose()).not.toThrow(); // already put with the lab
  });
});
