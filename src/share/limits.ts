// The documented limits of a scenario's options and the checks that enforce them. The CLI's
// option parsers and the playground's form and link decoder call the same checks, so both refuse
// the same values with the same message.
import { parseKernelVersion, versionName } from '../profiles/versions.js';
import { UsageError } from './usage-error.js';

/** Inclusive [min, max] of every integer option, keyed by its CLI flag. */
export const INT_LIMITS = {
  '--cpus': [1, 4096],
  '--online': [1, 4096],
  '--domains': [0, 1_000_000],
  '--ops': [0, 1e9],
  '--duration-ms': [0, 1e12],
  '--seed': [0, 0xffffffff],
  '--timeline': [1, 1e9],
} as const satisfies Record<string, readonly [number, number]>;

export type IntFlag = keyof typeof INT_LIMITS;

/** A decimal integer in [min, max]; the message names the flag and the value. */
export function checkInt(what: string, value: string, min: number, max = 0x7fffffff): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${what} must be an integer, got "${value}".`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${what} must be in [${min}, ${max}], got ${n}.`);
  return n;
}

/** checkInt with the documented limits of that flag. */
export function checkIntFlag(flag: IntFlag, value: string): number {
  const [min, max] = INT_LIMITS[flag];
  return checkInt(flag, value, min, max);
}

export function checkChoice<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${value}".`);
  }
  return value as T;
}

/** --policy: comma-separated specs, none empty, in order. */
export function splitPolicy(value: string): string[] {
  const specs = value.split(',').map((s) => s.trim());
  if (specs.some((s) => s.length === 0)) throw new UsageError(`--policy has an empty spec in "${value}".`);
  return specs;
}

/** A kernel version from 4.7 on ("5.15", "v6.6", "6.12.3"), in its canonical form ("v5.15"). */
export function checkProfile(what: string, value: string): string {
  try {
    return versionName(parseKernelVersion(value));
  } catch (e) {
    throw new UsageError(`${what}: ${e instanceof Error ? e.message : String(e)}.`);
  }
}

/** --profiles: a comma-separated list of kernel versions, each at most once. */
export function checkProfileList(value: string): string[] {
  const names = value.split(',').map((s) => checkProfile('--profiles', s.trim()));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UsageError(`--profiles lists "${dup}" twice.`);
  return names;
}
