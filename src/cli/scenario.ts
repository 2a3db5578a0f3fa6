// What simulate and compare run: a lab (kernel profile + policy specs + magazine mode) driven by a
// workload, or a trace (format v1) replayed on such a lab. Profile and policy errors become usage
// errors (exit 2) naming the bad value. No Node-only import at the top: the playground's worker
// runs scenarios through this module too.
import type { DmaDomainType, Engine, EngineName, MagazineMode, SlabGeometry } from '../engine.js';
import { IovaLabError } from '../errors.js';
import { clip } from '../share/echo.js';
import { IovaLab } from '../lab.js';
import { applyPolicySpec, DEFAULT_PROFILE, profileByName, variantLabel, type RcachePolicy } from '../policy.js';
import { profileTitle, type DesignName } from '../profiles/designs.js';
import type { Snapshot } from '../snapshot.js';
import type { TimelineSeries } from '../timeline/sample.js';
import type { SampledEngine } from '../timeline/sampled-engine.js';
import type { Trace } from '../trace/parse.js';
import { isDmaWorkload, runWorkload, type WorkloadName, type WorkloadResult } from '../workloads/index.js';
import { checkDomainCpus, checkTimelineSamples, MAX_TRACE_BYTES } from '../share/limits.js';
import type { WorkloadFields } from '../share/scenario-link.js';
import { UsageError } from '../share/usage-error.js';
import type { WasmLoadOptions } from '../wasm/options.js';

/** One configuration to run: a profile, policy specs on top, and optionally a forced magazine mode. */
export interface Variant {
  label: string;
  /** Canonical kernel version: "v6.6". */
  profile: string;
  /** The rcache design the version resolves to. */
  design: DesignName;
  policy: string[];
  /** Default: the profile's. */
  magazines?: MagazineMode;
  /** DMA workloads: the domain type (compare --domain-types); default the scenario's. */
  domainType?: DmaDomainType;
}

/** The profile's policy with the specs applied; a bad spec is a UsageError naming it. */
export function checkPolicy(profile: string, specs: readonly string[], source = '--policy'): RcachePolicy {
  let p: RcachePolicy = { ...profileByName(profile).policy };
  for (const spec of specs) {
    try {
      p = applyPolicySpec(p, spec);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new UsageError(`${source} "${clip(spec)}" (on profile ${profile}): ${why}`);
    }
  }
  return p;
}

export function makeVariant(
  profile: string | undefined,
  specs: readonly string[] = [],
  magazines?: MagazineMode,
): Variant {
  const { name, design } = profileByName(profile ?? DEFAULT_PROFILE);
  checkPolicy(name, specs);
  return { label: variantLabel(name, specs), profile: name, design, policy: [...specs], magazines };
}

/** "v6.6 (design v6.0)" or "v6.6 (design v6.0) + lazy, mag-size=64": how reports name what ran. */
export function variantTitle(v: Variant): string {
  const title = profileTitle({ name: v.profile, design: v.design });
  return v.policy.length ? `${title} + ${v.policy.join(', ')}` : title;
}

/** compare --profiles: every profile, and each profile + the specs when there are any. */
export function profileVariants(
  profiles: readonly string[],
  specs: readonly string[],
  magazines?: MagazineMode,
): Variant[] {
  return profiles.flatMap((p) =>
    specs.length > 0
      ? [makeVariant(p, [], magazines), makeVariant(p, specs, magazines)]
      : [makeVariant(p, [], magazines)],
  );
}

/** A variant that runs its DMA workload's domains as `type` (labelled with it). */
const withDomainType = (v: Variant, type: DmaDomainType | undefined): Variant =>
  type === undefined ? v : { ...v, label: `${v.label} ${type}`, domainType: type };

/**
 * compare --profiles and/or --domain-types: each profile (and each + the specs; only --domain-types:
 * the one profile), each of them once per DMA domain type when `domainTypes` lists them.
 */
export function compareVariants(o: {
  profile?: string;
  profiles?: readonly string[];
  policy?: readonly string[];
  magazines?: MagazineMode;
  domainTypes?: readonly DmaDomainType[];
}): Variant[] {
  const base = profileVariants(o.profiles ?? [o.profile ?? DEFAULT_PROFILE], o.policy ?? [], o.magazines);
  return base.flatMap((v) => (o.domainTypes ?? [undefined]).map((t) => withDomainType(v, t)));
}

export const PRESETS = { seed: { cpus: 128, domains: 159, slabGeometry: 'order0' as SlabGeometry } };

/** The workload scenario the shared options describe (preset values fill what is not given). */
export function workloadScenario(o: WorkloadFields): WorkloadScenario {
  const preset = o.preset ? PRESETS[o.preset] : undefined;
  const cpus = o.cpus ?? preset?.cpus ?? 8;
  const online = o.online ?? cpus;
  if (online > cpus) throw new UsageError(`--online (${online}) cannot exceed --cpus (${cpus}).`);
  const workload = o.workload ?? 'idle';
  const dmaFlag = o.domainType !== undefined ? '--domain-type' : o.irqCpus !== undefined ? '--irq-cpus' : undefined;
  if (dmaFlag && !isDmaWorkload(workload)) {
    throw new UsageError(`${dmaFlag} goes with a DMA workload (nvme, nic, pause), not --workload ${workload}.`);
  }
  return {
    kind: 'workload',
    cpus,
    online,
    domains: o.domains ?? preset?.domains ?? 1,
    slabGeometry: o.slabGeometry ?? preset?.slabGeometry ?? 'slub',
    workload,
    ops: o.ops ?? 10_000,
    durationMs: o.durationMs ?? 1000,
    seed: o.seed ?? 1,
    engine: o.engine ?? 'wasm',
    ...(o.domainType === undefined ? {} : { domainType: o.domainType }),
    ...(o.irqCpus === undefined ? {} : { irqCpus: o.irqCpus }),
  };
}

export interface WorkloadScenario {
  kind: 'workload';
  cpus: number;
  online: number;
  domains: number;
  slabGeometry: SlabGeometry;
  workload: WorkloadName;
  ops: number;
  durationMs: number;
  seed: number;
  engine: EngineName;
  /** DMA workloads only: the DMA domains' type (default lazy) and the IRQ CPUs (default 16). */
  domainType?: DmaDomainType;
  irqCpus?: number;
}

export interface TraceScenario {
  kind: 'trace';
  file: string;
  trace: Trace;
  engine: EngineName;
  /**
   * 'replace': the variant's profile, policy and magazine mode replace the trace's header lines
   * (compare --profiles). 'extend': the variant's profile replaces the trace's only when given,
   * its specs run after the trace's, its magazine mode wins when set.
   */
  header: 'replace' | 'extend';
}

export type Scenario = WorkloadScenario | TraceScenario;

export type WorkloadSummary = Omit<WorkloadResult, 'domainIds'>;

export interface RunResult {
  snapshot: Snapshot;
  /** When a sampling interval was given: the counters over virtual time, labelled by variant. */
  timeline?: TimelineSeries;
  /** Workload scenarios only. */
  workload?: WorkloadSummary;
  /** Trace scenarios only: ops run and values returned. */
  trace?: { ops: number; values: number };
}

/** Progress of one run: units done of total. */
export type RunProgress = (done: number, total: number, unit: string) => void;

/** Text of a byte stream, chunk by chunk (UTF-8 split anywhere), refused past `maxBytes`. */
export async function* utf8Chunks(
  source: AsyncIterable<Uint8Array>,
  maxBytes: number,
  tooBig: () => Error,
): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let bytes = 0;
  for await (const chunk of source) {
    bytes += chunk.length;
    if (bytes > maxBytes) throw tooBig();
    yield decoder.decode(chunk, { stream: true });
  }
  yield decoder.decode();
}

/**
 * A trace file, or stdin for "-", streamed through the parser: never one string, every line still
 * validated before the trace is returned; a file past MAX_TRACE_BYTES is refused before it is read
 * (stdin once it passes the limit).
 */
export async function readTraceFile(file: string, stdin: AsyncIterable<Uint8Array>): Promise<Trace> {
  const tooBig = (): UsageError =>
    new UsageError(`trace ${file} is larger than the limit of ${MAX_TRACE_BYTES} bytes.`);
  const { openTraceInput, cannotReadTrace } = await import('./trace-input.js');
  const input = await openTraceInput(file, stdin);
  if (input.size !== undefined && input.size > MAX_TRACE_BYTES) throw tooBig();
  // the trace modules are loaded when a trace is read: a workload run never needs them
  const { parseTraceStream } = await import('../trace/parse.js');
  try {
    return await parseTraceStream(utf8Chunks(input.bytes, MAX_TRACE_BYTES, tooBig));
  } catch (e) {
    if (e instanceof UsageError || e instanceof IovaLabError) throw e;
    throw cannotReadTrace(file, e);
  }
}

/** The trace with a variant's profile/policy/magazines folded into its header (validated). */
export function traceForVariant(trace: Trace, v: Variant, mode: TraceScenario['header']): Trace {
  const h = trace.header;
  const header =
    mode === 'replace'
      ? { ...h, profile: v.profile, policy: [...v.policy], magazines: v.magazines }
      : { ...h, profile: v.profile, policy: [...h.policy, ...v.policy], magazines: v.magazines ?? h.magazines };
  // The trace's own specs are re-checked against the (possibly different) profile first.
  if (mode === 'extend') checkPolicy(header.profile, h.policy, 'trace "policy" line');
  checkPolicy(header.profile, header.policy);
  return { ...trace, header };
}

/**
 * The scenario's cost checked before anything runs (README "Limits"): domains × CPUs of a workload,
 * and the samples a timeline at `timelineMs` would hold over `runs` runs of its virtual time.
 */
export function checkRunLimits(s: Scenario, timelineMs: number | undefined, runs = 1): void {
  if (s.kind === 'workload') checkDomainCpus(s.domains, s.cpus);
  if (timelineMs !== undefined) checkTimelineSamples(virtualDurationMs(s), timelineMs, runs);
}

/** The virtual time a scenario asks for: a workload's duration, or the sum of a trace's ticks. */
export function virtualDurationMs(s: Scenario): bigint {
  if (s.kind === 'workload') return BigInt(s.durationMs);
  return s.trace.ops.reduce((sum, o) => (o.op === 'tick' ? sum + o.ms : sum), 0n);
}

/** `wasm`: how to load the WASM module (the playground's worker passes the bundled one). */
export async function runScenario(
  v: Variant,
  s: Scenario,
  progress?: RunProgress,
  timelineMs?: number,
  wasm?: WasmLoadOptions,
): Promise<RunResult> {
  let sampled: SampledEngine | undefined;
  // loaded only for a timeline or a trace, as most runs have neither
  const Sampler = timelineMs === undefined ? undefined : (await import('../timeline/sampled-engine.js')).SampledEngine;
  const sample = (engine: Engine): Engine =>
    Sampler === undefined || timelineMs === undefined ? engine : (sampled = new Sampler(engine, timelineMs));
  if (s.kind === 'trace') {
    const trace = traceForVariant(s.trace, v, s.header);
    const { replayTrace } = await import('../trace/replay.js');
    const result = await replayTrace(trace, s.engine, undefined, {
      onProgress: progress && ((done, total) => progress(done, total, 'ops')),
      wrapEngine: sample,
      wasm,
    });
    return {
      snapshot: result.snapshot,
      timeline: sampled?.finish(v.label),
      trace: { ops: trace.ops.length, values: result.values.length },
    };
  }
  using lab = await IovaLab.create({
    possibleCpus: s.cpus,
    onlineCpus: s.online,
    profile: v.profile,
    policy: v.policy,
    magazines: v.magazines,
    slabGeometry: s.slabGeometry,
    engine: s.engine,
    wasm,
  });
  const engine = sample(lab.engine);
  const { domainIds: _ids, ...workload } = await runWorkload(s.workload, engine, {
    domains: s.domains,
    ops: s.ops,
    durationMs: s.durationMs,
    seed: s.seed,
    domainType: v.domainType ?? s.domainType,
    irqCpus: s.irqCpus,
    onProgress: progress ? (p) => progress(p.done, p.total, p.unit) : undefined,
  });
  return { snapshot: lab.snapshot(), workload, timeline: sampled?.finish(v.label) };
}
