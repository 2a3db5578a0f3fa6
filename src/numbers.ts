// Turns caller-supplied numbers into the exact types the engines take, or throws
// InvalidNumberError naming the value. Runs before any engine is touched.
import { InvalidNumberError } from './errors.js';

/** ~0 as a 64-bit unsigned: the largest PFN, size or time a u64 holds. */
export const U64_MAX = (1n << 64n) - 1n;

function invalid(what: string, value: unknown, why: string): InvalidNumberError {
  return new InvalidNumberError(`${what} must be ${why}, got ${String(value)}`, 0);
}

/** A non-negative integer that fits in 64 bits, as bigint (PFNs, sizes, milliseconds). */
export function toU64(what: string, value: number | bigint): bigint {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw invalid(what, value, 'a non-negative safe integer');
    return BigInt(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) throw invalid(what, value, 'a bigint in [0, 2^64)');
  return value;
}

/** A small non-negative integer (CPU ids, domain ids, counts), below 2^31. */
export function toIndex(what: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw invalid(what, value, 'an integer in [0, 2^31)');
  }
  return value;
}

/** An integer in [lo, hi] (any other value, NaN and non-numbers included, is not). */
export const isIntIn = (v: unknown, lo: number, hi: number): boolean =>
  Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
