import { describe, expect, it } from 'vitest';
import { DMA_FACETS_V6_8 } from '../../src/engine.js';
import { DmaConfigError, DomainTypeError, QueuedError } from '../../src/errors.js';
import { VirtualClock } from '../../src/model/clock.js';
import { fqTimerDue, fqTimerKey } from '../../src/model/flush-queue.js';
import { ENGINES, newLab } from '../support/labs.js';
import { dmaFixture, PAGE } from './support.js';

describe.each(ENGINES)('lazy unmap, per-CPU flush queues (%s engine)', (engine) => {
  it('stays queued until the timer expires 10 ms after the first queueing, then lands on the arming CPU', async () => {
    const f = await dmaFixture(engine, { type: 'lazy' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    const [a, b, c] = [dev.map(0, PAGE), dev.map(0, PAGE), dev.map(0, PAGE)];
    expect([a, b, c]).toEqual([0xfffff000n, 0xffffe000n, 0xffffd000n]);
    f.advance(3);
    // t=3: CPU 1 queues first and arms the timer for 3 + 10 = 13 ms, on CPU 1.
    dev.unmap(1, a, PAGE);
    expect(f.row().timerPending).toBe(1);
    f.advance(4);
    // t=7: CPU 3 queues two more; the pending timer keeps its CPU and due time.
    dev.unmap(3, b, PAGE);
    dev.unmap(3, c, PAGE);
    expect(() => dev.unmap(3, c, PAGE)).toThrow(QueuedError);
    expect(f.fq()!.queued).toEqual([0, 1, 0, 2]);
    // Queued: still allocated in the tree, in no magazine; a plain free of it is refused.
    expect(f.row()).toMatchObject({ liveIovas: 3, cachedPfns: 0, queued: 3, fqRings: 4 });
    expect(() => f.domain.freeFast(0, 0xfffffn, 1n)).toThrow(QueuedError);
    expect(() => f.domain.free(0xfffffn)).toThrow(QueuedError);
    f.lab.checkInvariants();
    f.advance(5); // t=12: not yet
    expect(f.row().queued).toBe(3);
    f.advance(1); // t=13: the timer flushes and frees all three on CPU 1
    expect(f.fq()!.queued).toEqual([0, 0, 0, 0]);
    expect(f.loaded(0, 1)).toBe(3);
    expect(f.loaded(0, 3)).toBe(0);
    expect(f.row()).toMatchObject({
      timerExpiries: 1,
      flushesTimer: 1,
      flushesFull: 0,
      timerFreed: 3,
      queueFreed: 0,
      timerPending: 0,
    });
    expect(f.fq()!.timerFreedOn).toEqual([0, 3, 0, 0]);
    f.lab.checkInvariants();
  });

  it('rounds the timeout up to whole jiffies at the lab HZ', async () => {
    // HZ 1000: 10 jiffies of 1 ms.
    expect(fqTimerDue(0n, 10, 1000)).toBe(10n);
    // HZ 250 (4 ms jiffies): at 5 ms the jiffy count is 1; 10 ms is 2.5 → 3 jiffies; jiffy 4 ticks at 16 ms.
    expect(fqTimerDue(5n, 10, 250)).toBe(16n);
    // HZ 100: at 5 ms jiffy 0; one jiffy → 10 ms.
    expect(fqTimerDue(5n, 10, 100)).toBe(10n);
    // HZ 300: at 4 ms jiffy 1 (1.2); 3 jiffies → jiffy 4 ticks at 13.3 ms → 14.
    expect(fqTimerDue(4n, 10, 300)).toBe(14n);
    const f = await dmaFixture(engine, { type: 'lazy', hz: 250 });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    f.advance(5);
    dev.unmap(2, a, PAGE);
    f.advance(10); // t=15
    expect(f.queued(2)).toBe(1);
    f.advance(1); // t=16
    expect(f.queued(2)).toBe(0);
    expect(f.loaded(0, 2)).toBe(1);
  });

  it('lazy-single: one shared ring and a 1000 ms timer; none before v6.7', async () => {
    const f = await dmaFixture(engine, { type: 'lazy-single' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    const b = dev.map(0, PAGE);
    dev.unmap(2, a, PAGE); // arms on CPU 2, due 1000
    dev.unmap(3, b, PAGE);
    expect(f.row()).toMatchObject({ dmaType: 3, fqRings: 1, queued: 2 });
    expect(f.fq()!.queued).toEqual([2]);
    f.advance(999);
    expect(f.fq()!.queued).toEqual([2]);
    f.advance(1);
    expect(f.loaded(0, 2)).toBe(2);
    const v66 = await newLab(engine, {
      possibleCpus: 4,
      dmaFacets: { ...DMA_FACETS_V6_8, singleQueueAvailable: false },
    });
    expect(() => v66.createDomain({ type: 'lazy-single' })).toThrow(DomainTypeError);
    expect(v66.snapshot().domains).toEqual([]);
    await expect(newLab(engine, { possibleCpus: 4, hz: 0 })).rejects.toThrow(DmaConfigError);
    await expect(newLab(engine, { possibleCpus: 4, hz: 1001 })).rejects.toThrow(/hz 1001/);
  });

  it("keeps an offline CPU's ring: the timer walks every possible CPU; a timer on a dead CPU moves", async () => {
    const f = await dmaFixture(engine, { type: 'lazy' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    const b = dev.map(0, PAGE);
    dev.unmap(3, a, PAGE); // arms on CPU 3
    dev.unmap(2, b, PAGE);
    f.lab.cpuOffline(0);
    f.lab.cpuOffline(3); // the timer moves to CPU 1, the first online CPU
    expect(f.queued(3)).toBe(1);
    f.advance(10);
    expect(f.queued(3)).toBe(0);
    expect(f.loaded(0, 1)).toBe(2);
    expect(f.fq()!.timerFreedOn).toEqual([0, 2, 0, 0]);
    f.lab.checkInvariants();
  });

  it('put cancels a pending timer and drops the queued IOVAs with the domain', async () => {
    const f = await dmaFixture(engine, { type: 'lazy' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    dev.unmap(0, dev.map(0, PAGE), PAGE);
    f.domain.dispose();
    f.advance(20);
    expect(f.lab.snapshot()).toMatchObject({ domains: [], flushQueues: [] });
    f.lab.checkInvariants();
  });
});

describe('timer order on the TS clock', () => {
  it('at one due time runs every timer before any trim work, timers in domain id order', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.schedule(0, 2, 10n, () => ran.push('trim 0/2'));
    clock.schedule(fqTimerKey(1), 0, 10n, () => ran.push('timer 1'));
    clock.schedule(fqTimerKey(0), 0, 10n, () => ran.push('timer 0'));
    clock.advance(10n);
    expect(ran).toEqual(['timer 0', 'timer 1', 'trim 0/2']);
  });
});
