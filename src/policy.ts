// Kernel profiles and what-if policies for the rcache (docs/design.md "Policies"). A profile is
// a kernel version (src/profiles/ resolves it to that release's facets); a policy spec ("lazy",
// "mag-size=64", "pop=top", …) changes one knob on top.
// Both engines take the resolved RcachePolicy, so the C and TS code paths stay the same.
import type { LabConfig } from './engine.js';
import { LabConfigError } from './errors.js';
import { iovaMagazineBytes, IOVA_MAG_SIZE_MAX, MAX_RCACHE_ARRAY_BYTES } from './kernel.js';
import { clip } from './share/echo.js';
import { DESIGN_NAMES, resolveKernel, type DesignName, type KernelProfile } from './profiles/designs.js';

/**
 * The rcache and tree-walk knobs an engine runs: a kernel profile's policy, optionally changed by specs.
 * @example `resolvePolicy('v6.8').magazineSize // 127`
 */
export interface RcachePolicy {
  /** PFNs per magazine, 1..1023 (IOVA_MAG_SIZE: 127 since v6.0, 128 before). @example `127` */
  magazineSize: number;
  /** 0: the unbounded depot list (v6.7+); N: a fixed array of N magazines whose overflow is freed. @example `32` */
  depotCap: number;
  /** Period of the delayed depot trim work in ms; 0: no trim work (before v6.7). @example `100` */
  trimDelayMs: number;
  /** The trim work pops while the depot holds more than this; 'online': num_online_cpus(). @example `'online'` */
  trimThreshold: number | 'online';
  /** Allocate loaded/prev on first use instead of at domain init. @example `true` */
  lazy: boolean;
  /** 0: fixed magazine size; N: magazines start full at N PFNs and double on depot contention. @example `16` */
  dynamicInitial: number;
  /** kmalloc size of the per-domain rcache array; 0: none (embedded in the domain). @example `0` */
  rcacheArrayBytes: number;
  /**
   * 'v4.7': the old inclusive-limit walk with one cached32_node cursor; 'v4.15': the anchor walk.
   * @example `'v4.15'`
   */
  treeWalk: TreeWalkName;
  /** The anchor walk's max32_alloc_size fast-fail for 32-bit limits. @example `true` */
  max32AllocSize: boolean;
  /**
   * The anchor walk's retry from the top: none, with the retry-start overflow (v5.11-v6.1), or fixed.
   * @example `'fixed'`
   */
  retry: RetryMode;
  /** Magazine pop: only the top PFN, or a scan of the whole magazine ("try harder"). @example `'scan'` */
  magazinePop: MagazinePop;
  /** alloc_iova_fast() honours flush_rcache; false: it always flushes on a tree failure. @example `true` */
  flushRcacheArg: boolean;
  /** The failure flush also empties the depot (free_global_cached_iovas). @example `true` */
  flushDepotOnFailure: boolean;
  /** alloc_iova_fast() rounds sizes below 32 up to a power of two (before v5.17 its caller did). @example `true` */
  roundSizeInFastAlloc: boolean;
}

export const TREE_WALKS = ['v4.7', 'v4.15'] as const;
export type TreeWalkName = (typeof TREE_WALKS)[number];
export const RETRY_MODES = ['none', 'overflow', 'fixed'] as const;
export type RetryMode = (typeof RETRY_MODES)[number];
export const MAGAZINE_POPS = ['top', 'scan'] as const;
export type MagazinePop = (typeof MAGAZINE_POPS)[number];

/**
 * The designs, by the release that introduced each; any kernel version from v4.7 on is a profile.
 * @example `PROFILE_NAMES.includes('v6.7') // true`
 */
export const PROFILE_NAMES = DESIGN_NAMES;
/** A kernel version such as "v6.8", "5.15" or "6.12.3" (src/profiles/versions.ts). */
export type ProfileName = string;
/**
 * The profile a lab runs when its config names none.
 * @example `resolvePolicy(DEFAULT_PROFILE).depotCap`
 */
export const DEFAULT_PROFILE = 'v6.9';

export type { KernelProfile };

/**
 * Each design's resolved profile (facets and policy), keyed by design name.
 * @example `KERNEL_PROFILES['v6.7'].policy.trimDelayMs`
 */
export const KERNEL_PROFILES: Readonly<Record<DesignName, KernelProfile>> = Object.fromEntries(
  DESIGN_NAMES.map((d) => [d, resolveKernel(d)]),
) as Record<DesignName, KernelProfile>;

function bad(what: string, value: unknown, why: string): never {
  throw new LabConfigError(`${what} must be ${why}, got ${String(value)}`, -1);
}

/**
 * What a kernel version resolves to.
 * @throws LabConfigError naming a version that is not one (or before v4.7).
 * @example `profileByName('5.15').policy.depotCap`
 */
export function profileByName(name: string): KernelProfile {
  return resolveKernel(name);
}

/** An integer policy field: its spec's key and its bounds (the C engine's E_LAB_CONFIG rules). */
interface IntegerField {
  key: 'magazineSize' | 'depotCap' | 'trimDelayMs' | 'trimThreshold' | 'dynamicInitial' | 'rcacheArrayBytes';
  spec: string;
  min: number;
  /** The largest value, and how a message names it. */
  max: (p: RcachePolicy) => number;
  maxName?: (p: RcachePolicy) => string;
  /** What else the field takes, or what a bound means, for the message. */
  note?: string;
}

const INTEGER_FIELDS: readonly IntegerField[] = [
  { key: 'magazineSize', spec: 'mag-size', min: 1, max: () => IOVA_MAG_SIZE_MAX },
  { key: 'depotCap', spec: 'depot-cap', min: 0, max: () => 2 ** 20, note: '0 = unbounded' },
  { key: 'trimDelayMs', spec: 'trim-delay', min: 0, max: () => 2 ** 30, note: '0 = no trim work' },
  { key: 'trimThreshold', spec: 'trim-threshold', min: 0, max: () => 0xfffffffe, note: "or 'online'" },
  {
    key: 'dynamicInitial',
    spec: 'dynamic',
    min: 0,
    max: (p) => p.magazineSize,
    maxName: (p) => `${p.magazineSize} (the magazine size)`,
  },
  { key: 'rcacheArrayBytes', spec: 'rcache-array', min: 0, max: () => MAX_RCACHE_ARRAY_BYTES },
];

/**
 * Throws unless `v` is an integer within the field's bounds; the message names the bound passed.
 * `what` and `shown` are how the field and the value read in the message (a spec shows its own text).
 */
function checkInteger(f: IntegerField, p: RcachePolicy, v: unknown, what: string, shown: string = String(v)): void {
  const max = f.max(p);
  const note = f.note ? ` (${f.note})` : '';
  if (typeof v !== 'number' || Number.isNaN(v) || (Number.isFinite(v) && !Number.isInteger(v))) {
    bad(what, shown, `an integer in [${f.min}, ${max}]${note}`);
  }
  if (v < f.min) bad(what, shown, `at least ${f.min}${note}`);
  if (v > max) bad(what, shown, `at most ${f.maxName?.(p) ?? max}${note}`);
}

/**
 * The policy itself when every field is in range (the C engine's E_LAB_CONFIG rules).
 * @throws LabConfigError naming the first out-of-range field and the bound it passed.
 * @example `validatePolicy({ ...resolvePolicy('v6.8'), magazineSize: 64 })`
 */
export function validatePolicy(p: RcachePolicy): RcachePolicy {
  for (const f of INTEGER_FIELDS) {
    if (!(f.key === 'trimThreshold' && p.trimThreshold === 'online')) checkInteger(f, p, p[f.key], f.key);
  }
  if (typeof p.lazy !== 'boolean') bad('lazy', p.lazy, 'a boolean');
  const among = (what: string, v: unknown, allowed: readonly unknown[]): void => {
    if (!allowed.includes(v)) bad(what, v, `one of ${allowed.join(', ')}`);
  };
  among('treeWalk', p.treeWalk, TREE_WALKS);
  among('retry', p.retry, RETRY_MODES);
  among('magazinePop', p.magazinePop, MAGAZINE_POPS);
  for (const key of ['max32AllocSize', 'flushRcacheArg', 'flushDepotOnFailure', 'roundSizeInFastAlloc'] as const) {
    if (typeof p[key] !== 'boolean') bad(key, p[key], 'a boolean');
  }
  return p;
}

/** The policy an engine runs for a config: its own (validated, copied), else the default profile's. */
export function policyOfConfig(config: LabConfig): RcachePolicy {
  return validatePolicy({ ...(config.policy ?? KERNEL_PROFILES[DEFAULT_PROFILE].policy) });
}

/**
 * The spec forms {@link applyPolicySpec} accepts (N, MS and BYTES are decimal integers).
 * @example `POLICY_SPECS.includes('lazy') // true`
 */
export const POLICY_SPECS = [
  'lazy',
  'dynamic[=N]',
  'mag-size=N',
  'depot-cap=N',
  'trim-delay=MS',
  'trim-threshold=N|online',
  'rcache-array=BYTES',
  'tree-walk=v4.7|v4.15',
  'max32=on|off',
  'retry=none|overflow|fixed',
  'pop=top|scan',
  'flush-arg=on|off',
  'failure-flush=cpus|depot',
  'fast-round=on|off',
] as const;

/**
 * Apply one spec such as "lazy", "mag-size=64" or "trim-threshold=online" to a policy.
 * @throws LabConfigError naming an unknown spec or a bad value.
 * @example `applyPolicySpec(resolvePolicy('v6.8'), 'lazy').lazy // true`
 */
export function applyPolicySpec(base: RcachePolicy, spec: string): RcachePolicy {
  // The whole spec is read: the key up to the first '=', the value all the rest (so "depot-cap=4=5"
  // is a bad value, not depot-cap=4), and a key that takes no value refuses one ("lazy=banana").
  const eq = spec.indexOf('=');
  const key = eq < 0 ? spec : spec.slice(0, eq);
  const value = eq < 0 ? undefined : spec.slice(eq + 1);
  const shown = (v: string | undefined): string => (v === undefined ? 'nothing' : `"${clip(v)}"`);
  /** The spec's decimal value, exact: digits past the 15th (leading zeros aside) pass every bound. */
  const num = (): number => {
    if (value === undefined || !/^\d+$/.test(value)) bad(`policy ${key}`, shown(value), 'a decimal integer');
    const digits = value.replace(/^0+(?=\d)/, '');
    const n = digits.length > 15 ? Infinity : Number(digits);
    checkInteger(
      INTEGER_FIELDS.find((f) => f.spec === key)!,
      p,
      n,
      `policy ${key}`,
      `"${clip(value)}"`,
    );
    return n;
  };
  const choice = <T extends string>(allowed: readonly T[]): T => {
    const ok = (allowed as readonly (string | undefined)[]).includes(value);
    if (!ok) bad(`policy ${key}`, shown(value), `one of ${allowed.join(', ')}`);
    return value as T;
  };
  const onOff = (): boolean => choice(['on', 'off']) === 'on';
  const p = { ...base };
  switch (key) {
    case 'lazy':
      if (value !== undefined) bad('policy lazy', shown(value), 'given without a value ("lazy")');
      p.lazy = true;
      break;
    case 'dynamic':
      p.dynamicInitial = value === undefined ? Math.min(16, p.magazineSize) : num();
      break;
    case 'mag-size':
      p.magazineSize = num();
      break;
    case 'depot-cap':
      p.depotCap = num();
      break;
    case 'trim-delay':
      p.trimDelayMs = num();
      break;
    case 'trim-threshold':
      p.trimThreshold = value === 'online' ? 'online' : num();
      break;
    case 'rcache-array':
      p.rcacheArrayBytes = num();
      break;
    case 'tree-walk':
      p.treeWalk = choice(TREE_WALKS);
      break;
    case 'max32':
      p.max32AllocSize = onOff();
      break;
    case 'retry':
      p.retry = choice(RETRY_MODES);
      break;
    case 'pop':
      p.magazinePop = choice(MAGAZINE_POPS);
      break;
    case 'flush-arg':
      p.flushRcacheArg = onOff();
      break;
    case 'failure-flush':
      p.flushDepotOnFailure = choice(['cpus', 'depot']) === 'depot';
      break;
    case 'fast-round':
      p.roundSizeInFastAlloc = onOff();
      break;
    default:
      bad('policy', `"${clip(spec)}"`, `one of ${POLICY_SPECS.join(', ')}`);
  }
  return validatePolicy(p);
}

/**
 * A profile's policy with the specs applied in order.
 * @throws LabConfigError naming an unknown profile or spec.
 * @example `resolvePolicy('v6.0', ['mag-size=64']).magazineSize // 64`
 */
export function resolvePolicy(profile: string, specs: readonly string[] = []): RcachePolicy {
  return specs.reduce(applyPolicySpec, { ...profileByName(profile).policy });
}

/** The specs that turn a profile's policy into `policy` (for traces and reproduction commands). */
export function policySpecs(policy: RcachePolicy, profile: string = DEFAULT_PROFILE): string[] {
  const base = profileByName(profile).policy;
  const specs: string[] = [];
  if (policy.magazineSize !== base.magazineSize) specs.push(`mag-size=${policy.magazineSize}`);
  if (policy.depotCap !== base.depotCap) specs.push(`depot-cap=${policy.depotCap}`);
  if (policy.trimDelayMs !== base.trimDelayMs) specs.push(`trim-delay=${policy.trimDelayMs}`);
  if (policy.trimThreshold !== base.trimThreshold) specs.push(`trim-threshold=${policy.trimThreshold}`);
  if (policy.lazy && !base.lazy) specs.push('lazy');
  if (policy.dynamicInitial !== base.dynamicInitial) specs.push(`dynamic=${policy.dynamicInitial}`);
  if (policy.rcacheArrayBytes !== base.rcacheArrayBytes) specs.push(`rcache-array=${policy.rcacheArrayBytes}`);
  const onOff = (b: boolean): string => (b ? 'on' : 'off');
  if (policy.treeWalk !== base.treeWalk) specs.push(`tree-walk=${policy.treeWalk}`);
  if (policy.max32AllocSize !== base.max32AllocSize) specs.push(`max32=${onOff(policy.max32AllocSize)}`);
  if (policy.retry !== base.retry) specs.push(`retry=${policy.retry}`);
  if (policy.magazinePop !== base.magazinePop) specs.push(`pop=${policy.magazinePop}`);
  if (policy.flushRcacheArg !== base.flushRcacheArg) specs.push(`flush-arg=${onOff(policy.flushRcacheArg)}`);
  if (policy.flushDepotOnFailure !== base.flushDepotOnFailure) {
    specs.push(`failure-flush=${policy.flushDepotOnFailure ? 'depot' : 'cpus'}`);
  }
  if (policy.roundSizeInFastAlloc !== base.roundSizeInFastAlloc) {
    specs.push(`fast-round=${onOff(policy.roundSizeInFastAlloc)}`);
  }
  return specs;
}

/**
 * "v6.8", "v6.8+lazy", "v4.7+mag-size=64+lazy": how variants are labelled in tables and charts.
 * @example `variantLabel('v6.0', ['lazy']) // 'v6.0+lazy'`
 */
export function variantLabel(profile: string, specs: readonly string[] = []): string {
  return [profile, ...specs].join('+');
}

/** The bytes kmalloc'd for one magazine: an unsigned long size plus the PFN array. */
export function magazineBytes(p: RcachePolicy): number {
  return iovaMagazineBytes(p.magazineSize);
}
