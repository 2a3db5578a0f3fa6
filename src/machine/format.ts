// The text `iova-lab inspect` prints for an Inspection.
import { formatExplanation } from '../report/explain.js';
import type { Inspection } from './assess.js';

const mib = (bytes: string): string => `${(Number(bytes) / 2 ** 20).toFixed(1)} MiB`;

export function formatInspection(i: Inspection): string {
  const out: string[] = [];
  const l = i.layout;
  const arrays = l.arrayCache ? `, one rcache array per domain in ${l.arrayCache}` : '';
  out.push(
    `kernel: ${i.kernel ?? 'unknown'}; profile ${i.profile} (${i.profileSource}): ` +
      `magazines of ${l.magazineSize} PFNs in ${l.magazineCache}${arrays}`,
  );
  if (i.possibleCpus !== undefined) {
    out.push(
      `CPUs: ${i.possibleCpus} possible, ${i.onlineCpus} online` +
        (i.offlineCpus?.length ? ` (offline: ${i.offlineCpus.length})` : ''),
    );
  }
  if (i.groupsByType) {
    const types = Object.entries(i.groupsByType)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    out.push(`IOMMU groups: ${types || 'none'}`);
    out.push(`domains with rcaches: ${i.domains} (strict DMA ${i.strictDomains}, lazy DMA-FQ ${i.lazyDomains})`);
  }
  if (i.eagerMagazines !== undefined) {
    out.push(
      `expected eager magazines: 12 x ${i.possibleCpus} possible CPUs x ${i.domains} domains = ` +
        `${i.eagerMagazines} ` +
        `(${i.eagerMagazineBytes} bytes, ${mib(i.eagerMagazineBytes!)}) in ${i.layout.magazineCache}`,
    );
  }
  if (i.explanation) {
    const e = i.explanation;
    out.push(
      `machine shows: ${e.magazines} magazines in ${e.layout.magazineCache}${e.exact ? '' : ' (upper bound)'}; ` +
        `difference: ${e.extraMagazines >= 0 ? '+' : ''}${e.extraMagazines}`,
    );
    out.push('', formatExplanation(e).trimEnd(), '');
  }
  for (const m of i.merged) out.push(`merged: ${m}`);
  if (i.lazySavingAtMost !== undefined) {
    out.push(
      `lazy magazine allocation would save at least ${i.lazySavingAtLeast} bytes (the CPUs never online) ` +
        `and up to ${i.lazySavingAtMost} bytes (${mib(i.lazySavingAtMost)}: ` +
        'every magazine of a CPU and size class that never frees)',
    );
  }
  for (const f of i.missing) {
    const why = f.status === 'missing' ? 'missing' : `unreadable: ${f.error}`;
    out.push(`cannot read /${f.path} (${why}): ${f.consequence}`);
  }
  out.push(`verdict: ${i.verdict}`);
  return out.join('\n') + '\n';
}
