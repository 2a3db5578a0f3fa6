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
