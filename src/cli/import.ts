// `iova-lab import ftrace|bpftrace FILE|-`: turn a real machine's recording into a trace.
import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { DMA_DOMAIN_TYPES, type DmaBus, type DmaDomainType } from '../engine.js';
import { BpftraceReader } from '../import/bpftrace.js';
import { FtraceReader } from '../import/ftrace.js';
import { MAX_RECORDING_LINE_CHARS } from '../share/limits.js';
import { writeMapUnmap } from '../import/map-unmap-writer.js';
import { writeTrace } from '../trace/write.js';
import { lines } from './stdin.js';
import { choiceOption, intOption, UsageError } from './options.js';
import { checkOutputFile, writeOutputFile } from './output.js';

interface ImportOptions {
  output?: string;
  cpus?: number;
  lenient?: boolean;
  maskBits: number;
  bus: DmaBus;
  domainType: DmaDomainType;
}

/** The recording's lines, read as they are used (never the whole text); -o is checked first, so
 * a bad output path is refused before any work. */
async function* readInput(file: string, o: ImportOptions): AsyncGenerator<string> {
  if (o.output !== undefined) checkOutputFile('-o', o.output);
  const cannotRead = (e: unknown): UsageError =>
    new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  async function* bytes(): AsyncGenerator<Uint8Array> {
    try {
      yield* file === '-' ? (process.stdin as AsyncIterable<Uint8Array>) : createReadStream(file);
    } catch (e) {
      throw cannotRead(e);
    }
  }
  const tooLong = (line: number): UsageError =>
    new UsageError(
      `${file === '-' ? 'stdin' : file} line ${line}: longer than ${MAX_RECORDING_LINE_CHARS} characters (the limit).`,
    );
  yield* lines(bytes(), MAX_RECORDING_LINE_CHARS, tooLong);
}

function withCommon(cmd: Command): Command {
  return cmd
    .argument('<file>', 'the recording, or - for stdin')
    .option('-o, --output <file>', 'write the trace here instead of stdout')
    .option(
      '--cpus <n>',
      'possible CPUs of the trace (default: the highest CPU seen + 1)',
      intOption('--cpus', 1, 4096),
    )
    .option(
      '--lenient',
      'skip (and count) lines that do not parse or free what was never allocated, ' + 'instead of exit 2',
    );
}

type Skipped = Array<{ line: number; why: string }>;

async function emit(text: string, o: ImportOptions, out: (t: string) => void, skipped: Skipped): Promise<void> {
  if (o.output) await writeOutputFile(o.output, text, 'no trace was written.');
  else out(text);
  if (skipped.length > 0) {
    const first = skipped[0];
    process.stderr.write(`iova-lab: skipped ${skipped.length} line(s); first: line ${first.line}: ${first.why}\n`);
  }
}

export function importCommand(out: (text: string) => void): Command {
  const ftrace = withCommon(new Command('ftrace'))
    .description('iommu:map / iommu:unmap events of /sys/kernel/tracing/trace, trace_pipe or trace-cmd report')
    .option(
      '--mask-bits <n>',
      "the device's DMA mask width (its IOVAs stay below 2^n and the 48-bit aperture)",
      intOption('--mask-bits', 12, 64),
      64,
    )
    .option(
      '--bus <bus>',
      'bus of the device: pci (tries 32-bit IOVAs first) or platform',
      choiceOption('--bus', ['pci', 'platform'] as const),
      'pci',
    )
    .option(
      '--domain-type <type>',
      `the domain's unmapping: ${DMA_DOMAIN_TYPES.join(', ')} ` +
        '(strict: DMA, lazy: DMA-FQ with per-CPU flush queues, lazy-single: one flush queue)',
      choiceOption('--domain-type', DMA_DOMAIN_TYPES),
      'strict',
    )
    .action(async (file: string, o: ImportOptions) => {
      const reader = new FtraceReader({ lenient: o.lenient });
      for await (const raw of readInput(file, o)) reader.line(raw);
      const rec = reader.rec;
      if (o.cpus !== undefined && rec.events.some((e) => e.cpu >= o.cpus!)) {
        const highest = Math.max(...rec.events.map((e) => e.cpu));
        throw new UsageError(`--cpus ${o.cpus} is below a recorded CPU (${highest}).`);
      }
      const trace = writeMapUnmap(rec, {
        cpus: o.cpus,
        granule: 4096,
        domainType: o.domainType,
        maskBits: o.maskBits,
        bus: o.bus,
        lenient: o.lenient,
      });
      const maps = rec.events.flatMap((e) => (e.kind === 'map' ? [e] : []));
      const chunks = maps.reduce((n, e) => n + e.chunks, 0);
      const comments = [
        `imported from ftrace ${file === '-' ? '(stdin)' : file}: ${maps.length} maps (${chunks} map events), ` +
          `${rec.events.length - maps.length} unmaps, ${rec.skipped.length} lines skipped`,
        ...rec.warnings.map((w) => `recording line ${w.line}: ${w.text}`),
      ];
      await emit(writeTrace(trace, comments), o, out, rec.skipped);
    });
  const bpftrace = withCommon(new Command('bpftrace'))
    .description('output of the recording script (iova-lab record --print-script): one domain per iova_domain pointer')
    .action(async (file: string, o: ImportOptions) => {
      const reader = new BpftraceReader({ cpus: o.cpus, lenient: o.lenient });
      for await (const raw of readInput(file, o)) reader.line(raw);
      const r = reader.finish();
      if (o.cpus !== undefined && r.trace.header.possibleCpus > o.cpus) {
        throw new UsageError(`--cpus ${o.cpus} is below a recorded CPU (${r.trace.header.possibleCpus - 1}).`);
      }
      const comments = [
        `imported from bpftrace ${file === '-' ? '(stdin)' : file}: ${r.domains.size} iova_domains, ` +
          `${r.skipped.length} lines skipped`,
        ...[...r.domains].map(([id, ptr]) => `domain ${id} = iova_domain ${ptr}`),
      ];
      await emit(writeTrace(r.trace, comments), o, out, r.skipped);
    });
  return new Command('import')
    .description("turn a real machine's recording into a trace (iova-lab replay FILE runs it)")
    .addCommand(ftrace.exitOverride())
    .addCommand(bpftrace.exitOverride());
}
