// Option parsing helpers shared by the commands. Usage errors exit with status 2. The checks
// themselves live in src/share/limits.ts, shared with the playground; here they become
// commander's InvalidArgumentError with the same message.
import { InvalidArgumentError } from 'commander';
import {
  checkChoice,
  checkChoiceList,
  checkInt,
  checkProfile,
  checkProfileList,
  INT_LIMITS,
  splitPolicy,
  type IntFlag,
} from '../share/limits.js';
import { UsageError } from '../share/usage-error.js';

export { UsageError };

function asArgumentError<A extends unknown[], R>(check: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return check(...args);
    } catch (e) {
      if (e instanceof UsageError) throw new InvalidArgumentError(e.message);
      throw e;
    }
  };
}

export function intOption(what: string, min: number, max = 0x7fffffff): (value: string) => number {
  return asArgumentError((value: string) => checkInt(what, value, min, max));
}

/** intOption with the flag's documented limits (src/share/limits.ts). */
export function limitOption(flag: IntFlag): (value: string) => number {
  const [min, max] = INT_LIMITS[flag];
  return intOption(flag, min, max);
}

export function choiceOption<T extends string>(what: string, allowed: readonly T[]): (value: string) => T {
  return asArgumentError((value: string) => checkChoice(what, value, allowed));
}

/** --policy: repeatable and comma-separated ("--policy lazy,mag-size=64 --policy dynamic"), in order. */
export function collectPolicy(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...asArgumentError(splitPolicy)(value)];
}

/** A comma-separated list of names from `allowed`, each at most once (--domain-types). */
export function listOption<T extends string>(what: string, allowed: readonly T[]): (value: string) => T[] {
  return asArgumentError((value: string) => checkChoiceList(what, value, allowed));
}

/** --profile: any kernel version from 4.7 on ("5.15", "v6.6", "6.12.3"), in its canonical form ("v5.15"). */
export function profileOption(what: string): (value: string) => string {
  return asArgumentError((value: string) => checkProfile(what, value));
}

/** --profiles: a comma-separated list of kernel versions, each at most once. */
export function profileListOption(): (value: string) => string[] {
  return asArgumentError(checkProfileList);
}
