// --link / --link-base for simulate and compare: the playground link that reruns this scenario
// in a browser tab (src/share/scenario-link.ts spells it).
import type { Command } from 'commander';
import { DEFAULT_LINK_BASE } from '../share/link-base.js';
import type { LinkCommand, PlaygroundScenario } from '../share/scenario-link.js';
import type { Trace } from '../trace/parse.js';
import type { ScenarioOptions } from './simulate.js';

export interface LinkOptions {
  link?: boolean;
  linkBase?: string;
}

export function addLinkOptions(cmd: Command): Command {
  return cmd
    .option('--link', 'also print the playground link that reruns this scenario in a browser')
    .option('--link-base <url>', `where the playground is served (default ${DEFAULT_LINK_BASE}); implies --link`);
}

/** The link for these options, or undefined when none was asked for; a trace travels inside the link. */
export async function playgroundLink(
  command: LinkCommand,
  o: ScenarioOptions & LinkOptions & Pick<PlaygroundScenario, 'profiles' | 'domainTypes'>,
  trace?: Trace,
): Promise<string | undefined> {
  if (!o.link && o.linkBase === undefined) return undefined;
  // the link code is loaded only when a link is asked for (it pulls in every option's checks)
  const [{ scenarioToLink }, { writeTrace }] = await Promise.all([
    import('../share/scenario-link.js'),
    import('../trace/write.js'),
  ]);
  const s: PlaygroundScenario = {
    command,
    preset: o.preset,
    cpus: o.cpus,
    online: o.online,
    domains: o.domains,
    slabGeometry: o.slabGeometry,
    workload: o.workload,
    ops: o.ops,
    durationMs: o.durationMs,
    seed: o.seed,
    domainType: o.domainType,
    irqCpus: o.irqCpus,
    domainTypes: o.domainTypes,
    engine: o.engine,
    profile: o.profile,
    profiles: o.profiles,
    policy: o.policy,
    magazines: o.magazines,
    format: o.format,
    timeline: o.timeline,
    trace: trace && writeTrace(trace),
  };
  return scenarioToLink(s, o.linkBase ?? DEFAULT_LINK_BASE);
}
