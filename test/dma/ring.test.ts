import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/labs.js';
import { dmaFixture, PAGE } from './support.js';

describe.each(ENGINES)('a per-CPU ring of 256 (%s engine)', (engine) => {
  it("holds 255; the 256th queueing flushes and frees that CPU's entries there; other CPUs free theirs later", async () => {
    const f = await dmaFixture(engine, { type: 'lazy' });
    const dev = f.domain.attachDevice({ dmaMaskBits: 32 });
    const a = Array.from({ length: 256 }, () => dev.map(0, PAGE));
    const [b0, b1] = [dev.map(0, PAGE), dev.map(0, PAGE)];
    // CPU 1 queues one entry (counter 0) before CPU 0 fills its ring.
    dev.unmap(1, b0, PAGE);
    for (let i = 0; i < 255; i++) dev.unmap(0, a[i], PAGE);
    // 255 entries: (tail + 1) mod 256 === head, full, but nothing flushed yet.
    expect(f.queued(0)).toBe(255);
    expect(f.row().flushesFull).toBe(0);
    dev.unmap(0, a[255], PAGE);
    // The 256th: flush; CPU 0 frees its 255 covered entries into its own magazines. loaded fills
    // to 127, swaps with the empty prev, fills to 127 again; both full → loaded to the depot and a
    // new loaded takes the 255th: 127 (depot) + 127 (prev) + 1 (loaded) = 255.
    expect(f.row()).toMatchObject({ flushesFull: 1, queueFreed: 255, queued: 2 });
    expect(f.queued(0)).toBe(1);
    expect([f.loaded(0, 0), f.prev(0, 0), f.depot(0)]).toEqual([1, 127, 1]);
    // CPU 1's older entry is covered by that flush but stays queued: only CPU 1 frees its ring.
    expect(f.queued(1)).toBe(1);
    expect(f.loaded(0, 1)).toBe(0);
    dev.unmap(1, b1, PAGE);
    // Its next queueing frees b0 into CPU 1's own loaded magazine, then queues b1 (no new flush).
    expect(f.loaded(0, 1)).toBe(1);
    expect(f.queued(1)).toBe(1);
    expect(f.row()).toMatchObject({ flushesFull: 1, queueFreed: 256, cachedPfns: 256, queued: 2 });
    f.lab.checkInvariants();
  });
});
