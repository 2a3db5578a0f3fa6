// Kernel profiles and what-if policies for the rcache (docs/design.md "Policies"). A profile is
// a kernel version's design; a policy spec ("lazy", "mag-size=64", …) changes one knob on top.
// Both engines take the resolved RcachePolicy, so the C and TS code paths stay the same.
import type { LabConfig, MagazineMode } from './engine.js';
import { LabConfigError } from './errors.js';
import { isIntIn } from './numbers.js';

export interface RcachePolicy {
  /** PFNs per magazine, 1..1023 (IOVA_MAG_SIZE: 127 since v6.0, 128 before). */
  magazineSize: number;
  /** 0: the unbounded depot list (v6.7+); N: a fixed array of N magazines whose overflow is freed. */
  depotCap: number;
  /** Period of the delayed depot trim work in ms; 0: no trim work (before v6.7). */
  trimDelayMs: number;
  /** The trim work pops while the depot holds more than this; 'online': num_online_cpus(). */
  trimThreshold: number | 'online';
  /** Allocate loaded/prev on first use instead of at domain init. */
  lazy: boolean;
  /** 0: fixed magazine size; N: magazines start full at N PFNs and double on depot contention. */
  dynamicInitial: number;
  /** kmalloc size of the per-domain rcache array; 0: none (embedded in the domain). */
  rcacheArrayBytes: number;
}

export const PROFILE_NAMES = ['v4.7', 'v6.0', 'v6.7', 'v6.8'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];
export const DEFAULT_PROFILE: ProfileName = 'v6.8';

export interface KernelProfile {
  name: ProfileName;
  /** The kernel change this profile stands for. */
  summary: string;
  magazines: MagazineMode;
  policy: Readonly<RcachePolicy>;
}

const CURRENT: RcachePolicy = {
  magazineSize: 127, depotCap: 0, trimDelayMs: 100, trimThreshold: 'online', lazy: false, dynamicInitial: 0,
  rcacheArrayBytes: 720,
};

export const KERNEL_PROFILES: Readonly<Record<ProfileName, KernelProfile>> = {
  'v4.7': {
    name: 'v4.7',
    summary: 'rcache introduced: 128-PFN magazines (kmalloc-2k), fixed depot of 32 per class, no trimming',
    magazines: 'unnamed',
    policy: { ...CURRENT, magazineSize: 128, depotCap: 32, trimDelayMs: 0, rcacheArrayBytes: 0 },
  },
  'v6.0': {
    name: 'v6.0',
    summary: 'IOVA_MAG_SIZE 127 so a magazine fits kmalloc-1k; rcaches in their own kcalloc array',
    magazines: 'unnamed',
    policy: { ...CURRENT, depotCap: 32, trimDelayMs: 0, rcacheArrayBytes: 6 * 280 },
  },
  'v6.7': {
    name: 'v6.7',
    summary: 'unbounded depot list trimmed by delayed work every 100 ms down to num_online_cpus()',
    magazines: 'unnamed',
    policy: { ...CURRENT },
  },
  'v6.8': {
    name: 'v6.8',
    summary: 'as v6.7, magazines in the named iommu_iova_magazine slab cache',
    magazines: 'named',
    policy: { ...CURRENT },
  },
};

function bad(what: string, value: unknown, why: string): never {
  throw new LabConfigError(`${what} must be ${why}, got ${String(value)}`, -1);
}

export function profileByName(name: string): KernelProfile {
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) bad('profile', name, `one of ${PROFILE_NAMES.join(', ')}`);
  return KERNEL_PROFILES[name as ProfileName];
}

const isInt = isIntIn;

/** Throws LabConfigError naming the first out-of-range field (the C engine's E_LAB_CONFIG rules). */
export function validatePolicy(p: RcachePolicy): RcachePolicy {
  if (!isInt(p.magazineSize, 1, 1023)) bad('magazineSize', p.magazineSize, 'an integer in [1, 1023]');
  if (!isInt(p.depotCap, 0, 1 << 20)) bad('depotCap', p.depotCap, 'an integer in [0, 2^20] (0 = unbounded)');
  if (!isInt(p.trimDelayMs, 0, 2 ** 30)) bad('trimDelayMs', p.trimDelayMs, 'an integer in [0, 2^30] (0 = no trim work)');
  if (p.trimThreshold !== 'online' && !isInt(p.trimThreshold, 0, 0xfffffffe)) {
    bad('trimThreshold', p.trimThreshold, "'online' or an integer in [0, 2^32 − 2]");
  }
  if (typeof p.lazy !== 'boolean') bad('lazy', p.lazy, 'a boolean');
  if (!isInt(p.dynamicInitial, 0, p.magazineSize)) bad('dynamicInitial', p.dynamicInitial, `an integer in [0, magazineSize ${p.magazineSize}]`);
  if (!isInt(p.rcacheArrayBytes, 0, 8192)) bad('rcacheArrayBytes', p.rcacheArrayBytes, 'an integer in [0, 8192]');
  return p;
}

/** The policy an engine runs for a config: its own (validated, copied), else the default profile's. */
export function policyOfConfig(config: LabConfig): RcachePolicy {
  return validatePolicy({ ...(config.policy ?? KERNEL_PROFILES[DEFAULT_PROFILE].policy) });
}

export const POLICY_SPECS = [
  'lazy', 'dynamic[=N]', 'mag-size=N', 'depot-cap=N', 'trim-delay=MS', 'trim-threshold=N|online', 'rcache-array=BYTES',
] as const;

/** Apply one spec such as "lazy", "mag-size=64" or "trim-threshold=online" to a policy. */
export function applyPolicySpec(base: RcachePolicy, spec: string): RcachePolicy {
  const [key, value] = spec.split('=', 2) as [string, string | undefined];
  const num = (): number => {
    if (value === undefined || !/^\d+$/.test(value)) bad(`policy ${key}`, value, 'a non-negative integer');
    return Number(value);
  };
  const p = { ...base };
  switch (key) {
    case 'lazy': p.lazy = true; break;
    case 'dynamic': p.dynamicInitial = value === undefined ? Math.min(16, p.magazineSize) : num(); break;
    case 'mag-size': p.magazineSize = num(); break;
    case 'depot-cap': p.depotCap = num(); break;
    case 'trim-delay': p.trimDelayMs = num(); break;
    case 'trim-threshold': p.trimThreshold = value === 'online' ? 'online' : num(); break;
    case 'rcache-array': p.rcacheArrayBytes = num(); break;
    default: bad('policy', spec, `one of ${POLICY_SPECS.join(', ')}`);
  }
  return validatePolicy(p);
}

/** A profile's policy with the specs applied in order. */
export function resolvePolicy(profile: ProfileName, specs: readonly string[] = []): RcachePolicy {
  return specs.reduce(applyPolicySpec, { ...profileByName(profile).policy });
}

/** The specs that turn a profile's policy into `policy` (for traces and reproduction commands). */
export function policySpecs(policy: RcachePolicy, profile: ProfileName = DEFAULT_PROFILE): string[] {
  const base = profileByName(profile).policy;
  const specs: string[] = [];
  if (policy.magazineSize !== base.magazineSize) specs.push(`mag-size=${policy.magazineSize}`);
  if (policy.depotCap !== base.depotCap) specs.push(`depot-cap=${policy.depotCap}`);
  if (policy.trimDelayMs !== base.trimDelayMs) specs.push(`trim-delay=${policy.trimDelayMs}`);
  if (policy.trimThreshold !== base.trimThreshold) specs.push(`trim-threshold=${policy.trimThreshold}`);
  if (policy.lazy && !base.lazy) specs.push('lazy');
  if (policy.dynamicInitial !== base.dynamicInitial) specs.push(`dynamic=${policy.dynamicInitial}`);
  if (policy.rcacheArrayBytes !== base.rcacheArrayBytes) specs.push(`rcache-array=${policy.rcacheArrayBytes}`);
  return specs;
}

/** "v6.8", "v6.8+lazy", "v4.7+mag-size=64+lazy": how variants are labelled in tables and charts. */
export function variantLabel(profile: ProfileName, specs: readonly string[] = []): string {
  return [profile, ...specs].join('+');
}

/** The bytes kmalloc'd for one magazine: an unsigned long size plus the PFN array. */
export function magazineBytes(p: RcachePolicy): number {
  return 8 + 8 * p.magazineSize;
}
