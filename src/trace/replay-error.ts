// What a replay reports: the values trace ops return, and the error naming the line an engine rejected.
import { IovaLabError } from '../errors.js';
import type { TraceOp } from './parse.js';

/**
 * The engine rejected a trace op: `line` and `op` say which; the engine's error is the `cause`
 * (also `engineError`), and `status` is its status.
 * @example `catch (e) { if (e instanceof TraceReplayError) console.log(e.line, e.cause); }`
 */
export class TraceReplayError extends IovaLabError {
  override name = 'TraceReplayError';
  constructor(
    readonly line: number,
    readonly op: string,
    readonly engineError: unknown,
  ) {
    const why = engineError instanceof Error ? `${engineError.name}: ${engineError.message}` : String(engineError);
    const status = engineError instanceof IovaLabError ? engineError.status : 0;
    super(`trace line ${line} (${op}): ${why}`, status, engineError);
  }
}

/**
 * A PFN a trace op returned; map and map-sg also give their DMA address.
 * @example `await replayTrace(trace, 'ts', (v) => console.log(v.line, v.pfn));`
 */
export interface ReplayValue {
  /** The trace line (1-based). @example `12` */
  line: number;
  /** The op on that line. @example `'alloc'` */
  op: TraceOp['op'];
  /** The PFN it returned (a map: its IOVA's first PFN), 0n for a failed allocation. @example `0xfffffn` */
  pfn: bigint;
  /** map and map-sg: the DMA address, 0n for a failed map. @example `0xfffff000n` */
  addr?: bigint;
}
