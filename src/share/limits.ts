// The documented limits of a scenario's options and the checks that enforce them. The CLI's
// option parsers and the playground's form and link decoder call the same checks, so both refuse
// the same values with the same message.
import { parseKernelVersion, versionName } from '../profiles/versions.js';
import { clip } from './echo.js';
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
  '--irq-cpus': [1, 4096],
} as const satisfies Record<string, readonly [number, number]>;

export type IntFlag = keyof typeof INT_LIMITS;

/** Samples a whole run's timeline may hold (every series of a compare counts apart). */
export const MAX_TIMELINE_SAMPLES = 100_000;
/** Domains × possible CPUs of one lab: the per-CPU rcaches a run sets up. */
export const MAX_DOMAIN_CPUS = 1 << 20;
/** Bytes of a trace file (or of stdin) compare --trace reads: it holds the parsed trace, to run it
 * once per variant. replay streams its input and has no such limit. */
export const MAX_TRACE_BYTES = 1024 * 1024 * 1024;
/** Characters of one trace line (a longer one is not a trace). */
export const MAX_TRACE_LINE_CHARS = 1024 * 1024;
/** Ops of one trace parsed whole (parseTrace, parseTraceStream, compare --trace): each op is held.
 * A streamed replay (replayTraceStream, the replay command) holds none and has no op limit. */
export const MAX_TRACE_OPS = 10_000_000;
/** Allocation and map lines a later `@<line>` may still name at once: those whose IOVA is still
 * allocated, and failed ones not yet named. Each is remembered, so a streamed replay holds at most
 * this many, whatever the trace's length. */
export const MAX_OPEN_REF_LINES = 10_000_000;
/** Bytes explain reads, from a file or stdin: slabtop / slabinfo output is a few kilobytes. */
export const MAX_EXPLAIN_INPUT_BYTES = 16 * 1024 * 1024;
/** Characters of one line of a recording import reads (it reads line by line, never whole). */
export const MAX_RECORDING_LINE_CHARS = 1024 * 1024;
/** Domain and device lines of one trace: their ids are never reused, so each is remembered. */
export const MAX_TRACE_IDS = 10_000_000;

/**
 * A decimal integer in [min, max], read exactly (no exponent, sign, fraction or 0x; digits past
 * 2^53 are compared as written, never rounded); the message names the flag, the bound and the value.
 */
export function checkInt(what: string, value: string, min: number, max = 0x7fffffff): number {
  const text = value.trim();
  if (!/^\d+$/.test(text)) throw new UsageError(`${what} must be a decimal integer, got "${clip(value)}".`);
  const n = BigInt(text);
  if (n > BigInt(max)) throw new UsageError(`${what} must be at most ${max}, got ${clip(n.toString())}.`);
  if (n < BigInt(min)) throw new UsageError(`${what} must be at least ${min}, got ${n}.`);
  return Number(n);
}

/** The samples a run of `durationMs` records at one per `intervalMs` (t = 0 included), checked. */
export function checkTimelineSamples(durationMs: bigint, intervalMs: number, series = 1): void {
  const samples = (durationMs / BigInt(intervalMs) + 1n) * BigInt(series);
  if (samples > BigInt(MAX_TIMELINE_SAMPLES)) {
    throw new UsageError(
      `the timeline would hold ${samples} samples (${durationMs} ms every ${intervalMs} ms` +
        `${series > 1 ? ` × ${series} runs` : ''}), more than the limit of ${MAX_TIMELINE_SAMPLES}; ` +
        'use a longer --timeline interval or a shorter run.',
    );
  }
}

/** Domains × possible CPUs within MAX_DOMAIN_CPUS. */
export function checkDomainCpus(domains: number, cpus: number): void {
  if (domains * cpus > MAX_DOMAIN_CPUS) {
    throw new UsageError(
      `--domains ${domains} × --cpus ${cpus} = ${domains * cpus} per-CPU rcaches, more than the ` +
        `limit of ${MAX_DOMAIN_CPUS}.`,
    );
  }
}

/** checkInt with the documented limits of that flag. */
export function checkIntFlag(flag: IntFlag, value: string): number {
  const [min, max] = INT_LIMITS[flag];
  return checkInt(flag, value, min, max);
}

export function checkChoice<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${what} must be one of ${allowed.join(', ')}, got "${clip(value)}".`);
  }
  return value as T;
}

/** A comma-separated list of names from `allowed`, each at most once (--domain-types). */
export function checkChoiceList<T extends string>(what: string, value: string, allowed: readonly T[]): T[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(allowed as readonly string[]).includes(n)) {
      throw new UsageError(`${what}: each name must be one of ${allowed.join(', ')}, got "${clip(n)}".`);
    }
  }
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new UsageError(`${what} lists "${dup}" twice.`);
  return names as T[];
}

/** --policy: comma-separated specs, none empty, in order. */
export function splitPolicy(value: string): string[] {
  const specs = value.split(',').map((s) => s.trim());
  if (specs.some((s) => s.length === 0)) throw new UsageError(`--policy has an empty spec in "${clip(value)}".`);
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
