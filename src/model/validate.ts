// Argument checks of the TS model, in the order and with the statuses of docs/design.md. Each check
// throws the typed error for its status, naming the offending value, and changes nothing; the
// facade runs every check of an operation before its first change, so a failed call leaves the
// lab exactly as it was.
import type { FailureKind } from '../engine.js';
import { describeArgs, errorForStatus, Status } from '../errors.js';
import { MAX_DOMAIN_CPUS } from '../generated/abi.js';
import { MAX_GRANULE, MAX_POSSIBLE_CPUS } from '../kernel.js';
import type { VirtualClock } from './clock.js';
import type { IovaDomain } from './rcache.js';
import { orderBase2, U64_MAX, type IovaNode } from './tree.js';

type ArgValue = number | bigint | boolean | string;

/** Throws the error of `status`, its message listing `args` (name = value). */
export const fail = (status: number, args: Record<string, ArgValue>): never => {
  throw errorForStatus(status, describeArgs(args));
};

export function checkLabConfig(possibleCpus: number, onlineCpus: number): void {
  const problem = labCpusProblem(possibleCpus, onlineCpus);
  if (problem) fail(Status.LAB_CONFIG, { possibleCpus, onlineCpus, problem });
}

/** What is wrong with a lab's CPU counts, naming the bound; null when nothing is. Both engines
 *  put it in their LabConfigError. */
export function labCpusProblem(possibleCpus: number, onlineCpus: number): string | null {
  if (!Number.isInteger(possibleCpus) || possibleCpus < 1 || possibleCpus > MAX_POSSIBLE_CPUS) {
    return `possibleCpus must be an integer in [1, ${MAX_POSSIBLE_CPUS}] (at most ${MAX_POSSIBLE_CPUS})`;
  }
  if (!Number.isInteger(onlineCpus) || onlineCpus < 1 || onlineCpus > possibleCpus) {
    return `onlineCpus must be an integer in [1, possibleCpus ${possibleCpus}]`;
  }
  return null;
}

/** Room for one more domain under MAX_DOMAIN_CPUS (live domains × possible CPUs). */
export function checkDomainRoom(liveDomains: number, possibleCpus: number): void {
  if ((liveDomains + 1) * possibleCpus > MAX_DOMAIN_CPUS) fail(Status.DOMAIN_LIMIT, { liveDomains, possibleCpus });
}

/** A clock advance that stays at or below 2^64 − 1 ms. */
export function checkClockAdvance(clock: VirtualClock, ms: bigint): void {
  if (clock.wouldOverflow(ms)) fail(Status.CLOCK_OVERFLOW, { nowMs: clock.now, ms });
}

/** Hotplug: the CPU is possible and not already in the state asked for; the last online CPU stays. */
export function checkHotplug(online: readonly boolean[], cpu: number, goingOnline: boolean): void {
  checkCpuInRange(online.length, cpu);
  if (online[cpu] === goingOnline) fail(goingOnline ? Status.CPU_ALREADY_ONLINE : Status.CPU_ALREADY_OFFLINE, { cpu });
  const last = !goingOnline && online.filter(Boolean).length === 1;
  if (last) fail(Status.LAST_ONLINE_CPU, { cpu });
}

/** A power of two in [1, MAX_GRANULE]; returns its shift (iova_shift). */
export function checkGranule(granule: number): number {
  if (!Number.isInteger(granule) || granule < 1 || granule > MAX_GRANULE || (granule & (granule - 1)) !== 0) {
    fail(Status.GRANULE, { granule });
  }
  return Math.log2(granule);
}

export function checkStartPfn(granule: number, shift: number, startPfn: bigint): void {
  const maxPfn = U64_MAX >> BigInt(shift);
  if (startPfn < 1n || startPfn > maxPfn - 1n) fail(Status.START_PFN, { granule, startPfn });
}

export function checkDomain(domains: Map<number, IovaDomain>, domain: number): IovaDomain {
  return domains.get(domain) ?? fail(Status.NO_DOMAIN, { domain });
}

export function checkCpuInRange(possibleCpus: number, cpu: number): void {
  if (!Number.isInteger(cpu) || cpu < 0 || cpu >= possibleCpus) fail(Status.CPU_RANGE, { cpu });
}

export function checkCpuOnline(online: readonly boolean[], cpu: number): void {
  checkCpuInRange(online.length, cpu);
  if (!online[cpu]) fail(Status.CPU_OFFLINE, { cpu });
}

export function checkSize(d: IovaDomain, size: bigint): void {
  if (size < 1n || size > d.tree.maxSize) fail(Status.SIZE, { domain: d.id, size });
}

export function checkLimit(d: IovaDomain, limitPfn: bigint): void {
  if (limitPfn < d.tree.startPfn || limitPfn > d.tree.maxPfn) fail(Status.LIMIT, { domain: d.id, limitPfn });
}

/** An allocated, uncached node that starts at pfn and is in size's class: what free_iova_fast may take.
 *  A pfn inside a range but not at its start gets its own status, so the error says so. */
export function checkFastFree(d: IovaDomain, pfn: bigint, size: bigint): void {
  const domain = d.id;
  const node = d.tree.findContaining(pfn);
  if (!node || node === d.tree.anchor) return fail(Status.NOT_ALLOCATED, { domain, pfn });
  if (node.pfnLo !== pfn) fail(Status.NOT_RANGE_START, { domain, pfn, rangeStart: node.pfnLo });
  if (node.cached) fail(Status.DOUBLE_FREE, { domain, pfn });
  const nodeSize = node.pfnHi - node.pfnLo + 1n;
  if (orderBase2(size) !== orderBase2(nodeSize)) fail(Status.SIZE_CLASS, { domain, pfn, size, nodeSize });
}

/** The allocated, uncached node containing pfn: what free_iova may remove. */
export function checkFree(d: IovaDomain, pfn: bigint): IovaNode {
  const node = d.tree.findContaining(pfn);
  if (!node || node === d.tree.anchor) return fail(Status.NOT_ALLOCATED, { domain: d.id, pfn });
  if (node.cached) fail(Status.DOUBLE_FREE, { domain: d.id, pfn });
  return node;
}

export function checkReserve(d: IovaDomain, lo: bigint, hi: bigint): void {
  const domain = d.id;
  if (lo < d.tree.startPfn || lo > hi || hi > d.tree.maxPfn) fail(Status.RANGE, { domain, lo, hi });
  // Extending a node whose pfn sits in a magazine would corrupt the rcache.
  if (d.tree.rangeHasCached(lo, hi)) fail(Status.RESERVE_CACHED, { domain, lo, hi });
}

export function checkInjection(kind: FailureKind, nth: number): void {
  if (kind !== 'magazine' && kind !== 'iova') fail(Status.BAD_OP, { kind });
  if (!Number.isInteger(nth) || nth < 0) fail(Status.BAD_OP, { nth });
}
