// `iova-lab replay FILE`: run a trace (format v1, README "Trace format v1") on an engine.
// The file (or stdin) is streamed through replayTraceStream: ops run as lines are read, nothing is
// held. Malformed line → TraceSyntaxError (exit 2); engine error → TraceReplayError (exit 1); the
// values of the ops before either are printed first.
// --profile replaces the trace's profile line; --policy specs run after the trace's policy lines.
import { Command } from 'commander';
import type { EngineName } from '../engine.js';
import { DEFAULT_PROFILE } from '../policy.js';
import { formatDma } from '../report/dma.js';
import { formatSlabtop } from '../report/slabtop.js';
import { replaySummary } from '../report/summary.js';
import type { TraceHeader } from '../trace/parse.js';
import { replayTraceStream, replayValueToJson } from '../trace/replay.js';
import { choiceOption, collectPolicy, profileOption } from './options.js';
import { stderrProgress, type ProgressStream } from './progress.js';
import { makeVariant, traceForVariant, utf8Chunks, variantTitle, type Variant } from './scenario.js';
import { cannotReadTrace, openTraceInput } from './trace-input.js';

interface ReplayOptions {
  engine?: EngineName;
  json?: boolean;
  profile?: string;
  policy?: string[];
  progress?: boolean;
}

export function replayCommand(out: (text: string) => void, progressStream: ProgressStream = process.stderr): Command {
  return new Command('replay')
    .description('replay a trace file (format v1; "-" reads stdin) and print the slab view')
    .argument('<file>', 'trace file, or - for stdin')
    .option('--engine <e>', 'wasm or ts (default wasm)', choiceOption('--engine', ['wasm', 'ts'] as const))
    .option(
      '--profile <version>',
      'kernel version from 4.7 on (e.g. 5.15, v6.6), replacing the trace\'s "profile"',
      profileOption('--profile'),
    )
    .option(
      '--policy <spec>',
      'what-if change applied after the trace\'s "policy" lines; repeatable or comma-separated',
      collectPolicy,
    )
    .option('--json', 'one JSON line per op that returns a PFN or (map, map-sg) a DMA address, then a summary line')
    .option('--no-progress', 'never draw the progress bar (it is drawn on stderr only when stderr is a terminal)')
    .action(async (file: string, o: ReplayOptions) => {
      const input = await openTraceInput(file, process.stdin);
      let variant: Variant | undefined;
      // --profile / --policy fold into the header as soon as it is read, before the lab is built.
      const header = (h: TraceHeader): TraceHeader => {
        variant = makeVariant(o.profile ?? h.profile ?? DEFAULT_PROFILE, o.policy ?? []);
        return o.profile === undefined && (o.policy ?? []).length === 0
          ? h
          : traceForVariant({ header: h, ops: [] }, variant, 'extend').header;
      };
      // Progress in KiB of the file read (the op count is not known ahead); none for a pipe.
      const bar = stderrProgress(o.progress, { total: kib(input.size ?? 0), unit: 'KiB' }, progressStream);
      // JSON lines go out after every batch of ops (not one write per line), so a reader that
      // closes the pipe stops the replay within one batch.
      let pending = '';
      const flush = (): void => {
        if (pending) out(pending);
        pending = '';
      };
      let result;
      try {
        // Values stream out as they come, so a failed replay still shows every op before it.
        result = await replayTraceStream(
          utf8Chunks(input.bytes, Infinity, () => cannotReadTrace(file, '')),
          o.engine ?? 'wasm',
          (v) => {
            if (o.json) {
              // Blank the bar first so a terminal showing both streams gets whole JSON lines.
              if (bar.visible) bar.finish();
              pending += JSON.stringify(replayValueToJson(v)) + '\n';
            }
          },
          {
            header,
            onProgress: () => {
              flush();
              if (input.size !== undefined) bar.update(kib(input.bytesRead()));
            },
          },
        );
      } finally {
        bar.finish();
        flush();
      }
      const { profile, design } = variant!;
      if (o.json) {
        out(JSON.stringify({ summary: { profile, design, ...replaySummary(result.snapshot) } }) + '\n');
        return;
      }
      const m = result.snapshot.magazines;
      out(
        formatSlabtop(result.snapshot) +
          `magazines: ${m.total} (loaded ${m.loaded}, prev ${m.prev}, depot ${m.depot}); ` +
          `ops ${result.ops}, values ${result.values}, clock ${result.snapshot.nowMs} ms; ` +
          `profile ${variantTitle({ ...variant!, policy: result.header.policy })}\n` +
          formatDma(result.snapshot),
      );
    });
}

const kib = (bytes: number): number => Math.ceil(bytes / 1024);
