// The report of `compare` without --profiles or --domain-types: one scenario with named and with
// unnamed magazines, their slab views side by side (one after the other for slabinfo lines, too
// wide to sit together). The CLI and the playground print this same text.
import { slabView, type SlabViewFormat } from '../report/simulate.js';
import { sideBySide } from '../report/summary.js';
import type { Snapshot } from '../snapshot.js';

/** `profile` names what ran (variantTitle); the text ends with that line. */
export function formatModesCompare(
  named: Snapshot,
  unnamed: Snapshot,
  profile: string,
  format: SlabViewFormat | undefined,
): string {
  const block = (mode: string, s: Snapshot) => {
    const total = `magazines: ${s.magazines.total} (depot ${s.magazines.depot})`;
    return `== ${mode} (${s.magazineCache}) ==\n${slabView(s, format)}${total}\n`;
  };
  const profileLine = `profile ${profile}\n`;
  if (format === 'slabinfo') return block('named', named) + '\n' + block('unnamed', unnamed) + profileLine;
  return sideBySide(block('named', named), block('unnamed', unnamed)) + profileLine;
}
