// The scenario <-> link <-> argv codec the CLI's --link and the playground share.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DMA_DOMAIN_TYPES } from '../../src/engine.js';
import { PROFILE_NAMES } from '../../src/policy.js';
import { INT_LIMITS, type IntFlag } from '../../src/share/limits.js';
import {
  DEFAULT_LINK_BASE,
  linkKeys,
  scenarioFromArgs,
  scenarioFromHash,
  scenarioToArgs,
  scenarioToCommandLine,
  scenarioToHash,
  scenarioToLink,
  shellQuote,
  type PlaygroundScenario,
} from '../../src/share/scenario-link.js';
import { UsageError } from '../../src/share/usage-error.js';
import { WORKLOAD_NAMES } from '../../src/workloads/common.js';

const int = (flag: IntFlag) => fc.integer({ min: INT_LIMITS[flag][0], max: INT_LIMITS[flag][1] });

/** Free text as a user may type it: commas excluded (they separate specs), no blank spec. */
const spec = fc
  .string({ minLength: 1, maxLength: 12, unit: 'binary' })
  .map((s) => s.trim())
  .filter((s) => s.length > 0 && !s.includes(','));

const workloadFields = {
  preset: fc.constant('seed' as const),
  cpus: int('--cpus'),
  online: int('--online'),
  domains: int('--domains'),
  slabGeometry: fc.constantFrom('slub' as const, 'order0' as const),
  workload: fc.constantFrom(...WORKLOAD_NAMES),
  ops: int('--ops'),
  durationMs: int('--duration-ms'),
  seed: int('--seed'),
  domainType: fc.constantFrom(...DMA_DOMAIN_TYPES),
  irqCpus: int('--irq-cpus'),
};
/** compare --domain-types: a DMA workload, the types listed there (so no --domain-type). */
const { domainType: _one, ...dmaCompareFields } = workloadFields;
const domainTypes = fc.uniqueArray(fc.constantFrom(...DMA_DOMAIN_TYPES), {
  minLength: 1,
  maxLength: DMA_DOMAIN_TYPES.length,
});
const common = {
  engine: fc.constantFrom('wasm' as const, 'ts' as const),
  policy: fc.array(spec, { minLength: 1, maxLength: 3 }),
};
const output = {
  format: fc.constantFrom('slabtop' as const, 'slabinfo' as const),
  timeline: int('--timeline'),
};
/** Kernel versions in canonical form: the named profiles and any release from 4.7 on. */
const profile = fc.oneof(
  fc.constantFrom(...PROFILE_NAMES),
  fc
    .record({
      major: fc.integer({ min: 5, max: 9 }),
      minor: fc.integer({ min: 0, max: 30 }),
      patch: fc.option(fc.nat(300)),
    })
    .map(({ major, minor, patch }) => `v${major}.${minor}${patch === null ? '' : `.${patch}`}`),
);
const profiles = fc.uniqueArray(profile, { minLength: 1, maxLength: PROFILE_NAMES.length });
const trace = fc.string({ maxLength: 80, unit: 'binary' });
const opt = { requiredKeys: [] as [] };

const scenarioArb: fc.Arbitrary<PlaygroundScenario> = fc.oneof(
  fc
    .record(
      {
        ...workloadFields,
        ...common,
        ...output,
        profile,
        magazines: fc.constantFrom('named' as const, 'unnamed' as const),
      },
      opt,
    )
    .map((s) => ({ command: 'simulate' as const, ...s })),
  fc
    .record(
      {
        ...workloadFields,
        ...common,
        ...output,
        profiles,
        magazines: fc.constantFrom('named' as const, 'unnamed' as const),
      },
      { requiredKeys: ['profiles'] },
    )
    .map((s) => ({ command: 'compare' as const, ...s })),
  fc
    .record({ ...workloadFields, ...common, ...output, profile }, opt)
    .map((s) => ({ command: 'compare' as const, ...s })),
  fc
    .record(
      {
        ...dmaCompareFields,
        workload: fc.constantFrom('nvme' as const, 'nic' as const, 'pause' as const),
        ...common,
        ...output,
        profiles,
        domainTypes,
      },
      { requiredKeys: ['domainTypes'] },
    )
    .map((s) => ({ command: 'compare' as const, ...s })),
  fc
    .record({ ...common, ...output, profiles, trace }, { requiredKeys: ['trace'] })
    .map((s) => ({ command: 'compare' as const, ...s })),
  fc
    .record({ engine: common.engine, policy: common.policy, profile, trace }, { requiredKeys: ['trace'] })
    .map((s) => ({ command: 'replay' as const, ...s })),
  fc
    .record({ cpus: workloadFields.cpus, online: workloadFields.online, text: trace }, { requiredKeys: ['cpus'] })
    .map((s) => ({ command: 'explain' as const, ...s })),
);

describe('scenario link', () => {
  it('round-trips every scenario through the link hash, a parsed URL and argv', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const hash = scenarioToHash(s);
        expect(scenarioFromHash(hash)).toEqual(s);
        // What a browser hands back from location.hash after parsing the whole link.
        expect(scenarioFromHash(new URL(scenarioToLink(s, 'https://example.org/play/')).hash)).toEqual(s);
        const { args, stdin } = scenarioToArgs(s);
        expect(scenarioFromArgs(args, stdin)).toEqual(s);
        expect(scenarioToHash(scenarioFromHash(hash))).toBe(hash);
      }),
      { numRuns: 500 },
    );
  });

  it("spells the link with the CLI's long option names in one canonical order", () => {
    const s: PlaygroundScenario = {
      command: 'compare',
      policy: ['lazy', 'mag-size=64'],
      profiles: ['v6.7', 'v6.8'],
      cpus: 16,
    };
    expect(scenarioToHash(s)).toBe('compare?cpus=16&profiles=v6.7,v6.8&policy=lazy,mag-size=64');
    expect(scenarioToLink(s)).toBe(`${DEFAULT_LINK_BASE}#compare?cpus=16&profiles=v6.7,v6.8&policy=lazy,mag-size=64`);
    expect(scenarioToLink(s, 'https://example.org/p/#old')).toBe(
      'https://example.org/p/#compare?cpus=16&profiles=v6.7,v6.8&policy=lazy,mag-size=64',
    );
    expect(scenarioToArgs(s).args).toEqual([
      'compare',
      '--cpus',
      '16',
      '--profiles',
      'v6.7,v6.8',
      '--policy',
      'lazy,mag-size=64',
    ]);
    expect(linkKeys('replay')).toEqual(['engine', 'profile', 'policy', 'trace']);
    expect(linkKeys('explain')).toEqual(['cpus', 'online', 'text']);
  });

  it('puts a trace on stdin of the command line, as a here-document', () => {
    const s: PlaygroundScenario = { command: 'replay', trace: 'cpus 2\ndomain 0 4096 1\n', profile: 'v4.7' };
    expect(scenarioToArgs(s)).toEqual({ args: ['replay', '-', '--profile', 'v4.7'], stdin: s.trace });
    expect(scenarioToCommandLine(s)).toBe("iova-lab replay - --profile v4.7 <<'TRACE'\ncpus 2\ndomain 0 4096 1\nTRACE");
    // A line equal to the delimiter picks another one.
    expect(scenarioToCommandLine({ command: 'replay', trace: 'TRACE' })).toBe(
      "iova-lab replay - <<'TRACE_'\nTRACE\nTRACE_",
    );
    expect(scenarioToArgs({ command: 'compare', trace: 'x', profiles: ['v6.8'] }).args).toEqual([
      'compare',
      '--profiles',
      'v6.8',
      '--trace',
      '-',
    ]);
    expect(scenarioToArgs({ command: 'explain', cpus: 128, text: 'a line' })).toEqual({
      args: ['explain', '--cpus', '128'],
      stdin: 'a line',
    });
  });

  it('quotes shell words only when needed', () => {
    expect(shellQuote('mag-size=64')).toBe('mag-size=64');
    expect(shellQuote("it's a b")).toBe("'it'\\''s a b'");
    expect(shellQuote('$(x)')).toBe("'$(x)'");
  });

  it("refuses bad links with the CLI's messages, naming the value", () => {
    const refuse = (hash: string) => {
      try {
        scenarioFromHash(hash);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error(`accepted ${hash}`);
    };
    expect(refuse('simulate?cpus=5000')).toBe('--cpus must be at most 4096, got 5000.');
    expect(refuse('simulate?cpus=12x')).toBe('--cpus must be a decimal integer, got "12x".');
    expect(refuse('simulate?workload=storm')).toBe(
      '--workload must be one of idle, churn, cross-cpu, burst, nvme, nic, pause, got "storm".',
    );
    expect(refuse('simulate?policy=lazy,,dynamic')).toBe('--policy has an empty spec in "lazy,,dynamic".');
    expect(refuse('simulate?workload=nvme&domain-type=eager')).toBe(
      '--domain-type must be one of strict, lazy, lazy-single, got "eager".',
    );
    expect(refuse('simulate?workload=nvme&irq-cpus=0')).toBe('--irq-cpus must be at least 1, got 0.');
    expect(refuse('compare?workload=nvme&domain-types=strict,lazy,strict')).toBe(
      '--domain-types lists "strict" twice.',
    );
    expect(refuse('compare?workload=nvme&domain-types=strict,fast')).toBe(
      '--domain-types: each name must be one of strict, lazy, lazy-single, got "fast".',
    );
    expect(refuse('compare?workload=churn&domain-types=strict,lazy')).toBe(
      '--domain-types goes with a DMA workload (nvme, nic, pause), not --workload churn.',
    );
    expect(refuse('simulate?workload=nvme&domain-types=lazy')).toBe('simulate takes no --domain-types.');
    expect(refuse('simulate?colour=red')).toBe('the link has an unknown key "colour".');
    expect(refuse('simulate?cpus=4&cpus=8')).toBe('--cpus is given twice.');
    expect(refuse('simulate?profiles=v6.8')).toBe('simulate takes no --profiles.');
    expect(refuse('inspect?cpus=4')).toBe(
      'the command must be one of simulate, compare, replay, explain, got "inspect".',
    );
    expect(refuse('explain?text=x')).toBe(
      'explain needs --cpus <n>: the possible CPU count of the machine the line came from.',
    );
    expect(refuse('explain?cpus=4&profile=v6.8')).toBe('explain takes no --profile.');
    expect(refuse('replay?profile=v6.8')).toBe('replay needs a trace.');
    expect(refuse('compare?profiles=v6.8,v6.8')).toBe('--profiles lists "v6.8" twice.');
    expect(refuse('compare?profile=v6.7&profiles=v6.8')).toBe(
      '--profile picks one profile; with --profiles list them all there.',
    );
    expect(refuse('compare?magazines=named')).toBe(
      '--magazines goes with --profiles; without it compare runs both modes.',
    );
    expect(refuse('compare?cpus=4&trace=cpus%204')).toBe(
      "--trace runs the trace's own scenario; it cannot be combined with --cpus.",
    );
    expect(refuse('simulate?seed=%E0%A4%A')).toBe('the link has a malformed escape in "%E0%A4%A".');
  });
});
