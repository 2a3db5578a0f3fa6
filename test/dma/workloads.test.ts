import { describe, expect, it } from 'vitest';
import type { DmaDomainType, Engine, EngineName } from '../../src/engine.js';
import { createEngine, labConfig } from '../../src/lab.js';
import type { Snapshot } from '../../src/snapshot.js';
import { SampledEngine } from '../../src/timeline/sampled-engine.js';
import { runNic } from '../../src/workloads/nic.js';
import { runNvme } from '../../src/workloads/nvme.js';
import { runPause } from '../../src/workloads/pause.js';
import { ENGINES } from '../support/labs.js';

const sum = (s: Snapshot, f: (d: Snapshot['domains'][number]) => number): number =>
  s.domains.reduce((n, d) => n + f(d), 0);
const engineOf = (name: EngineName, cpus: number): Promise<Engine> =>
  createEngine(name, labConfig({ possibleCpus: cpus }));

async function pause(name: EngineName, cpus: number, type: DmaDomainType, gapMs?: number): Promise<Snapshot> {
  const engine = await engineOf(name, cpus);
  runPause(engine, { domains: 1, ops: cpus * 250 * 20, domainType: type, gapMs });
  engine.checkInvariants();
  return engine.snapshot();
}

describe.each(ENGINES)('DMA workloads (%s engine)', (name) => {
  it('pause: under lazy the gap floods the depot past the online CPU count; under strict it does not', async () => {
    const cpus = 4;
    const lazyBefore = await pause(name, cpus, 'lazy', 0);
    const lazy = await pause(name, cpus, 'lazy');
    expect(lazy.magazines.depot).toBeGreaterThan(cpus);
    expect(lazy.magazines.depot).toBeGreaterThan(lazyBefore.magazines.depot);
    expect(sum(lazy, (d) => d.queued)).toBe(0); // the timer emptied every ring…
    expect(sum(lazy, (d) => d.timerExpiries)).toBeGreaterThan(0);
    const strict = await pause(name, cpus, 'strict');
    expect(strict.magazines.depot).toBeLessThanOrEqual(cpus);
    expect(strict.magazines.depot).toBe((await pause(name, cpus, 'strict', 0)).magazines.depot);
    // Nothing stays mapped: every IOVA left is cached (lazy: and nothing queued).
    for (const s of [lazy, strict]) expect(sum(s, (d) => d.liveIovas)).toBe(sum(s, (d) => d.cachedPfns));
  });

  it('nvme: maps on every CPU and unmaps only on the IRQ CPUs; the timer frees on an IRQ CPU', async () => {
    for (const type of ['strict', 'lazy'] as const) {
      const engine = await engineOf(name, 8);
      const mapCpus = new Set<number>();
      const unmapCpus = new Map<number, Set<number>>(); // unmapping CPU -> the CPUs that mapped
      const byAddr = new Map<bigint, number>();
      const { map, mapSg, unmap } = {
        map: engine.map.bind(engine),
        mapSg: engine.mapSg.bind(engine),
        unmap: engine.unmap.bind(engine),
      };
      const mapped = (cpu: number, a: bigint): bigint => {
        mapCpus.add(cpu);
        byAddr.set(a, cpu);
        return a;
      };
      engine.map = (dev, cpu, bytes, off, coherent) => mapped(cpu, map(dev, cpu, bytes, off, coherent));
      engine.mapSg = (dev, cpu, segs) => mapped(cpu, mapSg(dev, cpu, segs));
      engine.unmap = (dev, cpu, addr, bytes) => {
        if (!unmapCpus.has(cpu)) unmapCpus.set(cpu, new Set());
        unmapCpus.get(cpu)!.add(byAddr.get(addr)!);
        unmap(dev, cpu, addr, bytes);
      };
      const r = runNvme(engine, { domains: 2, ops: 3000, durationMs: 50, irqCpus: 2, domainType: type });
      expect(r).toMatchObject({ workload: 'nvme', pairs: 3000, failedAllocs: 0, elapsedMs: 50, deviceIds: [0, 1] });
      expect([...mapCpus].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // 8 CPUs, 2 vectors: queue 0 serves CPUs 0-3 (IRQ on 0), queue 1 CPUs 4-7 (IRQ on 4).
      expect([...unmapCpus.keys()].sort()).toEqual([0, 4]);
      expect([...unmapCpus.get(0)!].sort()).toEqual([0, 1, 2, 3]);
      expect([...unmapCpus.get(4)!].sort()).toEqual([4, 5, 6, 7]);
      const s = engine.snapshot();
      for (const q of s.flushQueues)
        expect(q.timerFreedOn.every((n, cpu) => n === 0 || cpu === 0 || cpu === 4)).toBe(true);
      if (type === 'lazy') expect(sum(s, (d) => d.timerFreed)).toBeGreaterThan(0);
      expect(sum(s, (d) => d.liveIovas)).toBe(sum(s, (d) => d.cachedPfns + d.queued));
      engine.checkInvariants();
    }
  });

  it('nvme is deterministic for a seed', async () => {
    const run = async (seed: number): Promise<unknown> => {
      const engine = await engineOf(name, 4);
      runNvme(engine, { domains: 1, ops: 500, seed });
      return engine.snapshot().domains;
    };
    expect(await run(7)).toEqual(await run(7));
    expect(await run(7)).not.toEqual(await run(8));
  });

  it('nic keeps 256 RX buffers mapped per IRQ CPU and device; everything else is cached or queued', async () => {
    const engine = await engineOf(name, 8);
    const r = runNic(engine, { domains: 2, ops: 5000, durationMs: 30, irqCpus: 4 });
    expect(r).toMatchObject({ workload: 'nic', pairs: 5000, failedAllocs: 0 });
    const s = engine.snapshot();
    expect(sum(s, (d) => d.liveIovas)).toBe(2 * 4 * 256 + sum(s, (d) => d.cachedPfns + d.queued));
    // Every buffer is one page: 2048 RX bytes and 1514-byte frames both round to 1 page, class 0.
    expect(s.classes.slice(1).every((c) => c.depotMags === 0 && c.loadedPfns === 0)).toBe(true);
  });
});

describe.each(ENGINES)('pause on a timeline (%s engine)', (name) => {
  it('after the gap the depot stays past the online CPU count under lazy, never under strict', async () => {
    const cpus = 4;
    const series = async (type: DmaDomainType) => {
      const sampled = new SampledEngine(await engineOf(name, cpus), 1);
      // 20 rounds of 1 ms (traffic until t=19), then the 20 ms gap: the timer fires inside it.
      runPause(sampled, { domains: 1, ops: cpus * 250 * 20, domainType: type });
      return sampled.finish(type).samples;
    };
    const lazy = await series('lazy');
    const at = (t: number) => lazy.find((s) => s.tMs === t)!;
    // The last traffic round (t=19) keeps every queue draining on its own CPU: the depot is small,
    // the queues are full. The timer then fires in the gap and frees every queue on one CPU.
    expect(at(19).depotMagazinesTotal).toBeLessThanOrEqual(cpus);
    expect(at(19).queued).toBeGreaterThan(0);
    const after = lazy.filter((s) => s.tMs >= 25);
    expect(Math.min(...after.map((s) => s.depotMagazinesTotal))).toBeGreaterThan(cpus);
    expect(after.every((s) => s.queued === 0)).toBe(true);
    const strict = await series('strict');
    expect(Math.max(...strict.map((s) => s.depotMagazinesTotal))).toBeLessThanOrEqual(cpus);
    expect(strict.every((s) => s.queued === 0)).toBe(true);
  });
});
