// `iova-lab explain [line|FILE]`: what a slabtop / slabinfo magazine line implies. The argument
// is read as a file when it names an existing file (e.g. saved slabtop output), else as the line.
import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { MAX_POSSIBLE_CPUS } from '../kernel.js';
import { explainSlabLine, formatExplanation } from '../report/explain.js';
import { intOption, UsageError } from './options.js';

const EXPLAINABLE = /\b(iommu_iova_magazine|kmalloc-1k|iommu_iova)\s*$|^\s*(iommu_iova_magazine|kmalloc-1k|iommu_iova)\s/;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The argument's text: the file's content when it names an existing file, else the argument itself. */
export async function argumentText(arg: string): Promise<string> {
  let st;
  try {
    st = await stat(arg);
  } catch {
    return arg; // no such file: the argument is the line
  }
  if (st.isDirectory()) throw new UsageError(`${arg} is a directory: pass a file of slabtop / slabinfo output, or the line itself.`);
  if (!st.isFile()) return arg;
  try {
    return await readFile(arg, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${arg}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The lines to explain: the argument, or every explainable line of stdin (slabtop/slabinfo output). */
export function pickLines(text: string): string[] {
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const wanted = lines.filter((l) => EXPLAINABLE.test(l));
  return wanted.length > 0 ? wanted : lines.slice(0, 1);
}

export function explainCommand(out: (text: string) => void): Command {
  return new Command('explain')
    .description('explain an iommu_iova_magazine / kmalloc-1k / iommu_iova line of slabtop or /proc/slabinfo '
      + '(from a file, the argument, or stdin when no argument)')
    .argument('[line|file]', 'a file holding slabtop / slabinfo output, or the line itself (quote it)')
    .option('--cpus <n>', 'possible CPUs of the machine the line came from (required)', intOption('--cpus', 1, MAX_POSSIBLE_CPUS))
    .option('--online <n>', 'online CPUs (default: all possible)', intOption('--online', 1, MAX_POSSIBLE_CPUS))
    .option('--json', 'print JSON')
    .action(async (line: string | undefined, o: { cpus?: number; online?: number; json?: boolean }) => {
      if (o.cpus === undefined) throw new UsageError('explain needs --cpus <n>: the possible CPU count of the machine the line came from.');
      const text = line === undefined ? await readStdin() : await argumentText(line);
      const lines = pickLines(text);
      if (lines.length === 0) throw new UsageError('no line to explain: pass it (or a file) as an argument, or on stdin.');
      const results = lines.map((l) => explainSlabLine(l, { possibleCpus: o.cpus!, onlineCpus: o.online }));
      if (o.json) out(JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
      else out(results.map(formatExplanation).join('\n'));
    });
}
