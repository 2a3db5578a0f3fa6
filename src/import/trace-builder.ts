// Builds a trace from a recording, in recording order: `tick` lines from the timestamps, and each
// free naming the line whose allocation it frees (`free … @<line>`), because the lab hands out
// its own PFNs where the machine had others. Shared by the importers' writers.
import type { Trace, TraceHeader, TraceOp } from '../trace/parse.js';
import type { Complain } from './recording.js';

/** Header lines hold the cpus line; ops start on line 2 (writeTrace renumbers refs anyway). */
const FIRST_OP_LINE = 2;

/** One op before it has a line (Omit applied to each member of the union). */
type NewOp = TraceOp extends infer T ? (T extends TraceOp ? Omit<T, 'line'> : never) : never;

export interface AllocShape {
  cpu: number;
  pages: bigint;
  limitPfn: bigint;
  flush: boolean;
  fast: boolean;
  aligned?: boolean;
}

export interface FreeShape {
  cpu?: number;
  pages?: bigint;
  samePages: boolean;
  fast: boolean;
}

export class TraceBuilder {
  readonly ops: TraceOp[] = [];
  private startNs?: bigint;
  private nowMs = 0n;
  /** Per domain: the recorded address of each live allocation → its trace line. */
  private readonly live = new Map<number, Map<bigint, { line: number; pages: bigint; source: number }>>();

  /** `terms` name the recorded events in complaints: DMA maps/unmaps, or allocator calls. */
  constructor(private readonly complain: Complain, private readonly terms = { free: 'unmap', alloc: 'mapped' }) {}

  private push(o: NewOp): number {
    const line = FIRST_OP_LINE + this.ops.length;
    this.ops.push({ ...o, line } as TraceOp);
    return line;
  }

  /** Advance virtual time to a recorded timestamp (whole milliseconds since the first event). */
  at(ns: bigint): void {
    this.startNs ??= ns;
    const ms = ns > this.startNs ? (ns - this.startNs) / 1_000_000n : 0n;
    if (ms > this.nowMs) {
      this.push({ op: 'tick', ms: ms - this.nowMs });
      this.nowMs = ms;
    }
  }

  domain(id: number, granule: number, startPfn: bigint): void {
    this.push({ op: 'domain', id, granule, startPfn });
    this.live.set(id, new Map());
  }

  /** An allocation the machine made at `addr` (undefined: it failed there, so nothing frees it);
   * `fast`: alloc_iova_fast (flush or not), else alloc_iova. */
  alloc(id: number, addr: bigint | undefined, source: number, o: AllocShape): void {
    const allocs = this.live.get(id)!;
    const line = o.fast
      ? this.push({ op: o.flush ? 'alloc' : 'alloc-noflush', id, cpu: o.cpu, size: o.pages, limitPfn: o.limitPfn })
      : this.push({ op: 'slow-alloc', id, size: o.pages, limitPfn: o.limitPfn, aligned: o.aligned ?? false });
    if (addr === undefined) return;
    const clash = allocs.get(addr);
    const at = `0x${addr.toString(16)}`;
    const t = this.terms;
    if (clash) this.complain(source, `address ${at} ${t.alloc} again, still ${t.alloc} since line ${clash.source}`);
    allocs.set(addr, { line, pages: o.pages, source });
  }

  /** Free what the machine had at `addr`, with the page count given (default: the allocation's);
   * `samePages`: a different count is a complaint. Returns false (after complaining) when nothing
   * was allocated there. */
  free(id: number, addr: bigint, source: number, o: FreeShape): boolean {
    const at = `0x${addr.toString(16)}`;
    const allocs = this.live.get(id)!;
    const a = allocs.get(addr);
    if (!a) {
      this.complain(source, `${this.terms.free} of ${at}, which was never ${this.terms.alloc} in this recording`);
      return false;
    }
    if (o.samePages && o.pages !== undefined && o.pages !== a.pages) {
      const t = this.terms;
      this.complain(source, `${t.free} of ${at} for ${o.pages} pages, `
        + `but ${a.pages} were ${t.alloc} at line ${a.source}`);
      return false;
    }
    allocs.delete(addr);
    if (o.fast) this.push({ op: 'free', id, cpu: o.cpu!, pfn: 0n, size: o.pages ?? a.pages, ref: a.line });
    else this.push({ op: 'slow-free', id, pfn: 0n, ref: a.line });
    return true;
  }

  put(id: number): void {
    this.push({ op: 'put', id });
    this.live.delete(id);
  }

  isLive(id: number): boolean {
    return this.live.has(id);
  }

  trace(header: TraceHeader): Trace {
    return { header, ops: this.ops };
  }
}
