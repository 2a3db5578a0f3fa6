// The TS engine's memory budget. V8 ends the whole process when its heap runs out, so the TS model
// keeps an estimate of the bytes a lab holds and refuses, with the WASM engine's OutOfMemoryError
// (E_NOMEM), any operation whose worst case could take it past TS_MEMORY_BUDGET — before it changes
// anything. The estimates are per object of the model (measured on V8 and rounded up), so the
// budget binds well before V8's own heap limit. The WASM engine's limit is its 2 GiB heap; a TS lab
// is refused sooner than a WASM one (README, "Engine limits").
import { IOVA_RANGE_CACHE_MAX_SIZE } from '../kernel.js';

/** Estimated bytes the TS engine lets one lab hold. */
export const TS_MEMORY_BUDGET = 1.5 * 2 ** 30;

/** Estimated bytes per model object: V8's heap measured per object (126 per domain-CPU and 41 per
 *  empty magazine at 1024 CPUs × 300 domains, 185 per live IOVA over 10^6), rounded up by about
 *  half again. Since magazines became handles into a per-domain table (magazine-table.ts) the same
 *  lab measures 99 per domain-CPU and 17 per empty magazine; the estimates are kept, so the budget
 *  still binds where it did, further below V8's heap limit than before. */
export const TS_OBJECT_BYTES = {
  /** One CPU's iova_cpu_rcache of every size class in one domain (magazines counted apart). */
  domainCpu: 192,
  /** One iova_magazine object, without its PFNs. */
  magazine: 64,
  /** One allocated IOVA (tree entry and node), with the PFN slot it takes while cached. */
  node: 272,
} as const;

/** What a lab holds, counted from its domains and slab caches. */
export interface BudgetUse {
  domains: number;
  possibleCpus: number;
  magazines: number;
  nodes: number;
}

/** Estimated bytes of a lab holding `use`. */
export function estimatedBytes(use: BudgetUse): number {
  const b = TS_OBJECT_BYTES;
  return use.domains * use.possibleCpus * b.domainCpu + use.magazines * b.magazine + use.nodes * b.node;
}

/** Worst-case growth of one operation: a new domain (its per-CPU rcaches and, unless lazy, two
 *  magazines per CPU and class) or one fast/slow op (a node and two magazines). */
export function domainGrowth(possibleCpus: number, lazy: boolean): BudgetUse {
  const magazines = lazy ? 0 : 2 * IOVA_RANGE_CACHE_MAX_SIZE * possibleCpus;
  return { domains: 1, possibleCpus, magazines, nodes: 0 };
}
export const OP_GROWTH: BudgetUse = { domains: 0, possibleCpus: 0, magazines: 2, nodes: 1 };
