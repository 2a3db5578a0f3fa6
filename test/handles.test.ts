// Handles are never reused. The C lab table gives every lab a new slot, so a disposed
// lab's handle stays invalid (E_NO_LAB on every call, no crash) and can never reach a later lab;
// domain ids are likewise never reused (docs/design.md), so a put domain's id stays unknown.
import { describe, expect, it } from 'vitest';
import { encodeOps } from '../src/batch.js';
import type { IovaModule } from '../src/bindings.js';
import type { EngineName } from '../src/engine.js';
import { DisposedError, Status, UnknownDomainError } from '../src/errors.js';
import { IovaLab } from '../src/lab.js';
import { decodeSnapshot, type Snapshot } from '../src/snapshot.js';
import { LIMIT32 } from './support/constants.js';
import { onModule, privateModule } from './support/wasm.js';

/** Raw C calls on one handle, through the module's exports (src/bindings.ts). */
function rawLab(mod: IovaModule) {
  const scratch = mod._malloc(4096 * 8);
  return {
    /** Two words the calls' out-pointers write to (the transfer buffer of a WasmEngine). */
    out: mod._malloc(2 * 8),
    outWords(): bigint[] {
      return [...new BigUint64Array(mod.HEAPU8.buffer, this.out, 2)];
    },
    create(possible = 2): number {
      return mod._iova_lab_create_with_policy(possible, possible, 0, 0, 0); // policy NULL: v6.8
    },
    snapshot(h: number): Snapshot {
      const n = mod._iova_snapshot(h, scratch, 4096);
      expect(n).toBeGreaterThan(0);
      return decodeSnapshot(new BigUint64Array(mod.HEAPU8.buffer, scratch, n).slice());
    },
    /** Every export that takes a lab handle, called with `h`: [name, what it returned]. */
    everyCall(h: number): [string, number | bigint | string][] {
      const ops = scratch,
        results = scratch + 6 * 8,
        out = this.out;
      new BigUint64Array(mod.HEAPU8.buffer, ops, 6).set([1n, 0n, 0n, 1n, LIMIT32, 0n]); // ALLOC_FAST dom 0 cpu 0
      return [
        ['domain_create', mod._iova_domain_create(h, 4096, 1n)],
        ['domain_put', mod._iova_domain_put(h, 0)],
        ['alloc_fast', mod._iova_alloc_fast(h, 0, 0, 1n, LIMIT32, 1, out)],
        ['free_fast', mod._iova_free_fast(h, 0, 0, LIMIT32, 1n)],
        ['alloc', mod._iova_alloc(h, 0, 1n, LIMIT32, 1, out)],
        ['free', mod._iova_free(h, 0, LIMIT32)],
        ['find', mod._iova_find(h, 0, LIMIT32, out)],
        ['reserve', mod._iova_reserve(h, 0, 16n, 32n, out)],
        ['advance_clock', mod._iova_advance_clock(h, 1000n)],
        ['cpu_offline', mod._iova_cpu_offline(h, 1)],
        ['cpu_online', mod._iova_cpu_online(h, 1)],
        ['flush', mod._iova_flush(h, 0)],
        ['inject_failure', mod._iova_inject_failure(h, 0, 1)],
        ['run_batch', mod._iova_run_batch(h, ops, 1, results, scratch + 8 * 8)],
        ['snapshot', mod._iova_snapshot(h, scratch, 4096)],
        ['check_invariants', mod._iova_check_invariants(h)],
        ['snapshot_words', mod._iova_snapshot_words(h)],
        ['invariant_message', mod.UTF8ToString(mod._iova_invariant_message(h))],
        ['lab_destroy', mod._iova_lab_destroy(h)],
      ];
    },
  };
}

/** What every call on a handle that is not (or no longer) a lab must return. */
const NO_LAB_ANSWERS: [string, number | bigint | string][] = [
  ['domain_create', Status.NO_LAB],
  ['domain_put', Status.NO_LAB],
  ['alloc_fast', Status.NO_LAB],
  ['free_fast', Status.NO_LAB],
  ['alloc', Status.NO_LAB],
  ['free', Status.NO_LAB],
  ['find', Status.NO_LAB],
  ['reserve', Status.NO_LAB],
  ['advance_clock', Status.NO_LAB],
  ['cpu_offline', Status.NO_LAB],
  ['cpu_online', Status.NO_LAB],
  ['flush', Status.NO_LAB],
  ['inject_failure', Status.NO_LAB],
  ['run_batch', Status.NO_LAB],
  ['snapshot', Status.NO_LAB],
  ['check_invariants', Status.NO_LAB],
  ['snapshot_words', 0],
  ['invariant_message', 'no lab'],
  ['lab_destroy', Status.NO_LAB],
];

describe('lab handles (C handle table, through the WASM exports)', () => {
  it('a destroyed handle answers E_NO_LAB to every call, and the next lab gets a new handle', async () => {
    const mod = await privateModule();
    const raw = rawLab(mod);
    const h1 = raw.create();
    expect(h1).toBeGreaterThan(0);
    expect(mod._iova_domain_create(h1, 4096, 1n)).toBe(0);
    expect(mod._iova_alloc_fast(h1, 0, 0, 1n, LIMIT32, 1, raw.out)).toBe(Status.OK);
    expect(raw.outWords()[0]).toBe(LIMIT32); // the pfn comes back through the out-pointer
    expect(mod._iova_lab_destroy(h1)).toBe(Status.OK);

    new BigUint64Array(mod.HEAPU8.buffer, raw.out, 2).set([7n, 7n]);
    expect(raw.everyCall(h1)).toEqual(NO_LAB_ANSWERS);
    expect(raw.outWords()[0]).toBe(7n); // a dead handle writes nothing through the pfn/range out-pointers

    const h2 = raw.create();
    expect(h2).toBeGreaterThan(h1);
    expect(mod._iova_domain_create(h2, 4096, 1n)).toBe(0); // domain 0 again, but of lab h2
    expect(mod._iova_alloc_fast(h2, 0, 1, 1n, LIMIT32, 1, raw.out)).toBe(Status.OK);
    const before = raw.snapshot(h2);

    // The stale handle still reaches nothing, in particular not h2 or its domain 0.
    expect(raw.everyCall(h1)).toEqual(NO_LAB_ANSWERS);
    expect(raw.snapshot(h2)).toEqual(before);
    expect(before.domains).toMatchObject([{ id: 0, liveIovas: 1 }]);
    expect(mod._iova_check_invariants(h2)).toBe(Status.OK);
    expect(mod._iova_lab_destroy(h2)).toBe(Status.OK);
  });

  it('handles that were never issued answer E_NO_LAB too', async () => {
    const mod = await privateModule();
    const raw = rawLab(mod);
    const live = raw.create();
    const before = raw.snapshot(live);
    for (const h of [0, -1, -2, live + 1, live + 1000, 0x7fffffff, -0x80000000]) {
      expect(raw.everyCall(h), `handle ${h}`).toEqual(NO_LAB_ANSWERS);
    }
    expect(raw.snapshot(live)).toEqual(before);
    expect(mod._iova_lab_destroy(live)).toBe(Status.OK);
  });

  it('200 labs created and destroyed one after another: every handle is new, every old one stays dead', async () => {
    const mod = await privateModule();
    const raw = rawLab(mod);
    const seen: number[] = [];
    for (let i = 0; i < 200; i++) {
      const h = raw.create(1 + (i % 8));
      expect(seen).not.toContain(h);
      if (seen.length) expect(h).toBeGreaterThan(seen[seen.length - 1]);
      expect(mod._iova_domain_create(h, 4096, 1n)).toBe(0);
      expect(mod._iova_snapshot_words(h)).toBeGreaterThan(0);
      expect(mod._iova_lab_destroy(h)).toBe(Status.OK);
      seen.push(h);
    }
    const last = raw.create();
    for (const h of seen) {
      expect(mod._iova_domain_put(h, 0)).toBe(Status.NO_LAB);
      expect(mod._iova_snapshot_words(h)).toBe(0);
    }
    expect(raw.snapshot(last).domains).toEqual([]);
    expect(raw.everyCall(seen[0])).toEqual(NO_LAB_ANSWERS);
    expect(mod._iova_lab_destroy(last)).toBe(Status.OK);
  });

  it('the TS lab refuses calls after dispose with DisposedError (status E_NO_LAB)', async () => {
    const mod = await privateModule();
    const wasm = onModule(mod);
    const first = await IovaLab.create({ possibleCpus: 2, wasm });
    const dom = first.createDomain();
    const pfn = dom.allocFast(0, 1, LIMIT32);
    first.dispose();
    first.dispose(); // idempotent
    const second = await IovaLab.create({ possibleCpus: 2, wasm });
    const dom2 = second.createDomain();
    expect(dom2.id).toBe(0);
    dom2.allocFast(1, 1, LIMIT32);
    const before = second.snapshot();
    const calls: [string, () => unknown][] = [
      ['createDomain', () => first.createDomain()],
      ['snapshot', () => first.snapshot()],
      ['checkInvariants', () => first.checkInvariants()],
      ['advanceClock', () => first.advanceClock(5)],
      ['cpuOffline', () => first.cpuOffline(1)],
      ['cpuOnline', () => first.cpuOnline(1)],
      ['injectFailure', () => first.injectFailure('magazine', 1)],
      ['runBatch', () => first.runBatch(encodeOps([{ op: 'find', domain: 0, pfn }]))],
      ['allocFast', () => dom.allocFast(0, 1, LIMIT32)],
      ['freeFast', () => dom.freeFast(0, pfn, 1)],
      ['alloc', () => dom.alloc(1, LIMIT32)],
      ['free', () => dom.free(pfn)],
      ['find', () => dom.find(pfn)],
      ['reserve', () => dom.reserve(16, 32)],
      ['flush', () => dom.flush()],
    ];
    for (const [name, call] of calls) {
      let error: unknown;
      try {
        call();
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(DisposedError);
      expect((error as DisposedError).status, name).toBe(Status.NO_LAB);
    }
    expect(second.snapshot()).toEqual(before);
    second.checkInvariants();
    second.dispose();
  });
});

describe.each<EngineName>(['wasm', 'ts'])('domain ids (%s engine)', (engine) => {
  it('a put domain id stays unknown for every call, even after many new domains', async () => {
    using lab = await IovaLab.create({ possibleCpus: 2, engine });
    const d0 = lab.createDomain();
    const d1 = lab.createDomain();
    const pfn = d0.allocFast(0, 1, LIMIT32);
    d0.dispose();
    const later = Array.from({ length: 20 }, () => lab.createDomain());
    expect(later.map((d) => d.id)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    later.slice(0, 10).forEach((d) => d.dispose());
    const again = lab.createDomain();
    expect(again.id).toBe(22); // neither 0 nor a recently put id
    expect(again.allocFast(0, 1, LIMIT32)).toBe(LIMIT32); // the new domain starts empty
    const before = lab.snapshot();
    expect(before.domains.map((d) => d.id)).toEqual([1, ...later.slice(10).map((d) => d.id), 22]);

    const e = lab.engine;
    const stale: [string, () => unknown][] = [
      ['putDomain', () => e.putDomain(0)],
      ['allocFast', () => e.allocFast(0, 0, 1n, LIMIT32, true)],
      ['freeFast', () => e.freeFast(0, 0, pfn, 1n)],
      ['alloc', () => e.alloc(0, 1n, LIMIT32, false)],
      ['free', () => e.free(0, pfn)],
      ['find', () => e.find(0, pfn)],
      ['reserve', () => e.reserve(0, 16n, 32n)],
      ['flush', () => e.flush(0)],
      ['allocFast on a recently put id', () => e.allocFast(later[3].id, 0, 1n, LIMIT32, true)],
      ['the IovaDomain of the put domain', () => d0.allocFast(1, 1, LIMIT32)],
    ];
    for (const [name, call] of stale) expect(call, name).toThrow(UnknownDomainError);
    const batch = lab.runBatch(encodeOps([{ op: 'freeFast', domain: 0, cpu: 0, pfn, size: 1n }]));
    expect(batch.completed).toBe(0);
    expect(batch.error).toBeInstanceOf(UnknownDomainError);
    expect(lab.snapshot()).toEqual(before);
    expect(d1.find(pfn)).toBeNull(); // d0's range never shows up in another domain
    lab.checkInvariants();
  });
});
