// Reads the iommu:map and iommu:unmap events of /sys/kernel/tracing/trace, trace_pipe or
// `trace-cmd report` text. Lines look like
//   <task>-<pid> [<cpu>] <flags> <seconds>.<fraction>: map: IOMMU: iova=0x… - 0x… paddr=0x… size=N
// with 4 or 5 flag characters (or none, or a "(tgid)" column); from 5.17 the iova is followed by
// " - <end>", before 5.17 it is not. Other events and "# " headers are skipped. Contiguous map
// events on one CPU are the chunks of one scatter-gather allocation and become one map.
import {
  checkRecordingHeld,
  complainer,
  MAX_RECORDING_HELD,
  type Complain,
  type RecordedEvent,
  type RecordedMap,
  type Recording,
} from './recording.js';

// task-pid, optional (tgid), [cpu], optional flags, seconds.fraction:, event name:, the rest
const EVENT_LINE = new RegExp(
  '^\\s*(.+?)-(\\d+)\\s+(?:\\(\\s*[\\d-]+\\)\\s+)?\\[(\\d{1,5})\\]\\s+' +
    '(?:[\\w.:!+*#@$-]{4,5}\\s+)?(\\d+)\\.(\\d{1,9}):\\s+(?:iommu:)?(\\S+?):\\s*(.*)$',
);
const HEX = '0x[0-9a-fA-F]{1,16}';
const DEC = '\\d{1,20}';
const MAP = new RegExp(`^IOMMU: iova=(${HEX})(?: - (${HEX}))? paddr=${HEX} size=(${DEC})\\s*$`);
const UNMAP = new RegExp(`^IOMMU: iova=(${HEX})(?: - (${HEX}))? size=(${DEC}) unmapped_size=(${DEC})\\s*$`);

const nsOf = (secs: string, frac: string): bigint => BigInt(secs) * 1_000_000_000n + BigInt(frac.padEnd(9, '0'));

export interface FtraceOptions {
  lenient?: boolean;
  /** At most this many events, skipped lines and warnings held (default MAX_RECORDING_HELD). */
  maxHeld?: number;
}

/** Reads a recording one line at a time (a stream never held whole); `rec` fills as it goes. */
export class FtraceReader {
  readonly rec: Recording = { source: 'ftrace', events: [], skipped: [], warnings: [] };
  private readonly complain: Complain;
  /** The map each CPU made last, while a following chunk may still extend it. */
  private readonly open = new Map<number, RecordedMap>();
  private lines = 0;
  private readonly maxHeld: number;

  constructor(o: FtraceOptions = {}) {
    this.complain = complainer('ftrace', o.lenient ?? false, this.rec.skipped);
    this.maxHeld = o.maxHeld ?? MAX_RECORDING_HELD;
  }

  /** The next line (without its line break). */
  line(raw: string): void {
    const { rec, open, complain } = this;
    const line = ++this.lines;
    checkRecordingHeld('ftrace', line, rec.events.length + rec.skipped.length + rec.warnings.length, this.maxHeld);
    if (raw.trim().length === 0 || raw.trimStart().startsWith('#')) return;
    const cpus = /^cpus=(\d+)\s*$/.exec(raw.trim());
    if (cpus) {
      rec.cpus = Number(cpus[1]);
      return;
    }
    if (/LOST \d+ EVENTS/.test(raw)) rec.warnings.push({ line, text: raw.trim() });
    const m = EVENT_LINE.exec(raw);
    if (!m || (m[6] !== 'map' && m[6] !== 'unmap')) return;
    const cpu = Number(m[3]);
    const ns = nsOf(m[4], m[5]);
    const f = (m[6] === 'map' ? MAP : UNMAP).exec(m[7]);
    if (!f) {
      const format = m[6] === 'map' ? 'paddr=0x… size=N' : 'size=N unmapped_size=N';
      complain(
        line,
        `an iommu:${m[6]} event that does not match its format ` + `("IOMMU: iova=0x… [- 0x…] ${format}"): ${m[7]}`,
      );
      return;
    }
    const iova = BigInt(f[1]);
    const bytes = BigInt(f[3]);
    if (bytes === 0n) {
      complain(line, `an iommu:${m[6]} of size 0`);
      return;
    }
    if (f[2] !== undefined && BigInt(f[2]) < iova) {
      complain(line, `an iova range that ends (${f[2]}) before it starts (${f[1]})`);
      return;
    }
    if (m[6] === 'map') {
      const prev = open.get(cpu);
      if (prev && prev.iova + prev.bytes === iova) {
        prev.bytes += bytes;
        prev.chunks += 1;
        prev.chunkBytes.push(bytes);
        return;
      }
      const ev: RecordedMap = { kind: 'map', line, cpu, ns, iova, bytes, chunks: 1, chunkBytes: [bytes] };
      open.set(cpu, ev);
      rec.events.push(ev);
    } else {
      // an unmapped allocation takes no more chunks, whichever CPU mapped it
      for (const [c, m] of open) if (m.iova === iova) open.delete(c);
      rec.events.push({ kind: 'unmap', line, cpu, ns, iova, bytes } satisfies RecordedEvent);
    }
  }
}

export function parseFtrace(text: string, o: FtraceOptions = {}): Recording {
  const reader = new FtraceReader(o);
  for (const raw of text.split(/\r?\n/)) reader.line(raw);
  return reader.rec;
}
