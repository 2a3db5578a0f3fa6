// Constants the tests and benchmarks share, each defined once.
import { PAGE_SIZE } from '../../src/kernel.js';

/** The last PFN below 4 GiB with 4 KiB pages: a 32-bit device's limit. */
export const LIMIT32 = 0xfffffn;

/** The last PFN below 4 PiB: a wide (64-bit) device's limit in the random streams. */
export const LIMIT_WIDE = 0xffffffffffn;

/** The domains' granule: one page. */
export const GRANULE = PAGE_SIZE;

/** Start PFNs of the two domains every differential stream begins with. */
export const STREAM_DOMAIN_STARTS = [1n, 0xfff00n] as const;

/** A stream op's limit: 32-bit, or wide. */
export const limitPfn = (wide: boolean): bigint => (wide ? LIMIT_WIDE : LIMIT32);
