// The C model (and so the WASM engine) runs the v6.9 facets: the anchor walk with every later
// piece. A policy asking for an older walk, pop or flush runs on the TS engine until the C model
// has it too.
import { policySpecs, type RcachePolicy } from '../policy.js';

const BEHAVIOUR_SPEC = /^(tree-walk|max32|retry|pop|flush-arg|failure-flush|fast-round)=/;

/** The policy specs (e.g. "retry=overflow") the C model cannot run yet; empty when it runs them all. */
export function facetsMissingInC(policy: RcachePolicy): string[] {
  return policySpecs(policy, 'v6.9').filter((spec) => BEHAVIOUR_SPEC.test(spec));
}
