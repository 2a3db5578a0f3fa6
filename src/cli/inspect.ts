// `iova-lab inspect [--root DIR]`: read this machine (or a captured copy) and explain its rcaches.
import { Command } from 'commander';
import { assessMachine } from '../machine/assess.js';
import { formatInspection } from '../machine/format.js';
import { fsSource } from '../machine/fs-source.js';
import { readMachine } from '../machine/read.js';
import type { ProfileName } from '../policy.js';
import { profileOption } from './options.js';

export function inspectCommand(out: (text: string) => void): Command {
  return new Command('inspect')
    .description(
      'read this machine (CPUs, IOMMU groups, /proc/slabinfo, /sys/kernel/slab, /proc/version) ' +
        'and explain its rcaches',
    )
    .option('--root <dir>', 'read a captured copy under DIR instead of /', '/')
    .option(
      '--profile <version>',
      'kernel version from 4.7 on, e.g. 6.8 (default: from /proc/version)',
      profileOption('--profile'),
    )
    .option('--json', 'print JSON')
    .action(async (o: { root: string; profile?: ProfileName; json?: boolean }) => {
      const i = assessMachine(await readMachine(fsSource(o.root)), o.profile);
      out(o.json ? JSON.stringify(i, null, 2) + '\n' : formatInspection(i));
    });
}
