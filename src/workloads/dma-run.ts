// What the DMA workloads (nvme, nic, pause) share: DMA domains with one PCI device each, the IRQ
// CPUs that complete work, and the map-then-unmap step. The mapping CPU and the unmapping CPU are
// chosen separately, as devices do (submit anywhere, complete on IRQ CPUs).
import type { Engine } from '../engine.js';
import type { IovaLab } from '../lab.js';
import { DEFAULT_LIMIT, engineOf, pick, RunClock, seededRandom } from './common.js';
import type { WorkloadOptions, WorkloadRun } from './common.js';

/** One mapping: what unmap needs back. */
export interface Mapping {
  addr: bigint;
  bytes: bigint;
}

export interface DmaRun extends WorkloadRun {
  /** One PCI device per domain (per IOMMU group). */
  deviceIds: number[];
  /** The IRQ CPUs, spread over the online CPUs. */
  irqCpus: number[];
  /** The IRQ CPU that completes work submitted on a CPU (its hardware queue's vector). */
  irqCpuOf: (cpu: number) => number;
  onlineCpus: number;
}

export function startDmaRun(target: Engine | IovaLab, options: WorkloadOptions): DmaRun {
  const engine = engineOf(target);
  const online = engine.config.onlineCpus; // CPUs 0..online-1 are the online ones
  const n = Math.max(1, Math.min(online, options.irqCpus ?? 16));
  // Queue q serves CPUs [q·online/n, (q+1)·online/n); its vector fires on the first of them.
  const irqCpus = Array.from({ length: n }, (_, q) => Math.floor((q * online) / n));
  const domainIds: number[] = [];
  const deviceIds: number[] = [];
  const bits = options.dmaMaskBits ?? 64;
  for (let i = 0; i < options.domains; i++) {
    const dom = engine.createDmaDomain(options.granule ?? 4096, 1n, options.domainType ?? 'lazy', 48);
    domainIds.push(dom);
    const device = { bus: 'pci' as const, dmaMaskBits: bits, coherentMaskBits: bits, forceDac: false };
    deviceIds.push(engine.attachDevice(dom, device));
    options.onProgress?.({ unit: 'domains', done: i + 1, total: options.domains });
  }
  return {
    engine,
    domainIds,
    deviceIds,
    irqCpus,
    onlineCpus: online,
    ops: options.ops ?? 0,
    durationMs: options.durationMs ?? 0,
    limit: DEFAULT_LIMIT,
    rand: seededRandom(options.seed ?? 1),
    clock: new RunClock(engine),
    irqCpuOf: (cpu) => irqCpus[Math.floor((cpu * n) / online)],
  };
}

/**
 * `count` maps on mapCpu (segments from nextSegments: one page map, or one scatter-gather map),
 * then the unmap of every one that succeeded on unmapCpu. Returns how many maps failed.
 */
export function mapThenUnmap(
  run: DmaRun,
  device: number,
  mapCpu: number,
  unmapCpu: number,
  count: number,
  nextSegments: () => bigint[],
): number {
  const { engine } = run;
  const live: Mapping[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const segs = nextSegments();
    const addr =
      segs.length === 1 ? engine.map(device, mapCpu, segs[0], 0n, false) : engine.mapSg(device, mapCpu, segs);
    if (addr === 0n) failed++;
    else live.push({ addr, bytes: segs.reduce((a, b) => a + b, 0n) });
  }
  for (const m of live) engine.unmap(device, unmapCpu, m.addr, m.bytes);
  return failed;
}

/** A random device of the run. */
export const pickDevice = (run: DmaRun): number => pick(run.rand, run.deviceIds);
