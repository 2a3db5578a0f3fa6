// `iova-lab replay FILE`: run a trace (format v1, README "Trace format v1") on an engine.
// Malformed trace → TraceSyntaxError (exit 2); engine error → TraceReplayError (exit 1).
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { EngineName } from '../engine.js';
import { formatSlabtop } from '../report/slabtop.js';
import { replaySummary } from '../report/summary.js';
import { parseTrace } from '../trace/parse.js';
import { replayTrace } from '../trace/replay.js';
import { choiceOption, UsageError } from './options.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function replayCommand(out: (text: string) => void): Command {
  return new Command('replay')
    .description('replay a trace file (format v1; "-" reads stdin) and print the slab view')
    .argument('<file>', 'trace file, or - for stdin')
    .option('--engine <e>', 'wasm or ts (default wasm)', choiceOption('--engine', ['wasm', 'ts'] as const))
    .option('--json', 'one JSON line per op that returns a PFN, then a summary line')
    .action(async (file: string, o: { engine?: EngineName; json?: boolean }) => {
      let text: string;
      try {
        text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot read trace ${file}: ${e instanceof Error ? e.message : String(e)}`);
      }
      const trace = parseTrace(text);
      // Values stream out as they come, so a failed replay still shows every op before it.
      const result = await replayTrace(trace, o.engine ?? 'wasm', (v) => {
        if (o.json) out(JSON.stringify({ line: v.line, op: v.op, pfn: v.pfn.toString() }) + '\n');
      });
      if (o.json) {
        out(JSON.stringify({ summary: replaySummary(result.snapshot) }) + '\n');
        return;
      }
      const m = result.snapshot.magazines;
      out(formatSlabtop(result.snapshot)
        + `magazines: ${m.total} (loaded ${m.loaded}, prev ${m.prev}, depot ${m.depot}); `
        + `ops ${trace.ops.length}, values ${result.values.length}, clock ${result.snapshot.nowMs} ms\n`);
    });
}
