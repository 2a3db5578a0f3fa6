// `iova-lab inspect [--root DIR]`: read this machine (or a captured copy) and explain its rcaches.
import { Command } from 'commander';
import { assessMachine } from '../machine/assess.js';
import { formatInspection } from '../machine/format.js';
import { fsSource } from '../machine/fs-source.js';
import { readMachine } from '../machine/read.js';
import type { ProfileName } from '../policy.js';
import { inspectionScenario } from '../share/inspect-link.js';
import { DEFAULT_LINK_BASE, scenarioToLink } from '../share/scenario-link.js';
import { addLinkOptions, type LinkOptions } from './link.js';
import { profileOption } from './options.js';

interface InspectOptions extends LinkOptions {
  root: string;
  profile?: ProfileName;
  json?: boolean;
}

export function inspectCommand(out: (text: string) => void): Command {
  return addLinkOptions(
    new Command('inspect')
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
      .option('--json', 'print JSON'),
  ).action(async (o: InspectOptions) => {
    const i = assessMachine(await readMachine(fsSource(o.root)), o.profile);
    // the machine's files do not fit in a link: it carries the scenario derived from them
    const derived = o.link || o.linkBase !== undefined ? inspectionScenario(i) : undefined;
    const link =
      derived && 'scenario' in derived ? scenarioToLink(derived.scenario, o.linkBase ?? DEFAULT_LINK_BASE) : undefined;
    if (o.json) {
      const linkField = derived ? ('scenario' in derived ? { link } : { linkRefused: derived.reason }) : {};
      out(JSON.stringify({ ...i, ...linkField }, null, 2) + '\n');
      return;
    }
    out(formatInspection(i));
    if (derived === undefined) return;
    out('scenario' in derived ? `\nplayground: ${link}\n` : `\nplayground: no link: ${derived.reason}\n`);
  });
}
