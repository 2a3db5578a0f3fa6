// `iova-lab profiles [VERSION] [--json]`: the rcache designs with the releases each covers and
// the facets that switch on inside it, or what one kernel version resolves to.
import { Command } from 'commander';
import {
  DESIGN_NAMES,
  DESIGN_SUMMARIES,
  designReleases,
  FACET_RELEASES,
  facetsWithin,
  profileTitle,
  resolveKernel,
  type FacetName,
  type KernelProfile,
} from '../profiles/designs.js';
import { DEFAULT_PROFILE, magazineBytes } from '../policy.js';
import { formatTable } from '../report/table.js';
import { profileOption } from './options.js';

const facetLine = (f: FacetName): string => {
  const { since, change, evidence } = FACET_RELEASES[f];
  return `${since}: ${change}${evidence === 'spec' ? '' : ` (${evidence})`}`;
};

function listDesigns(json: boolean): string {
  const designs = DESIGN_NAMES.map((d) => ({
    design: d,
    releases: designReleases(d),
    summary: DESIGN_SUMMARIES[d],
    varies: facetsWithin(d),
  }));
  if (json) return JSON.stringify({ default: DEFAULT_PROFILE, designs, facets: FACET_RELEASES }, null, 2) + '\n';
  const table = formatTable(
    ['design', 'releases', 'rcache'],
    designs.map((d) => [d.design, d.releases, d.summary]),
    3,
  );
  const within = designs
    .filter((d) => d.varies.length)
    .map((d) => `within ${d.design}:\n${d.varies.map((f) => `  ${facetLine(f)}`).join('\n')}`);
  return (
    `${table}\ndefault ${DEFAULT_PROFILE}; any version from v4.7 on is a profile (iova-lab profiles 5.15).\n` +
    `releases marked (verify) or (recalled) are not confirmed against a merge record.\n\n${within.join('\n')}\n`
  );
}

function describe(p: KernelProfile, json: boolean): string {
  if (json) {
    const { version: _v, ...rest } = p;
    return JSON.stringify(rest, null, 2) + '\n';
  }
  const q = p.policy;
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  const rows: [string, string][] = [
    [
      'magazines',
      `${q.magazineSize} PFNs (${magazineBytes(q)} B), ${p.magazines === 'named' ? 'iommu_iova_magazine' : 'kmalloc'}`,
    ],
    ['depot', q.depotCap ? `fixed array of ${q.depotCap}, no trimming` : `list trimmed every ${q.trimDelayMs} ms`],
    ['rcache array', q.rcacheArrayBytes ? `kmalloc of ${q.rcacheArrayBytes} B per domain` : 'embedded in the domain'],
    [
      'tree walk',
      q.treeWalk === 'v4.7' ? 'v4.7: inclusive limits, one cached32_node cursor, no anchor' : 'anchor walk',
    ],
    ['max32_alloc_size', q.treeWalk === 'v4.7' ? '-' : yes(q.max32AllocSize)],
    [
      'retry from the top',
      q.treeWalk === 'v4.7'
        ? '-'
        : q.retry === 'overflow'
          ? 'yes, with the retry-start overflow'
          : yes(q.retry === 'fixed'),
    ],
    ['magazine pop', q.magazinePop === 'top' ? 'top PFN only' : 'scans the whole magazine'],
    ['flush_rcache argument', yes(q.flushRcacheArg)],
    ['failure flush', q.flushDepotOnFailure ? 'CPU magazines and depot' : 'CPU magazines only'],
    ['size rounding', q.roundSizeInFastAlloc ? 'in alloc_iova_fast' : 'by the caller'],
    ['SAC latch (DMA layer)', yes(p.dma.sacLatch)],
    ['single flush queue (DMA layer)', yes(p.dma.singleFlushQueue)],
  ];
  return `profile ${profileTitle(p)}: ${p.summary}\n` + formatTable(['facet', 'value'], rows, 2);
}

export function profilesCommand(out: (text: string) => void): Command {
  return new Command('profiles')
    .description('list the rcache designs and their releases, or show what a kernel version resolves to')
    .argument('[version]', 'a kernel version from 4.7 on, e.g. 5.15, v6.6, 6.12.3', profileOption('version'))
    .option('--json', 'print a JSON document instead')
    .action((version: string | undefined, o: { json?: boolean }) => {
      out(version === undefined ? listDesigns(o.json === true) : describe(resolveKernel(version), o.json === true));
    });
}
