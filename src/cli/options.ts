// Option parsing helpers shared by the commands. Usage errors exit with status 2.
import { InvalidArgumentError } from 'commander';

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

/** A comma-separated list of names from `allowed`, each at most once (--profiles, --domain-types). */
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

/** --profiles: a comma-separated list of profile names, each at most once. */
export function profileListOption(allowed: readonly string[]): (value: string) => string[] {
  return listOption('--profiles', allowed);
}
