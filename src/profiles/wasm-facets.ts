// The C model (and so the WASM engine) runs the v6.9 facets: the anchor walk with every later
// piece. A policy asking for an older walk, pop or flush runs on the TS engine until the C model
// has it too.
import { policySpecs, type RcachePolicy } from '../policy.js';

type BehaviourFacets = Pick<RcachePolicy, 'treeWalk' | 'max32AllocSize' | 'retry' | 'magazinePop' | 'flushRcacheArg'
  | 'flushDepotOnFailure' | 'roundSizeInFastAlloc'>;

/** The behaviour facets the C model runs (those of v6.9). */
export const C_MODEL_FACETS: Readonly<BehaviourFacets> = {
  treeWalk: 'v4.15', max32AllocSize: true, retry: 'fixed', magazinePop: 'scan', flushRcacheArg: true,
  flushDepotOnFailure: true, roundSizeInFastAlloc: true,
};

/** The policy specs (e.g. "retry=overflow") the C model cannot run yet; empty when it runs them all. */
export function facetsMissingInC(policy: RcachePolicy): string[] {
  const runnable = policySpecs({ ...policy, ...C_MODEL_FACETS }, 'v6.9');
  return policySpecs(policy, 'v6.9').filter((spec) => !runnable.includes(spec));
}
