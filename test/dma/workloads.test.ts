import { describe, expect, it } from 'vitest';
import type { DmaDomainType } from '../../src/model/dma.js';
import { runNic } from '../../src/workloads/nic.js';
import { runNvme } from '../../src/workloads/nvme.js';
import { runPause } from '../../src/workloads/pause.js';
import { DmaLab } from './support.js';

const queued = (lab: DmaLab): number => lab.cookies.reduce((n, c) => n + (c.fq?.queuedPfns.size ?? 0), 0);
const cachedNodes = (lab: DmaLab): number =>
  lab.domains.reduce((n, d) => n + d.tree.nodes.filter((x) => x.cached).length, 0);
const liveIovas = (lab: DmaLab): number => lab.domains.reduce((n, d) => n + d.tree.liveCount, 0);

function pause(cpus: number, type: DmaDomainType, gapMs?: number): DmaLab {
  const lab = new DmaLab(cpus);
  runPause(lab.target(), { domains: 1, ops: cpus * 250 * 20, domainType: type, gapMs });
  return lab;
}

describe('pause workload', () => {
  it('under lazy, the gap floods the depot past the online CPU count; under strict it does not', () => {
    for (const cpus of [4, 8]) {
      const lazyBefore = pause(cpus, 'lazy', 0).depotMags();
      const lazy = pause(cpus, 'lazy');
      expect(lazy.depotMags()).toBeGreaterThan(cpus);
      expect(lazy.depotMags()).toBeGreaterThan(lazyBefore);
      expect(queued(lazy)).toBe(0); // the timer emptied every ring…
      expect(lazy.cookies[0].fq!.stats.timerExpiries).toBeGreaterThan(0);
      const strict = pause(cpus, 'strict');
      expect(strict.depotMags()).toBeLessThanOrEqual(cpus);
      expect(strict.depotMags()).toBe(pause(cpus, 'strict', 0).depotMags());
      // Nothing stays mapped: every IOVA left is cached (lazy: and nothing queued).
      for (const lab of [lazy, strict]) expect(liveIovas(lab)).toBe(cachedNodes(lab));
    }
  });
});

describe('nvme workload', () => {
  it('maps on every CPU and unmaps only on the IRQ CPUs; the timer frees on an IRQ CPU', () => {
    for (const type of ['strict', 'lazy'] as const) {
      const lab = new DmaLab(8);
      const target = lab.target();
      const mapCpus = new Set<number>();
      const unmapCpus = new Map<number, Set<number>>(); // unmapping CPU -> the CPUs that mapped
      const byAddr = new Map<bigint, number>();
      const { map, mapSg, unmap } = target;
      const mapped = (cpu: number, a: bigint): bigint => {
        mapCpus.add(cpu);
        byAddr.set(a, cpu);
        return a;
      };
      target.map = (dev, cpu, bytes) => mapped(cpu, map(dev, cpu, bytes));
      target.mapSg = (dev, cpu, segs) => mapped(cpu, mapSg(dev, cpu, segs));
      target.unmap = (dev, cpu, addr, bytes) => {
        if (!unmapCpus.has(cpu)) unmapCpus.set(cpu, new Set());
        unmapCpus.get(cpu)!.add(byAddr.get(addr)!);
        unmap(dev, cpu, addr, bytes);
      };
      const r = runNvme(target, { domains: 2, ops: 3000, durationMs: 50, irqCpus: 2, domainType: type });
      expect(r).toMatchObject({ workload: 'nvme', pairs: 3000, failedMaps: 0, elapsedMs: 50 });
      expect([...mapCpus].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      // 8 CPUs, 2 vectors: queue 0 serves CPUs 0-3 (IRQ on 0), queue 1 CPUs 4-7 (IRQ on 4).
      expect([...unmapCpus.keys()].sort()).toEqual([0, 4]);
      expect([...unmapCpus.get(0)!].sort()).toEqual([0, 1, 2, 3]);
      expect([...unmapCpus.get(4)!].sort()).toEqual([4, 5, 6, 7]);
      for (const c of lab.cookies) {
        const on = c.fq?.stats.timerFreedOn ?? [];
        expect(on.every((n, cpu) => n === 0 || cpu === 0 || cpu === 4)).toBe(true);
      }
      if (type === 'lazy') expect(lab.cookies.some((c) => c.fq!.stats.timerFreed > 0)).toBe(true);
      expect(liveIovas(lab)).toBe(cachedNodes(lab) + queued(lab));
      for (const c of lab.cookies) expect(c.fq?.check() ?? null).toBeNull();
    }
  });

  it('is deterministic for a seed', () => {
    const run = (seed: number): unknown => {
      const lab = new DmaLab(4);
      runNvme(lab.target(), { domains: 1, ops: 500, seed });
      return lab.cookies[0].stats;
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });
});

describe('nic workload', () => {
  it('keeps 256 RX buffers mapped per IRQ CPU and device; everything else is cached or queued', () => {
    const lab = new DmaLab(8);
    const r = runNic(lab.target(), { domains: 2, ops: 5000, durationMs: 30, irqCpus: 4 });
    expect(r).toMatchObject({ workload: 'nic', pairs: 5000, failedMaps: 0 });
    expect(liveIovas(lab)).toBe(2 * 4 * 256 + cachedNodes(lab) + queued(lab));
    // Every buffer is one page: 2048 RX bytes and 1514-byte frames both round to 1 page, class 0.
    for (const d of lab.domains) expect(d.rcaches.slice(1).every((rc) => rc.depot.length === 0)).toBe(true);
  });
});
