// Option parsing helpers shared by the commands. Usage errors exit with status 2.
import { InvalidArgumentError } from 'commander';
import { parseKernelVersion, versionName } from '../profiles/versions.js';

export class UsageError extends Error {}

export function intOption(what: string, min: number, max = 0x7fffffff): (value: string) => number {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`${what} must be an integer, got "${value}".`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${what} must be in [${min}, ${max}], got ${n}.`);
    return n;
  };
}

export function choiceOption<T extends string>(what: string, allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if (!(allowed as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${what} must be one of ${allowed.join(', ')}, got "${value}".`);
    }
    return value as T;
  };
}

/** --policy: repeatable and comma-separated ("--policy lazy,mag-size=64 --policy dynamic"), in order. */
export function collectPolicy(value: string, previous: string[] | undefined): string[] {
  const specs = value.split(',').map((s) => s.trim());
  if (specs.some((s) => s.length === 0)) throw new InvalidArgumentError(`--policy has an empty spec in "${value}".`);
  return [...(previous ?? []), ...specs];
}

/** A comma-separated list of names from `allowed`, each at most once (--domain-types). */
export function listOption<T extends string>(what: string, allowed: readonly T[]): (value: string) => T[] {
  return (value: string) => {
    const names = value.split(',').map((s) => s.trim());
    for (const n of names) {
      if (!(allowed as readonly string[]).includes(n)) {
        throw new InvalidArgumentError(`${what}: each name must be one of ${allowed.join(', ')}, got "${n}".`);
      }
    }
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new InvalidArgumentError(`${what} lists "${dup}" twice.`);
    return names as T[];
  };
}

/** --profile: any kernel version from 4.7 on ("5.15", "v6.6", "6.12.3"), in its canonical form ("v5.15"). */
export function profileOption(what: string): (value: string) => string {
  return (value: string) => {
    try {
      return versionName(parseKernelVersion(value));
    } catch (e) {
      throw new InvalidArgumentError(`${what}: ${e instanceof Error ? e.message : String(e)}.`);
    }
  };
}

/** --profiles: a comma-separated list of kernel versions, each at most once. */
export function profileListOption(): (value: string) => string[] {
  const one = profileOption('--profiles');
  return (value: string) => {
    const names = value.split(',').map((s) => one(s.trim()));
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) throw new InvalidArgumentError(`--profiles lists "${dup}" twice.`);
    return names;
  };
}
