// Reads the output of scripts/iova-record.bt (one "IOVA <event> cpu=… ns=… iovad=0x… k=v…" line
// per allocator call) into a trace with one domain per iova_domain pointer. Domains first seen
// after the recording started (the usual case: they were created at boot) get granule 4096 and
// start_pfn 1; a pointer seen again after put_iova_domain is a new domain.
import type { Trace } from '../trace/parse.js';
import { checkRecordingHeld, complainer, MAX_RECORDING_HELD, type Complain } from './recording.js';
import { TraceBuilder } from './trace-builder.js';

/** Keys each event must carry besides cpu, ns and iovad. */
const EVENTS: Record<string, string[]> = {
  init: ['granule', 'start_pfn'],
  rcaches: ['ret'],
  alloc_fast: ['size', 'limit', 'flush', 'ret'],
  free_fast: ['pfn', 'size'],
  alloc: ['size', 'limit', 'aligned', 'ret'],
  free: ['pfn'],
  put: [],
};

export interface BpftraceOptions {
  cpus?: number;
  lenient?: boolean;
  granule?: number;
  /** At most this many trace ops and skipped lines held (default MAX_RECORDING_HELD). */
  maxHeld?: number;
}

interface Hit {
  event: string;
  line: number;
  cpu: number;
  ns: bigint;
  iovad: string;
  v: Map<string, bigint>;
}

function readHit(raw: string, line: number, complain: Complain): Hit | undefined {
  const t = raw.trim().split(/\s+/);
  const event = t[1] ?? '';
  const keys = EVENTS[event];
  if (!keys) {
    complain(line, `unknown event "${event}" (expected ${Object.keys(EVENTS).join(', ')})`);
    return undefined;
  }
  const v = new Map<string, bigint>();
  for (const kv of t.slice(2)) {
    const m = /^([a-z_]+)=(0x[0-9a-fA-F]{1,16}|\d{1,20})$/.exec(kv);
    if (!m) {
      complain(line, `"${kv}" is not key=<decimal or 0x hex>`);
      return undefined;
    }
    v.set(m[1], BigInt(m[2]));
  }
  const missing = ['cpu', 'ns', 'iovad', ...keys].filter((k) => !v.has(k));
  if (missing.length > 0) {
    complain(line, `"${event}" without ${missing.join(', ')}`);
    return undefined;
  }
  if (v.get('cpu')! > 4095n) {
    complain(line, `cpu ${v.get('cpu')} beyond 4095`);
    return undefined;
  }
  return { event, line, cpu: Number(v.get('cpu')), ns: v.get('ns')!, iovad: `0x${v.get('iovad')!.toString(16)}`, v };
}

export interface BpftraceImport {
  trace: Trace;
  /** Trace domain id → the iova_domain pointer it stands for. */
  domains: Map<number, string>;
  skipped: Array<{ line: number; why: string }>;
}

/** Reads the script's output one line at a time (a stream never held whole); finish() gives the trace. */
export class BpftraceReader {
  private readonly skipped: BpftraceImport['skipped'] = [];
  private readonly complain: Complain;
  private readonly b: TraceBuilder;
  private readonly ids = new Map<string, number>();
  private readonly domains = new Map<number, string>();
  private highestCpu = 0;
  private lines = 0;

  constructor(private readonly o: BpftraceOptions = {}) {
    this.complain = complainer('bpftrace', o.lenient ?? false, this.skipped);
    this.b = new TraceBuilder(this.complain);
  }

  private domainOf(h: Hit, granule = this.o.granule ?? 4096, startPfn = 1n): number {
    let id = this.ids.get(h.iovad);
    if (id === undefined) {
      id = this.domains.size;
      this.ids.set(h.iovad, id);
      this.domains.set(id, h.iovad);
      this.b.domain(id, granule, startPfn);
    }
    return id;
  }

  /** The next line (without its line break). */
  line(raw: string): void {
    const line = ++this.lines;
    const held = this.b.ops.length + this.skipped.length;
    checkRecordingHeld('bpftrace', line, held, this.o.maxHeld ?? MAX_RECORDING_HELD);
    if (!raw.startsWith('IOVA ') || raw.startsWith('IOVA begin')) return; // bpftrace's own messages
    const h = readHit(raw, line, this.complain);
    if (!h) return;
    const b = this.b;
    this.highestCpu = Math.max(this.highestCpu, h.cpu);
    b.at(h.ns);
    const v = (k: string): bigint => h.v.get(k)!;
    switch (h.event) {
      case 'init':
        if (this.ids.has(h.iovad)) {
          this.complain(h.line, `iova_domain ${h.iovad} initialised again without put_iova_domain`);
        } else this.domainOf(h, Number(v('granule')), v('start_pfn') || 1n);
        break;
      case 'rcaches':
        this.domainOf(h);
        break;
      case 'alloc_fast':
      case 'alloc': {
        const fast = h.event === 'alloc_fast';
        const id = this.domainOf(h);
        const shape = {
          cpu: h.cpu,
          pages: v('size'),
          limitPfn: v('limit'),
          fast,
          flush: v('flush') === 1n,
          aligned: v('aligned') === 1n,
        };
        b.alloc(id, v('ret') === 0n ? undefined : v('ret'), h.line, shape); // ret 0: failed on the machine, never freed
        break;
      }
      case 'free_fast':
        b.free(this.domainOf(h), v('pfn'), h.line, { cpu: h.cpu, pages: v('size'), samePages: false, fast: true });
        break;
      case 'free':
        b.free(this.domainOf(h), v('pfn'), h.line, { samePages: false, fast: false });
        break;
      case 'put':
        b.put(this.domainOf(h));
        this.ids.delete(h.iovad);
        break;
    }
  }

  finish(): BpftraceImport {
    const possible = Math.max(this.o.cpus ?? 0, this.highestCpu + 1);
    const trace = this.b.trace({ possibleCpus: possible, onlineCpus: possible, policy: [] });
    return { trace, domains: this.domains, skipped: this.skipped };
  }
}

export function importBpftrace(text: string, o: BpftraceOptions = {}): BpftraceImport {
  const reader = new BpftraceReader(o);
  for (const raw of text.split(/\r?\n/)) reader.line(raw);
  return reader.finish();
}
