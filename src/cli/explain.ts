// `iova-lab explain [line|FILE]`: what slabtop / slabinfo output says about a machine's rcaches,
// every relevant cache read together. The argument is read as a file when it names an existing
// file (e.g. saved slabtop output), else as the line.
import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { MAX_POSSIBLE_CPUS } from '../kernel.js';
import type { ProfileName } from '../policy.js';
import { formatExplanation } from '../report/explain.js';
import { checkExplainCpus, explainText } from '../report/explain-lines.js';
import { intOption, profileOption, UsageError } from './options.js';
import { readCapped } from './stdin.js';
import { MAX_EXPLAIN_INPUT_BYTES } from '../share/limits.js';

/** The argument's text: the file's content when it names an existing file (at most
 * MAX_EXPLAIN_INPUT_BYTES), else the argument itself. */
export async function argumentText(arg: string): Promise<string> {
  let st;
  try {
    st = await stat(arg);
  } catch {
    return arg; // no such file: the argument is the line
  }
  if (st.isDirectory())
    throw new UsageError(`${arg} is a directory: pass a file of slabtop / slabinfo output, or the line itself.`);
  if (!st.isFile()) return arg;
  if (st.size > MAX_EXPLAIN_INPUT_BYTES) {
    throw new UsageError(
      `${arg} is larger than ${MAX_EXPLAIN_INPUT_BYTES / 2 ** 20} MiB (the limit of ${MAX_EXPLAIN_INPUT_BYTES} bytes).`,
    );
  }
  try {
    return await readFile(arg, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${arg}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface ExplainCliOptions {
  cpus?: number;
  online?: number;
  profile?: ProfileName;
  json?: boolean;
}

export function explainCommand(out: (text: string) => void): Command {
  return new Command('explain')
    .description(
      'explain the rcache caches (iommu_iova_magazine, kmalloc-1k, kmalloc-2k, iommu_iova) of slabtop or ' +
        '/proc/slabinfo output, read together (from a file, the argument, or stdin when no argument)',
    )
    .argument('[line|file]', 'a file holding slabtop / slabinfo output, or the line itself (quote it)')
    .option(
      '--cpus <n>',
      'possible CPUs of the machine the line came from (required)',
      intOption('--cpus', 1, MAX_POSSIBLE_CPUS),
    )
    .option('--online <n>', 'online CPUs (default: all possible)', intOption('--online', 1, MAX_POSSIBLE_CPUS))
    .option(
      '--profile <version>',
      'kernel version from 4.7 on, e.g. 6.8 (default: inferred from the caches)',
      profileOption('--profile'),
    )
    .option('--json', 'print JSON')
    .action(async (line: string | undefined, o: ExplainCliOptions) => {
      const possibleCpus = checkExplainCpus(o.cpus);
      const text =
        line === undefined
          ? await readCapped(process.stdin, 'stdin', MAX_EXPLAIN_INPUT_BYTES)
          : await argumentText(line);
      const e = explainText(text, { possibleCpus, onlineCpus: o.online, profile: o.profile });
      out(o.json ? JSON.stringify(e, null, 2) + '\n' : formatExplanation(e));
    });
}
