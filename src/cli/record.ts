// `iova-lab record --print-script`: the bpftrace program whose output `import bpftrace` reads.
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { UsageError } from './options.js';

/** scripts/iova-record.bt, shipped in the package next to dist/. */
export const RECORD_SCRIPT = new URL('../../scripts/iova-record.bt', import.meta.url);

export function recordCommand(out: (text: string) => void): Command {
  return new Command('record')
    .description(
      'print the bpftrace recording script ' +
        '(run it as root: bpftrace script.bt > rec.txt; then iova-lab import bpftrace rec.txt)',
    )
    .option('--print-script', 'print the script')
    .action(async (o: { printScript?: boolean }) => {
      if (!o.printScript) {
        throw new UsageError('record only prints its script for now: iova-lab record --print-script > iova-record.bt');
      }
      out(await readFile(RECORD_SCRIPT, 'utf8'));
    });
}
