// What a playground link can carry of an inspected machine. Its files do not fit in a link (and
// they describe someone's machine), so the link carries the scenario derived from them instead:
// its possible and online CPUs, its domains with rcaches and its kernel profile. `simulate` on that
// scenario allocates the eager magazines `inspect` expects, so the link reproduces the prediction.
import type { Inspection } from '../machine/assess.js';
import { scenarioFromEntries, type PlaygroundScenario } from './scenario-link.js';

export type DerivedScenario = { scenario: PlaygroundScenario } | { reason: string };

export function inspectionScenario(i: Inspection): DerivedScenario {
  const domains = i.domains ?? i.explanation?.domains;
  if (i.possibleCpus === undefined) return { reason: 'the possible CPU count is unknown' };
  if (domains === undefined) return { reason: 'the number of domains with rcaches is unknown' };
  if (domains === 0) return { reason: 'no domain carries an rcache' };
  const pairs: Array<[string, string]> = [
    ['cpus', String(i.possibleCpus)],
    ...(i.onlineCpus !== undefined && i.onlineCpus !== i.possibleCpus ? [['online', String(i.onlineCpus)]] : []),
    ['domains', String(domains)],
    ['profile', i.profile],
  ] as Array<[string, string]>;
  try {
    return { scenario: scenarioFromEntries('simulate', pairs) };
  } catch (e) {
    // beyond the lab's limits (e.g. more CPUs than it models): the CLI's message says which
    return { reason: e instanceof Error ? e.message : String(e) };
  }
}
