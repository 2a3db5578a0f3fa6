// What an importer reads from a real machine's recording, before any trace is written: the
// DMA-level map and unmap events in order (ftrace's iommu:map / iommu:unmap). A writer turns
// them into trace ops (map-unmap-writer.ts).
import { IovaLabError } from '../errors.js';
import { MAX_TRACE_OPS } from '../share/limits.js';

/** A recorded line that matches an event but not its format, or that contradicts the recording. */
export class RecordingSyntaxError extends IovaLabError {
  override name = 'RecordingSyntaxError';
  constructor(
    readonly source: string,
    readonly line: number,
    what: string,
  ) {
    super(`${source} line ${line}: ${what}`, -1);
  }
}

export interface RecordedMap {
  kind: 'map';
  /** Source line of the first chunk. */
  line: number;
  cpu: number;
  /** Time since boot in nanoseconds. */
  ns: bigint;
  /** The IOVA (bus address) the machine mapped and its length: the sum of merged chunks. */
  iova: bigint;
  bytes: bigint;
  /** Contiguous map events of one scatter-gather allocation merged into this one. */
  chunks: number;
  /** Each chunk's length, in order (a scatter-gather map lists them). */
  chunkBytes: bigint[];
}

export interface RecordedUnmap {
  kind: 'unmap';
  line: number;
  cpu: number;
  ns: bigint;
  iova: bigint;
  bytes: bigint;
}

export type RecordedEvent = RecordedMap | RecordedUnmap;

export interface Recording {
  source: string;
  events: RecordedEvent[];
  /** The CPU count the recording names (trace-cmd's "cpus=N"), if any. */
  cpus?: number;
  /** Lines skipped with --lenient, each with why. */
  skipped: Array<{ line: number; why: string }>;
  /** Kernel notices such as lost events, by line. */
  warnings: Array<{ line: number; text: string }>;
}

/** A recording with more events (with its skipped lines and warnings) than an import may hold: it
 *  keeps them, and the trace it writes, in memory until the end, where the header is known. */
export class RecordingTooLargeError extends IovaLabError {
  override name = 'RecordingTooLargeError';
  constructor(
    readonly source: string,
    readonly line: number,
    readonly limit: number,
  ) {
    super(
      `${source} line ${line}: more than ${limit} events, skipped lines and warnings ` +
        '(the limit: an import holds them in memory until it writes the trace)',
      -1,
    );
  }
}

/** What a reader may hold at most unless told otherwise: as many as a trace may have ops. */
export const MAX_RECORDING_HELD = MAX_TRACE_OPS;

/** Throws RecordingTooLargeError once `held` passes `limit`. */
export function checkRecordingHeld(source: string, line: number, held: number, limit: number): void {
  if (held > limit) throw new RecordingTooLargeError(source, line, limit);
}

/** Reports a problem: an error naming the line, or (lenient) a skipped line. */
export type Complain = (line: number, why: string) => void;

export function complainer(source: string, lenient: boolean, skipped: Recording['skipped']): Complain {
  return (line, why) => {
    if (!lenient) throw new RecordingSyntaxError(source, line, why);
    skipped.push({ line, why });
  };
}
