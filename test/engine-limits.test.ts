// The engines' limits, on both engines with the same statuses: the exact 64-bit clock, live
// domains × CPUs, what a bad free or reserve is told, symmetric hotplug errors, lab config errors
// naming their bound, capped echoes, and the TS engine's memory budget (OutOfMemoryError, never a
// V8 heap abort).
import { describe, expect, it } from 'vitest';
import type { Engine, EngineName, LabConfig } from '../src/engine.js';
import {
  ClockOverflowError,
  CpuStateError,
  describeArgs,
  DomainLimitError,
  LabConfigError,
  MAX_ECHO_CHARS,
  NotAllocatedError,
  OutOfMemoryError,
  ReserveRangeError,
  Status,
} from '../src/errors.js';
import { MAX_DOMAIN_CPUS, MAX_POSSIBLE_CPUS } from '../src/generated/abi.js';
import { createEngine } from '../src/lab.js';
import { estimatedBytes, TS_MEMORY_BUDGET } from '../src/model/budget.js';
import { ModelEngine } from '../src/model/lab.js';
import { KERNEL_PROFILES } from '../src/policy.js';
import { snapshotToJson } from '../src/report/json.js';
import { ENGINES, LIMIT32 } from './support/labs.js';

const U64_MAX = (1n << 64n) - 1n;
const ONE_CPU: LabConfig = { possibleCpus: 1, onlineCpus: 1, magazines: 'named', slabGeometry: 'slub' };

/** The error `call` throws (the test fails when it throws none). */
function thrown(call: () => unknown): Error & { status: number } {
  try {
    call();
  } catch (e) {
    return e as Error & { status: number };
  }
  throw new Error('expected an error');
}

/** `call` fails with `Cls` and `status`, and the snapshot is unchanged. */
function refused(
  e: Engine,
  call: () => unknown,
  Cls: new (...a: never[]) => Error,
  status: number,
  text: RegExp,
): void {
  const before = e.snapshot();
  const err = thrown(call);
  expect(err).toBeInstanceOf(Cls);
  expect(err.status).toBe(status);
  expect(err.message).toMatch(text);
  expect(e.snapshot()).toEqual(before);
}

describe.each(ENGINES)('%s engine limits', (name: EngineName) => {
  it('the clock is exact to 2^64 - 1 ms: passing it is refused, a trim due past it waits there', async () => {
    const e = await createEngine(name, ONE_CPU);
    const d = e.createDomain(4096, 1n);
    e.advanceClock(U64_MAX - 50n);
    const pfns = Array.from({ length: 4 * 127 + 1 }, () => e.allocFast(d, 0, 1n, LIMIT32, true));
    for (const pfn of pfns) e.freeFast(d, 0, pfn, 1n);
    expect(e.snapshot().classes[0].depotMags).toBe(3); // a trim work is queued 100 ms on
    refused(e, () => e.advanceClock(51n), ClockOverflowError, Status.CLOCK_OVERFLOW, /pass 2\^64 - 1.*ms 0x33/);
    e.advanceClock(49n);
    expect(e.snapshot().classes[0].depotTrims).toBe(0); // not due before 2^64 - 1 (no wrap-around)
    e.advanceClock(1n);
    expect(e.snapshot().classes[0]).toMatchObject({ depotTrims: 2, depotMags: 1 }); // down to 1 online CPU
    e.advanceClock(0n);
    refused(e, () => e.advanceClock(1n), ClockOverflowError, Status.CLOCK_OVERFLOW, /pass 2\^64 - 1/);
    refused(e, () => e.advanceClock(U64_MAX), ClockOverflowError, Status.CLOCK_OVERFLOW, /pass 2\^64 - 1/);
    e.checkInvariants();
    e.dispose();
  });

  it('snapshots and JSON reports give the clock exactly past 2^53', async () => {
    const e = await createEngine(name, ONE_CPU);
    e.advanceClock(2n ** 53n + 1n);
    expect(e.snapshot().nowMs).toBe(2n ** 53n + 1n);
    expect(snapshotToJson(e.snapshot()).nowMs).toBe('9007199254740993');
    e.advanceClock(U64_MAX - 2n ** 53n - 1n);
    expect(snapshotToJson(e.snapshot()).nowMs).toBe('18446744073709551615');
    e.dispose();
  });

  it('a long idle runs one trim per depot magazine, however long the advance', async () => {
    const e = await createEngine(name, ONE_CPU);
    const d = e.createDomain(4096, 1n);
    const pfns = Array.from({ length: 12 * 127 }, () => e.allocFast(d, 0, 1n, LIMIT32, true));
    for (const pfn of pfns) e.freeFast(d, 0, pfn, 1n);
    const depot = e.snapshot().classes[0].depotMags;
    expect(depot).toBeGreaterThan(5);
    e.advanceClock(1n << 63n); // 2^63 ms: ~10^17 trim periods, but only depot - 1 magazines to trim
    expect(e.snapshot().classes[0]).toMatchObject({ depotTrims: depot - 1, depotMags: 1 });
    e.dispose();
  });

  it('freeFast inside an allocated range says it is not the start of one', async () => {
    const e = await createEngine(name, ONE_CPU);
    const d = e.createDomain(4096, 1n);
    const pfn = e.alloc(d, 4n, LIMIT32, false);
    refused(e, () => e.freeFast(d, 0, pfn + 2n, 4n), NotAllocatedError, Status.NOT_RANGE_START, /not its start/);
    refused(e, () => e.freeFast(d, 0, pfn - 10n, 1n), NotAllocatedError, Status.NOT_ALLOCATED, /is not allocated/);
    e.free(d, pfn + 2n); // free_iova frees the range containing the pfn, as the kernel's does
    expect(e.find(d, pfn)).toBeNull();
    e.dispose();
  });

  it('a reserve over a cached IOVA says a cached IOVA overlaps', async () => {
    const e = await createEngine(name, ONE_CPU);
    const d = e.createDomain(4096, 1n);
    const pfn = e.allocFast(d, 0, 1n, LIMIT32, true);
    e.freeFast(d, 0, pfn, 1n);
    refused(e, () => e.reserve(d, pfn - 1n, pfn), ReserveRangeError, Status.RESERVE_CACHED, /cached in a magazine/);
    refused(e, () => e.reserve(d, 5n, 4n), ReserveRangeError, Status.RANGE, /lo <= hi/);
    e.dispose();
  });

  it('hotplug errors are symmetric: onlining an online CPU, offlining an offline one', async () => {
    const e = await createEngine(name, { ...ONE_CPU, possibleCpus: 3, onlineCpus: 2 });
    refused(e, () => e.cpuOnline(0), CpuStateError, Status.CPU_ALREADY_ONLINE, /already online/);
    refused(e, () => e.cpuOffline(2), CpuStateError, Status.CPU_ALREADY_OFFLINE, /already offline/);
    e.cpuOffline(1);
    refused(e, () => e.cpuOffline(0), CpuStateError, Status.LAST_ONLINE_CPU, /last online CPU/);
    e.dispose();
  });

  it('a lab config error names the bound', async () => {
    const err = await createEngine(name, { ...ONE_CPU, possibleCpus: 5000 }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(LabConfigError);
    expect((err as Error).message).toMatch(new RegExp(`possibleCpus 5000.*at most ${MAX_POSSIBLE_CPUS}`));
    const online = await createEngine(name, { ...ONE_CPU, possibleCpus: 4, onlineCpus: 5 }).then(
      () => null,
      (x) => x,
    );
    expect((online as Error).message).toMatch(/onlineCpus 5.*\[1, possibleCpus 4\]/);
  });

  it('live domains x possible CPUs stay within MAX_DOMAIN_CPUS, checked before anything changes', async () => {
    const lazy = { ...KERNEL_PROFILES['v6.9'].policy, lazy: true };
    const e = await createEngine(name, { ...ONE_CPU, possibleCpus: MAX_POSSIBLE_CPUS, policy: lazy });
    const n = MAX_DOMAIN_CPUS / MAX_POSSIBLE_CPUS;
    for (let i = 0; i < n; i++) e.createDomain(4096, 1n);
    refused(e, () => e.createDomain(4096, 1n), DomainLimitError, Status.DOMAIN_LIMIT, /at most 4194304/);
    e.putDomain(7);
    expect(e.createDomain(4096, 1n)).toBe(n); // room again after a put
    e.dispose();
  }, 60_000);
});

describe('error messages', () => {
  it('cap what they echo of a value', () => {
    const text = describeArgs({ kind: 'x'.repeat(10_000), pfn: 0x10n });
    expect(text.length).toBeLessThan(MAX_ECHO_CHARS + 60);
    expect(text).toMatch(/kind x+… \(10000 chars\), pfn 0x10/);
  });
});

describe('TS engine memory budget', () => {
  /** A TS engine with a small budget, so the test reaches it quickly. */
  class SmallBudget extends ModelEngine {
    protected override readonly memoryBudget = 200_000;
  }

  it('allocations past the budget fail with OutOfMemoryError, nothing changed, the lab usable', () => {
    const e = new SmallBudget(ONE_CPU);
    const d = e.createDomain(4096, 1n);
    const pfns: bigint[] = [];
    let err: Error | undefined;
    for (let i = 0; i < 10_000 && !err; i++) {
      const before = e.snapshot();
      try {
        pfns.push(e.alloc(d, 1n, LIMIT32, false));
      } catch (x) {
        err = x as Error;
        expect(e.snapshot()).toEqual(before);
      }
    }
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect(err!.message).toMatch(/heap is exhausted.*budgetBytes 200000/);
    expect(pfns.length).toBeGreaterThan(100);
    expect(() => e.allocFast(d, 0, 1n, LIMIT32, true)).toThrow(OutOfMemoryError);
    e.free(d, pfns.pop()!);
    e.free(d, pfns.pop()!);
    expect(e.alloc(d, 1n, LIMIT32, false)).not.toBe(0n); // usable once memory is given back
    e.checkInvariants();
  });

  it('refuses, with OutOfMemoryError, 4096-CPU domains long before V8 would run out of heap', () => {
    // Each eager 4096-CPU domain holds 49152 magazines; without the budget the TS engine grows until
    // V8 aborts the process. With it, creation stops at the budget with the WASM engine's error.
    const config = { ...ONE_CPU, possibleCpus: MAX_POSSIBLE_CPUS };
    const e = new ModelEngine(config);
    let n = 0;
    let err: unknown;
    for (;;) {
      try {
        e.createDomain(4096, 1n);
        n++;
      } catch (x) {
        err = x;
        break;
      }
    }
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as OutOfMemoryError).status).toBe(Status.NOMEM);
    const perDomain = estimatedBytes({ domains: 1, possibleCpus: MAX_POSSIBLE_CPUS, magazines: 12 * 4096, nodes: 0 });
    expect(n).toBe(Math.floor(TS_MEMORY_BUDGET / perDomain));
    expect(e.snapshot().domains.length).toBe(n);
    e.putDomain(0);
    e.createDomain(4096, 1n); // room again
    e.checkInvariants();
    e.dispose();
  }, 120_000);
});
