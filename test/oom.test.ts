// When the WASM heap (2 GiB, MAXIMUM_MEMORY) runs out, every call that needs memory
// fails with the named OutOfMemoryError (E_NOMEM), changes nothing, and the lab stays usable.
// Each test gets a private WASM instance, so exhausting its heap cannot disturb other tests.
import { describe, expect, it } from 'vitest';
import { encodeOps } from '../src/batch.js';
import type { IovaModule } from '../src/bindings.js';
import { InvariantError, OutOfMemoryError, Status } from '../src/errors.js';
import { IovaLab, type LabOptions } from '../src/lab.js';
import { cacheByName, decodeSnapshot, DOMAIN_FIELDS, type Snapshot } from '../src/snapshot.js';
import { MAX_DOMAIN_CPUS } from '../src/generated/abi.js';
import { LIMIT32 } from './support/constants.js';
import { onModule, privateModule } from './support/wasm.js';

interface PrivateLab {
  mod: IovaModule;
  lab: IovaLab;
  /** A snapshot through a buffer malloc'd up front: taking it needs no heap (the public
   *  snapshot() may have to grow its scratch buffer, which fails while the heap is full). */
  rawSnapshot(): Snapshot;
}

async function privateLab(options: LabOptions, maxDomains: number): Promise<PrivateLab> {
  const mod = await privateModule(); // its own instance and heap
  const lab = await IovaLab.create({ ...options, wasm: onModule(mod) });
  // The first lab of a fresh instance is handle 1 (and there is no other).
  expect(mod._iova_snapshot_words(1)).toBeGreaterThan(0);
  expect(mod._iova_snapshot_words(2)).toBe(0);
  const cap = mod._iova_snapshot_words(1) + DOMAIN_FIELDS.length * maxDomains;
  const buf = mod._malloc(cap * 8);
  expect(buf).not.toBe(0);
  return {
    mod,
    lab,
    rawSnapshot() {
      const words = mod._iova_snapshot(1, buf, cap);
      expect(words).toBeGreaterThan(0);
      return decodeSnapshot(new BigUint64Array(mod.HEAPU8.buffer, buf, words).slice());
    },
  };
}

/** malloc until nothing is left, from 256 MiB chunks down to 8 bytes; returns the pointers. */
function fillHeap(mod: IovaModule): number[] {
  const ballast: number[] = [];
  for (let size = 1 << 28; size >= 8;) {
    const p = mod._malloc(size);
    if (p) ballast.push(p);
    else size >>= 1;
  }
  return ballast;
}

/** Runs `call`, which may fail only with OutOfMemoryError; a failure must leave the snapshot as it was. */
function oomOrOk<T>(p: PrivateLab, call: () => T): { ok: true; value: T } | { ok: false; error: OutOfMemoryError } {
  const before = p.rawSnapshot();
  try {
    return { ok: true, value: call() };
  } catch (error) {
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as OutOfMemoryError).status).toBe(Status.NOMEM);
    expect(p.rawSnapshot()).toEqual(before);
    return { ok: false, error: error as OutOfMemoryError };
  }
}

describe('WASM heap exhaustion', () => {
  it('createDomain on 4096 CPUs until the 2 GiB heap is full: OutOfMemoryError, nothing changed, lab usable', async () => {
    // 4096 possible CPUs make each domain 12 × 4096 eager magazines (~0.6 MB of model heap); 1.5 GiB
    // of ballast first leaves room for fewer domains than MAX_DOMAIN_CPUS allows (1024 at 4096
    // CPUs), so the heap, not the domain limit, is what runs out.
    const cpus = 4096;
    const magsPerDomain = 2 * 6 * cpus;
    const p = await privateLab({ possibleCpus: cpus }, 8192);
    const { lab, mod } = p;
    for (let i = 0; i < 6; i++) expect(mod._malloc(1 << 28)).not.toBe(0);
    const domains = [];
    let failure: unknown;
    for (;;) {
      try {
        domains.push(lab.createDomain());
      } catch (error) {
        failure = error;
        break;
      }
    }
    const n = domains.length;
    expect(n).toBeGreaterThan(300);
    expect(n).toBeLessThan(MAX_DOMAIN_CPUS / cpus);
    expect(mod.HEAPU8.length).toBe(2 ** 31); // the heap grew to MAXIMUM_MEMORY
    expect(failure).toBeInstanceOf(OutOfMemoryError);
    expect((failure as OutOfMemoryError).status).toBe(Status.NOMEM);
    expect((failure as Error).message).toMatch(/heap is exhausted.*granule 4096, startPfn 0x1/);

    // The failed call left no trace: exactly n domains' objects were ever allocated, none freed
    // (a half-built domain that was rolled back would show as allocs and frees).
    const after = p.rawSnapshot();
    expect(after.domains.length).toBe(n);
    expect(after.domains.map((d) => d.id)).toEqual(domains.map((d) => d.id));
    expect(after.magazines.total).toBe(n * magsPerDomain);
    expect(cacheByName(after, 'iommu_iova_magazine')).toMatchObject({
      activeObjs: n * magsPerDomain,
      allocs: n * magsPerDomain,
      frees: 0,
    });
    expect(cacheByName(after, 'kmalloc-1k')).toMatchObject({ activeObjs: n, allocs: n, frees: 0 }); // rcache arrays
    expect(cacheByName(after, 'iommu_iova')).toMatchObject({ activeObjs: 0, allocs: 0 });

    // Failing again from the same state changes nothing either (snapshot before/after equal).
    expect(() => lab.createDomain()).toThrow(OutOfMemoryError);
    expect(p.rawSnapshot()).toEqual(after);
    lab.checkInvariants();
    // The public snapshot() mallocs a bigger scratch buffer as domains are added: at a full heap
    // that may fail too, but only with OutOfMemoryError; it must not corrupt anything.
    const pub = oomOrOk(p, () => lab.snapshot());
    if (pub.ok) expect(pub.value).toEqual(after);

    // Usable afterwards: put a few domains and creating succeeds again, with the next id (failed
    // calls consume none); fast alloc/free on the last CPU works; invariants hold. Ten, so the
    // freed memory also holds the snapshot's scratch buffer (its per-CPU rows on 4096 CPUs).
    const put = 10;
    for (const d of domains.splice(0, put)) d.dispose();
    const fresh = lab.createDomain();
    expect(fresh.id).toBe(n);
    const pfn = fresh.allocFast(cpus - 1, 1, LIMIT32);
    expect(pfn).toBe(LIMIT32);
    fresh.freeFast(cpus - 1, pfn, 1);
    expect(fresh.allocFast(cpus - 1, 1, LIMIT32)).toBe(pfn); // a hit from the magazine it was freed to
    const s = lab.snapshot();
    expect(s.domains.length).toBe(n - put + 1);
    expect(s.magazines.total).toBe((n - put + 1) * magsPerDomain);
    lab.checkInvariants();
    lab.dispose();
  }, 180_000);

  it('a full heap fails fast frees, allocs, reserve, batches, createDomain and lab creation cleanly', async () => {
    const cpus = 4;
    const p = await privateLab({ possibleCpus: cpus }, 16);
    const { lab, mod } = p;
    const dom = lab.createDomain();
    // Warm up while there is memory: tree nodes for 600 ranges, the PFN-buffer pool, the public
    // snapshot's and runBatch's scratch buffer. What is left to grow later is the pool.
    const tmp = Array.from({ length: 600 }, () => dom.alloc(1, LIMIT32));
    tmp.forEach((pfn) => dom.free(pfn));
    dom.freeFast(0, dom.allocFast(0, 1, LIMIT32), 1);
    lab.snapshot();
    expect(
      lab.runBatch(
        encodeOps([
          { op: 'find', domain: dom.id, pfn: 1n },
          { op: 'find', domain: dom.id, pfn: 2n },
        ]),
      ).completed,
    ).toBe(2);
    lab.checkInvariants();

    const ballast = fillHeap(mod);
    expect(mod.HEAPU8.length).toBe(2 ** 31);
    expect(mod._malloc(8)).toBe(0);

    // createDomain: OutOfMemoryError naming its arguments; nothing changed.
    const create = oomOrOk(p, () => lab.createDomain());
    expect(create.ok).toBe(false);
    if (!create.ok) expect(create.error.message).toMatch(/heap is exhausted: granule 4096, startPfn 0x1$/);

    // allocFast of every size class on every CPU: each either works or fails cleanly.
    const held: { pfn: bigint; size: bigint }[] = [];
    for (let k = 0; k < 6; k++) {
      for (let cpu = 0; cpu < cpus; cpu++) {
        for (let j = 0; j < 2; j++) {
          const r = oomOrOk(p, () => dom.allocFast(cpu, 1 << k, LIMIT32));
          if (r.ok) held.push({ pfn: r.value, size: BigInt(1 << k) });
        }
      }
    }
    expect(held.length).toBeGreaterThan(24);

    // freeFast spreads them over 6 classes × 4 CPUs of magazines; each magazine that starts holding
    // PFNs takes a PFN buffer, and the pool cannot grow: from some point on, frees fail.
    const failed: { cpu: number; pfn: bigint; size: bigint }[] = [];
    held.forEach(({ pfn, size }, i) => {
      const cpu = i % cpus;
      const r = oomOrOk(p, () => dom.freeFast(cpu, pfn, size));
      if (!r.ok) {
        expect(r.error.message).toContain(
          `domain ${dom.id}, cpu ${cpu}, pfn 0x${pfn.toString(16)}, size 0x${size.toString(16)}`,
        );
        failed.push({ cpu, pfn, size });
      }
    });
    expect(failed.length).toBeGreaterThan(0);
    const victim = failed[0];
    expect(dom.find(victim.pfn)).not.toBeNull(); // a failed free left the range allocated

    // Other calls that need headroom: each works or fails cleanly (what worked is undone later).
    const slow = oomOrOk(p, () => dom.alloc(1, LIMIT32));
    const reserved = oomOrOk(p, () => dom.reserve(0x200000n, 0x200010n));
    const fast = oomOrOk(p, () => dom.allocFast(1, 1, LIMIT32));

    // A batch stops at the op that ran out of memory: the find before it completed.
    const before = p.rawSnapshot();
    const batch = lab.runBatch(
      encodeOps([
        { op: 'find', domain: dom.id, pfn: victim.pfn },
        { op: 'freeFast', domain: dom.id, cpu: victim.cpu, pfn: victim.pfn, size: victim.size },
      ]),
    );
    expect(batch.completed).toBe(1);
    expect(batch.error).toBeInstanceOf(OutOfMemoryError);
    expect(batch.results[0]).toBe(victim.pfn);
    expect(p.rawSnapshot()).toEqual(before);

    // The checker itself needs a little heap: with none it reports OutOfMemoryError, never a
    // (false) InvariantError.
    try {
      lab.checkInvariants();
    } catch (error) {
      expect(error).not.toBeInstanceOf(InvariantError);
      expect(error).toBeInstanceOf(OutOfMemoryError);
    }

    // A new lab in the same instance: OutOfMemoryError too; the existing lab is untouched.
    await expect(IovaLab.create({ possibleCpus: 1, wasm: onModule(mod) })).rejects.toBeInstanceOf(OutOfMemoryError);
    expect(p.rawSnapshot()).toEqual(before);

    // Release the ballast: everything that failed now works and the invariants hold.
    ballast.forEach((ptr) => mod._free(ptr));
    lab.checkInvariants();
    for (const f of failed) dom.freeFast(f.cpu, f.pfn, f.size);
    if (slow.ok) dom.free(slow.value);
    if (reserved.ok) dom.free(reserved.value);
    if (fast.ok) dom.freeFast(1, fast.value, 1);
    const s = lab.snapshot();
    expect(s.domains[0].liveIovas).toBe(s.domains[0].cachedPfns); // everything held is cached now
    const dom2 = lab.createDomain();
    expect(dom2.id).toBe(1); // the failed createDomain consumed no id
    const q = dom2.allocFast(3, 3, LIMIT32);
    dom2.freeFast(3, q, 3);
    expect(dom2.allocFast(3, 4, LIMIT32)).toBe(q); // sizes 3 and 4 share a class: a hit
    lab.checkInvariants();
    lab.dispose();
  }, 60_000);
});
