// What the DMA workloads (nvme, nic, pause) drive: domains with a DMA type, devices, map/unmap on a
// chosen CPU and the virtual clock. Either engine can stand behind it; the workloads choose the
// mapping CPU and the unmapping CPU separately, as devices do (submit anywhere, complete on IRQ CPUs).
import type { DmaDeviceOptions, DmaDomainType } from '../model/dma.js';
import { pick, RunClock, seededRandom, type WorkloadOptions, type WorkloadProgress } from './common.js';

export interface DmaTarget {
  /** CPUs 0..onlineCpus − 1 are online. */
  readonly onlineCpus: number;
  createDmaDomain(type: DmaDomainType): number;
  attachDevice(domain: number, options: DmaDeviceOptions): number;
  /** The DMA address, 0n when the allocation failed. */
  map(device: number, cpu: number, bytes: bigint): bigint;
  mapSg(device: number, cpu: number, segmentBytes: readonly bigint[]): bigint;
  unmap(device: number, cpu: number, dmaAddr: bigint, bytes: bigint): void;
  advanceClock(ms: bigint): void;
}

export const DMA_WORKLOAD_NAMES = ['nvme', 'nic', 'pause'] as const;
export type DmaWorkloadName = (typeof DMA_WORKLOAD_NAMES)[number];

export interface DmaWorkloadOptions extends Omit<WorkloadOptions, 'limitPfn' | 'granule'> {
  /** Default 'lazy' (DMA-FQ, the x86 default). */
  domainType?: DmaDomainType;
  /** CPUs that take completion interrupts (nvme, nic). Default: min(online CPUs, 16). */
  irqCpus?: number;
  /** Every device's DMA mask. Default 64 (a 64-bit PCI device, so the SAC trick applies). */
  dmaMaskBits?: number;
}

export interface DmaWorkloadResult {
  workload: DmaWorkloadName;
  domainIds: number[];
  deviceIds: number[];
  /** Map/unmap pairs done. */
  pairs: number;
  failedMaps: number;
  elapsedMs: number;
}

/** One mapping: what unmap needs back. */
export interface Mapping { addr: bigint; bytes: bigint }

export interface DmaRun {
  target: DmaTarget;
  domainIds: number[];
  /** One PCI device per domain (per IOMMU group). */
  deviceIds: number[];
  ops: number;
  durationMs: number;
  rand: () => number;
  clock: RunClock;
  /** The IRQ CPUs, spread over the online CPUs. */
  irqCpus: number[];
  /** The IRQ CPU that completes work submitted on a CPU (its hardware queue's vector). */
  irqCpuOf: (cpu: number) => number;
}

function progress(options: DmaWorkloadOptions, p: WorkloadProgress): void {
  options.onProgress?.(p);
}

export function startDmaRun(target: DmaTarget, options: DmaWorkloadOptions): DmaRun {
  const online = target.onlineCpus;
  const n = Math.max(1, Math.min(online, options.irqCpus ?? 16));
  // Queue q serves CPUs [q·online/n, (q+1)·online/n); its vector fires on the first of them.
  const irqCpus = Array.from({ length: n }, (_, q) => Math.floor((q * online) / n));
  const domainIds: number[] = [];
  const deviceIds: number[] = [];
  for (let i = 0; i < options.domains; i++) {
    const dom = target.createDmaDomain(options.domainType ?? 'lazy');
    domainIds.push(dom);
    deviceIds.push(target.attachDevice(dom, { dmaMaskBits: options.dmaMaskBits ?? 64, bus: 'pci' }));
    progress(options, { unit: 'domains', done: i + 1, total: options.domains });
  }
  return {
    target, domainIds, deviceIds, irqCpus,
    ops: options.ops ?? 0,
    durationMs: options.durationMs ?? 0,
    rand: seededRandom(options.seed ?? 1),
    clock: new RunClock(target),
    irqCpuOf: (cpu) => irqCpus[Math.floor((cpu * n) / online)],
  };
}

/**
 * `count` maps on mapCpu (segments from nextSegments, one scatter-gather map each), then the unmap
 * of every one that succeeded on unmapCpu. Returns how many maps failed.
 */
export function mapThenUnmap(
  run: DmaRun, device: number, mapCpu: number, unmapCpu: number, count: number, nextSegments: () => bigint[],
): number {
  const live: Mapping[] = [];
  let failed = 0;
  for (let i = 0; i < count; i++) {
    const segs = nextSegments();
    const addr = segs.length === 1 ? run.target.map(device, mapCpu, segs[0]) : run.target.mapSg(device, mapCpu, segs);
    if (addr === 0n) failed++;
    else live.push({ addr, bytes: segs.reduce((a, b) => a + b, 0n) });
  }
  for (const m of live) run.target.unmap(device, unmapCpu, m.addr, m.bytes);
  return failed;
}

/** A random device of the run. */
export const pickDevice = (run: DmaRun): number => pick(run.rand, run.deviceIds);

/**
 * Rounds until `ops` pairs are done (each round given how many remain), progress after each,
 * `afterRound` to move the clock, then idle until durationMs.
 */
export function runDmaRounds(
  name: DmaWorkloadName, run: DmaRun, options: DmaWorkloadOptions,
  round: (remaining: number) => { ops: number; failed: number }, afterRound: (done: number) => void,
): DmaWorkloadResult {
  let failedMaps = 0;
  let done = 0;
  while (done < run.ops && run.deviceIds.length > 0) {
    const r = round(run.ops - done);
    failedMaps += r.failed;
    done += r.ops;
    progress(options, { unit: 'ops', done, total: run.ops });
    afterRound(done);
  }
  run.clock.until(run.durationMs);
  const { domainIds, deviceIds, clock } = run;
  return { workload: name, domainIds, deviceIds, pairs: done, failedMaps, elapsedMs: clock.elapsedMs };
}
