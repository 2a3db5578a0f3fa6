// Builds a trace from a recording, in recording order: `tick` lines from the timestamps, and each
// free (unmap) naming the line whose allocation (map) it frees (`free … @<line>`, `unmap … @<line>`),
// because the lab hands out its own PFNs and DMA addresses where the machine had others. Shared by
// the importers' writers.
import type { DmaBus, DmaDomainType } from '../engine.js';
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

/** A recorded allocation (or map) still live: its trace line, its recorded size, its recording
 * line, and (maps) the bytes the trace's unmap must give. */
interface Live {
  line: number;
  size: bigint;
  source: number;
  written?: bigint;
}

const ALLOCATOR_TERMS = { free: 'free', alloc: 'allocated', unit: 'pages' };
const DMA_TERMS = { free: 'unmap', alloc: 'mapped', unit: 'bytes' };
type Terms = typeof ALLOCATOR_TERMS;

export class TraceBuilder {
  readonly ops: TraceOp[] = [];
  private startNs?: bigint;
  private nowMs = 0n;
  /** Per domain: the recorded address of each live allocation → its trace line. */
  private readonly live = new Map<number, Map<bigint, Live>>();
  /** Per device: the recorded DMA address of each live map → its trace line. */
  private readonly mapped = new Map<number, Map<bigint, Live>>();

  constructor(private readonly complain: Complain) {}

  /** Remember that the op on trace `line` stands for the recording's `addr`. */
  private record(live: Map<bigint, Live>, addr: bigint, entry: Live, t: Terms): void {
    const clash = live.get(addr);
    if (clash)
      this.complain(
        entry.source,
        `address 0x${addr.toString(16)} ${t.alloc} again, ` + `still ${t.alloc} since line ${clash.source}`,
      );
    live.set(addr, entry);
  }

  /** The live entry at `addr`, taken out; undefined (after complaining) when there is none, or
   * when `size` is given and differs from the recorded one. */
  private take(live: Map<bigint, Live>, addr: bigint, source: number, size: bigint | undefined, t: Terms) {
    const at = `0x${addr.toString(16)}`;
    const a = live.get(addr);
    if (!a) {
      this.complain(source, `${t.free} of ${at}, which was never ${t.alloc} in this recording`);
      return undefined;
    }
    if (size !== undefined && size !== a.size) {
      this.complain(
        source,
        `${t.free} of ${at} for ${size} ${t.unit}, ` + `but ${a.size} were ${t.alloc} at line ${a.source}`,
      );
      return undefined;
    }
    live.delete(addr);
    return a;
  }

  private push(o: NewOp): number {
    const line = FIRST_OP_LINE + this.ops.length;
    this.ops.push({ ...o, line });
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

  /** A domain; with a type, also the DMA layer (devices may attach to it). */
  domain(id: number, granule: number, startPfn: bigint, type?: DmaDomainType): void {
    this.push(type ? { op: 'domain', id, granule, startPfn, type } : { op: 'domain', id, granule, startPfn });
    this.live.set(id, new Map());
  }

  device(dev: number, id: number, maskBits: number, bus: DmaBus): void {
    this.push({ op: 'device', dev, id, maskBits, bus });
    this.mapped.set(dev, new Map());
  }

  /** A map the machine made at DMA address `addr` of `bytes` recorded bytes: one segment is a `map`,
   * several a `map-sg`. `unmapBytes`: what the trace's unmap of it gives. */
  map(
    dev: number,
    addr: bigint,
    source: number,
    o: { cpu: number; segments: bigint[]; bytes: bigint; unmapBytes: bigint },
  ): void {
    const line =
      o.segments.length === 1
        ? this.push({ op: 'map', dev, cpu: o.cpu, bytes: o.segments[0] })
        : this.push({ op: 'map-sg', dev, cpu: o.cpu, segments: o.segments });
    this.record(this.mapped.get(dev)!, addr, { line, size: o.bytes, source, written: o.unmapBytes }, DMA_TERMS);
  }

  /** Unmap what the machine mapped at `addr`, on `cpu`; `bytes` must be what was recorded mapped. */
  unmap(dev: number, addr: bigint, source: number, o: { cpu: number; bytes: bigint }): void {
    const m = this.take(this.mapped.get(dev)!, addr, source, o.bytes, DMA_TERMS);
    if (m) this.push({ op: 'unmap', dev, cpu: o.cpu, addr: 0n, bytes: m.written ?? m.size, ref: m.line });
  }

  /** An allocation the machine made at `addr` (undefined: it failed there, so nothing frees it);
   * `fast`: alloc_iova_fast (flush or not), else alloc_iova. */
  alloc(id: number, addr: bigint | undefined, source: number, o: AllocShape): void {
    const line = o.fast
      ? this.push({ op: o.flush ? 'alloc' : 'alloc-noflush', id, cpu: o.cpu, size: o.pages, limitPfn: o.limitPfn })
      : this.push({ op: 'slow-alloc', id, size: o.pages, limitPfn: o.limitPfn, aligned: o.aligned ?? false });
    if (addr !== undefined) this.record(this.live.get(id)!, addr, { line, size: o.pages, source }, ALLOCATOR_TERMS);
  }

  /** Free what the machine had at `addr`, with the page count given (default: the allocation's);
   * `samePages`: a different count is a complaint. */
  free(id: number, addr: bigint, source: number, o: FreeShape): void {
    const a = this.take(this.live.get(id)!, addr, source, o.samePages ? o.pages : undefined, ALLOCATOR_TERMS);
    if (!a) return;
    if (o.fast) this.push({ op: 'free', id, cpu: o.cpu!, pfn: 0n, size: o.pages ?? a.size, ref: a.line });
    else this.push({ op: 'slow-free', id, pfn: 0n, ref: a.line });
  }

  put(id: number): void {
    this.push({ op: 'put', id });
    this.live.delete(id);
  }

  trace(header: TraceHeader): Trace {
    return { header, ops: this.ops };
  }
}
