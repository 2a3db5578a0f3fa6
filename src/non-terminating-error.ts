// The error for a walk the kernel's own code would never finish (the v5.11-v6.1 retry-start
// overflow can make alloc_iova retry the same failed search forever). The model stops instead.
import { IovaLabError } from './errors.js';

/** Status of a NonTerminatingWalkError (the C model will return it too). */
export const STATUS_NON_TERMINATING = -19;

/** The kernel would loop here forever (holding the tree lock); the lab stops the op instead. */
export class NonTerminatingWalkError extends IovaLabError {
  override name = 'NonTerminatingWalkError';
  constructor(detail: string) {
    super(`the kernel's alloc_iova would never return here: ${detail}`, STATUS_NON_TERMINATING);
  }
}
