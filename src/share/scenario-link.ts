// One scenario, three spellings: the object the playground runs, the playground link (URL hash)
// and the `iova-lab` command line. The link's keys are the CLI's long option names, so
//   iova-lab compare --profiles v6.7,v6.8 --cpus 16 --policy lazy
// is the link   <base>#compare?cpus=16&profiles=v6.7,v6.8&policy=lazy
// A trace (replay, compare) travels in the link as `trace=<text>`, the slabtop / slabinfo text to
// explain as `text=<text>`; on the command line both go to stdin.
// Values are checked by the CLI's own checks (src/share/limits.ts), so a bad link is refused with
// the message the CLI would print for the same value.
import {
  DMA_DOMAIN_TYPES,
  type DmaDomainType,
  type EngineName,
  type MagazineMode,
  type SlabGeometry,
} from '../engine.js';
import type { SlabViewFormat } from '../report/simulate.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../workloads/common.js';
import { checkExplainCpus } from '../report/explain-lines.js';
import { checkCompareOptions } from './compare-rules.js';
import {
  checkChoice,
  checkChoiceList,
  checkIntFlag,
  checkProfile,
  checkProfileList,
  splitPolicy,
  type IntFlag,
} from './limits.js';
import { DEFAULT_LINK_BASE } from './link-base.js';
import { UsageError } from './usage-error.js';

export const LINK_COMMANDS = ['simulate', 'compare', 'replay', 'explain'] as const;
export type LinkCommand = (typeof LINK_COMMANDS)[number];

export { DEFAULT_LINK_BASE };

/** The workload options simulate and compare share, which a playground link carries too. */
export interface WorkloadFields {
  cpus?: number;
  online?: number;
  domains?: number;
  slabGeometry?: SlabGeometry;
  workload?: WorkloadName;
  ops?: number;
  durationMs?: number;
  seed?: number;
  engine?: EngineName;
  preset?: 'seed';
  /** DMA workloads: the DMA domains' type, and the CPUs taking completion interrupts. */
  domainType?: DmaDomainType;
  irqCpus?: number;
}

export interface PlaygroundScenario extends WorkloadFields {
  command: LinkCommand;
  /** compare on a DMA workload: the domain types to run side by side. */
  domainTypes?: DmaDomainType[];
  /** A kernel version in its canonical form ("v5.15"). */
  profile?: string;
  /** compare: the kernel versions to run side by side. */
  profiles?: string[];
  policy?: string[];
  magazines?: MagazineMode;
  format?: SlabViewFormat;
  /** Sampling interval of the timeline in virtual ms. */
  timeline?: number;
  /** replay (required) and compare: a trace in format v1. */
  trace?: string;
  /** explain: saved slabtop or /proc/slabinfo output (or one line of it). */
  text?: string;
}

type FieldKey = Exclude<keyof PlaygroundScenario, 'command'>;

interface Field {
  key: FieldKey;
  /** The CLI's option; for `text`, which has none, a name for the link key only. */
  flag: string;
  /** Read from stdin on the command line. */
  stdin?: boolean;
  commands: readonly LinkCommand[];
  parse(value: string): unknown;
  show(value: never): string;
}

const WORKLOAD: readonly LinkCommand[] = ['simulate', 'compare'];
const RUNS: readonly LinkCommand[] = ['simulate', 'compare', 'replay'];
const MACHINE: readonly LinkCommand[] = ['simulate', 'compare', 'explain'];

const int = (key: FieldKey, flag: IntFlag, commands = WORKLOAD): Field => ({
  key,
  flag,
  commands,
  parse: (v) => checkIntFlag(flag, v),
  show: (n: number) => String(n),
});
const choice = <T extends string>(key: FieldKey, flag: string, allowed: readonly T[], commands = WORKLOAD): Field => ({
  key,
  flag,
  commands,
  parse: (v) => checkChoice(flag, v, allowed),
  show: (s: string) => s,
});

const text = (key: FieldKey, flag: string, commands: readonly LinkCommand[]): Field => ({
  key,
  flag,
  stdin: true,
  commands,
  parse: (v) => v,
  show: (t: string) => t,
});

/**
 * Every field in canonical order: links and command lines list them in this order. A new CLI
 * option (a domain type, a workload parameter) becomes a link key by adding its row here.
 */
const FIELDS: readonly Field[] = [
  choice('preset', '--preset', ['seed'] as const),
  int('cpus', '--cpus', MACHINE),
  int('online', '--online', MACHINE),
  int('domains', '--domains'),
  choice('slabGeometry', '--slab-geometry', ['slub', 'order0'] as const),
  choice('workload', '--workload', WORKLOAD_NAMES),
  int('ops', '--ops'),
  int('durationMs', '--duration-ms'),
  int('seed', '--seed'),
  choice('domainType', '--domain-type', DMA_DOMAIN_TYPES),
  int('irqCpus', '--irq-cpus'),
  {
    key: 'domainTypes',
    flag: '--domain-types',
    commands: ['compare'],
    parse: (v) => checkChoiceList('--domain-types', v, DMA_DOMAIN_TYPES),
    show: (list: string[]) => list.join(','),
  },
  choice('engine', '--engine', ['wasm', 'ts'] as const, RUNS),
  {
    key: 'profile',
    flag: '--profile',
    commands: RUNS,
    parse: (v) => checkProfile('--profile', v),
    show: (p: string) => p,
  },
  {
    key: 'profiles',
    flag: '--profiles',
    commands: ['compare'],
    parse: checkProfileList,
    show: (list: string[]) => list.join(','),
  },
  { key: 'policy', flag: '--policy', commands: RUNS, parse: splitPolicy, show: (list: string[]) => list.join(',') },
  choice('magazines', '--magazines', ['named', 'unnamed'] as const),
  choice('format', '--format', ['slabtop', 'slabinfo'] as const),
  int('timeline', '--timeline'),
  text('trace', '--trace', ['compare', 'replay']),
  text('text', '--text', ['explain']),
];

const byName = new Map(FIELDS.map((f) => [f.flag.slice(2), f]));

function present(s: PlaygroundScenario, f: Field): boolean {
  const v = s[f.key];
  return v !== undefined && !(Array.isArray(v) && v.length === 0);
}

function checkCommand(command: unknown): void {
  if (!(LINK_COMMANDS as readonly unknown[]).includes(command)) {
    throw new UsageError(`the command must be one of ${LINK_COMMANDS.join(', ')}, got "${String(command)}".`);
  }
}

/** Every set field belongs to the command, and the fields go together. */
function checkFits(s: PlaygroundScenario): void {
  checkCommand(s.command);
  for (const f of FIELDS) {
    if (present(s, f) && !f.commands.includes(s.command)) {
      throw new UsageError(`${s.command} takes no ${f.stdin ? f.key : f.flag}.`);
    }
  }
  if (s.command === 'replay' && s.trace === undefined) throw new UsageError('replay needs a trace.');
  if (s.command === 'explain') checkExplainCpus(s.cpus);
  if (s.command === 'compare') checkCompareOptions(s);
}

function setField(s: PlaygroundScenario, f: Field, value: string): void {
  if (s[f.key] !== undefined) throw new UsageError(`${f.flag} is given twice.`);
  (s as unknown as Record<string, unknown>)[f.key] = f.parse(value);
}

/** Values of the fields that are set, as strings, in canonical order. */
function entries(s: PlaygroundScenario): Array<[Field, string]> {
  checkFits(s);
  return FIELDS.filter((f) => present(s, f)).map((f) => [f, f.show(s[f.key] as never)]);
}

/** The link keys (CLI long option names without "--") a command takes, in canonical order. */
export function linkKeys(command: LinkCommand): string[] {
  return FIELDS.filter((f) => f.commands.includes(command)).map((f) => f.flag.slice(2));
}

/** The set fields as [link key, value] pairs, in canonical order. */
export function scenarioToEntries(s: PlaygroundScenario): Array<[string, string]> {
  return entries(s).map(([f, v]) => [f.flag.slice(2), v]);
}

/** The scenario of a command and [link key, value] pairs; a bad key or value is a UsageError naming it. */
export function scenarioFromEntries(command: string, pairs: Iterable<readonly [string, string]>): PlaygroundScenario {
  checkCommand(command);
  const s = { command } as PlaygroundScenario;
  for (const [name, value] of pairs) {
    const f = byName.get(name);
    if (f === undefined) throw new UsageError(`the link has an unknown key "${name}".`);
    setField(s, f, value);
  }
  checkFits(s);
  return s;
}

// encodeURIComponent, but leaving the characters that read well in a link and mean nothing in a hash value.
const encodeValue = (v: string): string =>
  encodeURIComponent(v).replace(/%(2C|3D|3A|2F)/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The link's hash, without '#': `simulate?preset=seed&policy=lazy`. */
export function scenarioToHash(s: PlaygroundScenario): string {
  const query = scenarioToEntries(s)
    .map(([k, v]) => `${k}=${encodeValue(v)}`)
    .join('&');
  return query ? `${s.command}?${query}` : s.command;
}

export function scenarioToLink(s: PlaygroundScenario, base: string = DEFAULT_LINK_BASE): string {
  return `${base.replace(/#.*$/, '')}#${scenarioToHash(s)}`;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UsageError(`the link has a malformed escape in "${part}".`);
  }
}

/** The scenario a link's hash (with or without '#') describes; a bad key or value is a UsageError naming it. */
export function scenarioFromHash(hash: string): PlaygroundScenario {
  const text = hash.replace(/^#/, '');
  const q = text.indexOf('?');
  const query = q < 0 ? '' : text.slice(q + 1);
  const pairs = query
    .split('&')
    .filter((p) => p.length > 0)
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
  return scenarioFromEntries(decode(q < 0 ? text : text.slice(0, q)), pairs);
}

/** The command line as argv (after `iova-lab`), and what goes on stdin (the trace), if anything. */
export function scenarioToArgs(s: PlaygroundScenario): { args: string[]; stdin?: string } {
  const args: string[] = [s.command];
  if (s.command === 'replay') args.push('-');
  let stdin: string | undefined;
  for (const [f, v] of entries(s)) {
    if (!f.stdin) args.push(f.flag, v);
    else {
      stdin = v;
      if (s.command === 'compare') args.push('--trace', '-');
    }
  }
  return stdin === undefined ? { args } : { args, stdin };
}

/** The scenario of `iova-lab` argv (as scenarioToArgs writes it; `-` reads the trace from `stdin`). */
export function scenarioFromArgs(argv: readonly string[], stdin?: string): PlaygroundScenario {
  const [command, ...rest] = argv;
  checkCommand(command);
  const s = { command } as PlaygroundScenario;
  if (s.command === 'replay') {
    if (rest.shift() !== '-') throw new UsageError('replay reads its trace from stdin here: "replay -".');
    s.trace = stdin ?? '';
  }
  if (s.command === 'explain' && stdin !== undefined) s.text = stdin;
  for (let i = 0; i < rest.length; i += 2) {
    const f = byName.get(rest[i].replace(/^--/, ''));
    const value = rest[i + 1];
    if (f === undefined || !rest[i].startsWith('--') || f.key === 'text') {
      throw new UsageError(`unknown option "${rest[i]}".`);
    }
    if (value === undefined) throw new UsageError(`${f.flag} needs a value.`);
    if (f.key === 'trace') {
      if (value !== '-') throw new UsageError('--trace reads the trace from stdin here: "--trace -".');
      setField(s, f, stdin ?? '');
    } else {
      setField(s, f, value);
    }
  }
  checkFits(s);
  return s;
}

const SAFE_WORD = /^[A-Za-z0-9_.,=/:+@%-]+$/;

/** A POSIX shell word: bare when safe, else single-quoted. */
export function shellQuote(word: string): string {
  return SAFE_WORD.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/** The equivalent shell command; a trace follows as a here-document. */
export function scenarioToCommandLine(s: PlaygroundScenario, program = 'iova-lab'): string {
  const { args, stdin } = scenarioToArgs(s);
  const line = [program, ...args].map(shellQuote).join(' ');
  if (stdin === undefined) return line;
  const lines = stdin.split('\n');
  let end = 'TRACE';
  while (lines.includes(end)) end += '_';
  return `${line} <<'${end}'\n${stdin}${stdin.endsWith('\n') || stdin === '' ? '' : '\n'}${end}`;
}
