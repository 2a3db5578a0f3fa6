import { describe, expect, it } from 'vitest';
import { BadOpError, DoubleFreeError } from '../../src/errors.js';
import { VirtualClock } from '../../src/model/clock.js';
import { DMA_FACETS_V6_8 } from '../../src/model/dma.js';
import { fqTimerDue, fqTimerKey } from '../../src/model/flush-queue.js';
import { dmaFixture, PAGE } from './support.js';

describe('lazy unmap (per-CPU flush queues)', () => {
  it('stays queued until the timer expires 10 ms after the first queueing, then lands on the arming CPU', () => {
    const f = dmaFixture({ type: 'lazy' });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 32 });
    const [a, b, c] = [dev.map(0, PAGE), dev.map(0, PAGE), dev.map(0, PAGE)];
    expect([a, b, c]).toEqual([0xfffff000n, 0xffffe000n, 0xffffd000n]);
    f.clock.advance(3n);
    // t=3: CPU 1 queues first and arms the timer for 3 + 10 = 13 ms, on CPU 1.
    dev.unmap(1, a, PAGE);
    const fq = f.cookie.fq!;
    expect([fq.fqTimerOn, fq.timerCpu, fq.timerDue]).toEqual([true, 1, 13n]);
    f.clock.advance(4n);
    // t=7: CPU 3 queues two more; the pending timer keeps its CPU and due time.
    dev.unmap(3, b, PAGE);
    dev.unmap(3, c, PAGE);
    expect(() => dev.unmap(3, c, PAGE)).toThrow(DoubleFreeError);
    expect([fq.timerCpu, fq.timerDue]).toEqual([1, 13n]);
    expect([f.queued(1), f.queued(3)]).toEqual([1, 2]);
    // Queued: still allocated in the tree, in no magazine.
    expect(f.domain.tree.liveCount).toBe(3);
    expect(f.isCached(0xfffffn)).toBe(false);
    expect(f.loaded(0, 1) + f.loaded(0, 3)).toBe(0);
    expect(fq.check()).toBeNull();
    f.clock.advance(5n); // t=12: not yet
    expect(f.queued(1) + f.queued(3)).toBe(3);
    f.clock.advance(1n); // t=13: the timer flushes and frees all three on CPU 1
    expect(f.queued(1) + f.queued(3)).toBe(0);
    expect(f.loaded(0, 1)).toBe(3);
    expect(f.loaded(0, 3)).toBe(0);
    expect(fq.stats).toMatchObject({ timerExpiries: 1, flushesTimer: 1, flushesFull: 0, timerFreed: 3, queueFreed: 0 });
    expect(fq.stats.timerFreedOn).toEqual([0, 3, 0, 0]);
    expect(fq.fqTimerOn).toBe(false);
    expect(fq.check()).toBeNull();
  });

  it('rounds the timeout up to whole jiffies at the lab HZ', () => {
    // HZ 1000: 10 jiffies of 1 ms.
    expect(fqTimerDue(0n, 10, 1000)).toBe(10n);
    // HZ 250 (4 ms jiffies): at 5 ms the jiffy count is 1; 10 ms is 2.5 → 3 jiffies; jiffy 4 ticks at 16 ms.
    expect(fqTimerDue(5n, 10, 250)).toBe(16n);
    // HZ 100: at 5 ms jiffy 0; one jiffy → 10 ms.
    expect(fqTimerDue(5n, 10, 100)).toBe(10n);
    // HZ 300: at 4 ms jiffy 1 (1.2); 3 jiffies → jiffy 4 ticks at 13.3 ms → 14.
    expect(fqTimerDue(4n, 10, 300)).toBe(14n);
    const f = dmaFixture({ type: 'lazy', hz: 250 });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    f.clock.advance(5n);
    dev.unmap(2, a, PAGE);
    f.clock.advance(10n); // t=15
    expect(f.queued(2)).toBe(1);
    f.clock.advance(1n); // t=16
    expect(f.queued(2)).toBe(0);
    expect(f.loaded(0, 2)).toBe(1);
  });

  it('lazy-single: one shared ring of 32768 and a 1000 ms timer; none before v6.7', () => {
    const f = dmaFixture({ type: 'lazy-single' });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    const b = dev.map(0, PAGE);
    dev.unmap(2, a, PAGE); // arms on CPU 2, due 1000
    dev.unmap(3, b, PAGE);
    const fq = f.cookie.fq!;
    expect(fq.rings.length).toBe(1);
    expect(fq.rings[0].size).toBe(32768);
    expect(fq.queuedCounts()).toEqual([2]);
    f.clock.advance(999n);
    expect(fq.queuedCounts()).toEqual([2]);
    f.clock.advance(1n);
    expect(f.loaded(0, 2)).toBe(2);
    expect(() => dmaFixture({ type: 'lazy-single', facets: { ...DMA_FACETS_V6_8, singleQueueAvailable: false } }))
      .toThrow(BadOpError);
    expect(() => dmaFixture({ type: 'lazy', hz: 0 })).toThrow(/hz 0/);
  });

  it("keeps an offline CPU's ring: the timer walks every possible CPU; a timer on a dead CPU moves", () => {
    const f = dmaFixture({ type: 'lazy' });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 32 });
    const a = dev.map(0, PAGE);
    const b = dev.map(0, PAGE);
    dev.unmap(3, a, PAGE); // arms on CPU 3
    dev.unmap(2, b, PAGE);
    f.online[0] = false;
    f.cookie.cpuDead(0);
    expect(f.cookie.fq!.timerCpu).toBe(3);
    f.online[3] = false;
    f.domain.flushCpu(3);
    f.cookie.cpuDead(3);
    expect(f.cookie.fq!.timerCpu).toBe(1); // the first online CPU
    expect(f.queued(3)).toBe(1);
    f.clock.advance(10n);
    expect(f.queued(3)).toBe(0);
    expect(f.loaded(0, 1)).toBe(2);
    expect(f.cookie.fq!.stats.timerFreedOn).toEqual([0, 2, 0, 0]);
  });

  it('at one due time runs every timer before any trim work, timers in domain id order', () => {
    const clock = new VirtualClock();
    const ran: string[] = [];
    clock.schedule(0, 2, 10n, () => ran.push('trim 0/2'));
    clock.schedule(fqTimerKey(1), 0, 10n, () => ran.push('timer 1'));
    clock.schedule(fqTimerKey(0), 0, 10n, () => ran.push('timer 0'));
    clock.advance(10n);
    expect(ran).toEqual(['timer 0', 'timer 1', 'trim 0/2']);
  });

  it('put cancels a pending timer', () => {
    const f = dmaFixture({ type: 'lazy' });
    const dev = f.cookie.attachDevice({ dmaMaskBits: 32 });
    dev.unmap(0, dev.map(0, PAGE), PAGE);
    expect(f.clock.pending).toBe(1);
    f.cookie.put();
    expect(f.clock.pending).toBe(0);
  });
});
