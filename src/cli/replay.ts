// `iova-lab replay FILE`: run a trace (format v1, README "Trace format v1") on an engine.
// Malformed trace → TraceSyntaxError (exit 2); engine error → TraceReplayError (exit 1).
// --profile replaces the trace's profile line; --policy specs run after the trace's policy lines.
import { Command } from 'commander';
import type { EngineName } from '../engine.js';
import { DEFAULT_PROFILE } from '../policy.js';
import { formatDma } from '../report/dma.js';
import { formatSlabtop } from '../report/slabtop.js';
import { replaySummary } from '../report/summary.js';
import { replayTrace, replayValueToJson } from '../trace/replay.js';
import { choiceOption, collectPolicy, profileOption } from './options.js';
import { stderrProgress, type ProgressStream } from './progress.js';
import { makeVariant, readTraceFile, traceForVariant, variantTitle } from './scenario.js';

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
      const parsed = await readTraceFile(file, process.stdin);
      const variant = makeVariant(o.profile ?? parsed.header.profile ?? DEFAULT_PROFILE, o.policy ?? []);
      const trace =
        o.profile === undefined && (o.policy ?? []).length === 0 ? parsed : traceForVariant(parsed, variant, 'extend');
      const bar = stderrProgress(o.progress, { total: trace.ops.length }, progressStream);
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
        result = await replayTrace(
          trace,
          o.engine ?? 'wasm',
          (v) => {
            if (o.json) {
              // Blank the bar first so a terminal showing both streams gets whole JSON lines.
              if (bar.visible) bar.finish();
              pending += JSON.stringify(replayValueToJson(v)) + '\n';
            }
          },
          {
            onProgress: (done, total) => {
              flush();
              bar.update(done, total, 'ops');
            },
          },
        );
      } finally {
        bar.finish();
        flush();
      }
      if (o.json) {
        const { profile, design } = variant;
        out(JSON.stringify({ summary: { profile, design, ...replaySummary(result.snapshot) } }) + '\n');
        return;
      }
      const m = result.snapshot.magazines;
      out(
        formatSlabtop(result.snapshot) +
          `magazines: ${m.total} (loaded ${m.loaded}, prev ${m.prev}, depot ${m.depot}); ` +
          `ops ${trace.ops.length}, values ${result.values.length}, clock ${result.snapshot.nowMs} ms; ` +
          `profile ${variantTitle({ ...variant, policy: trace.header.policy })}\n` +
          formatDma(result.snapshot),
      );
    });
}
