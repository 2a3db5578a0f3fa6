// What a machine's files say about its rcaches: the domains that carry one (IOMMU groups of type
// DMA or DMA-FQ), the magazines they allocate eagerly, where those live for that kernel, what the
// slab caches show, the difference and what it can be, and what lazy allocation would save.
import { DEFAULT_PROFILE, type ProfileName } from '../policy.js';
import { explainSlab, type Explanation } from '../report/explain.js';
import type { FileAccess } from './files.js';
import { profileForKernel } from './kernel-version.js';
import { EAGER_MAGAZINES_PER_CPU, rcacheLayout, type RcacheLayout } from './layout.js';
import { RCACHE_CACHES, type MachineState } from './read.js';
import type { SlabLine } from './slabinfo.js';

/** Default domain types whose domains have an IOVA rcache: strict and lazy (flush queue). */
export const RCACHE_TYPES = { DMA: 'strict', 'DMA-FQ': 'lazy' } as const;

export interface Inspection {
  kernel?: string;
  profile: ProfileName;
  profileSource: 'given' | 'kernel version' | 'default';
  layout: RcacheLayout;
  possibleCpus?: number;
  onlineCpus?: number;
  offlineCpus?: number[];
  groupsByType?: Record<string, number>;
  strictDomains?: number;
  lazyDomains?: number;
  domains?: number;
  /** 12 × possible CPUs × domains. */
  eagerMagazines?: number;
  eagerMagazineBytes?: string;
  /** The slab caches read together, with the domain count from the groups. */
  explanation?: Explanation;
  /** Notes about merged caches found in /sys/kernel/slab. */
  merged: string[];
  /** Magazines lazy allocation would not allocate for sure: those of possible CPUs never online. */
  lazySavingAtLeast?: string;
  /** … and at most: every eager magazine (a CPU and class that never frees keeps none). */
  lazySavingAtMost?: string;
  /** Each file that could not be read, with what can still be concluded. */
  missing: Array<FileAccess & { consequence: string }>;
  verdict: string;
}

const CONSEQUENCE: Array<[RegExp, string]> = [
  [/cpu\/possible$/, 'the possible CPU count is unknown: eager magazines per domain cannot be computed'],
  [/cpu\/online$/, 'online CPUs unknown: taken as all possible CPUs (the steady depot bound may be too high)'],
  [/iommu_groups$/, 'no IOMMU groups: the domain count is implied from the magazine objects instead of counted'],
  [/iommu_groups\/.*\/type$/, "this group's domain type is unknown and it is left out of the domain count"],
  [
    /slabinfo$/,
    'the slab caches are not visible (root only on recent kernels): the expected magazines are given, ' +
      'not compared with the machine',
  ],
  [/version$/, 'kernel version unknown: the default profile is assumed (pass --profile)'],
  [/kernel\/slab/, "merged-cache aliases unknown: a merged cache would count other caches' objects too"],
];

function consequenceOf(a: FileAccess): string {
  return CONSEQUENCE.find(([re]) => re.test(a.path))?.[1] ?? 'not used';
}

/** The slabinfo lines under the names the layout expects: a merged cache shows under another name. */
function slabUnderOwnNames(m: MachineState, merged: string[]): Map<string, SlabLine> | undefined {
  if (!m.slab) return undefined;
  const out = new Map([...m.slab].filter(([name]) => (RCACHE_CACHES as readonly string[]).includes(name)));
  for (const s of m.slabSysfs) {
    if (s.aliases === undefined || s.aliases === 0) continue;
    const shownAs = m.slab.has(s.name) ? s.name : s.sharedWith.find((n) => m.slab!.has(n));
    const others = s.sharedWith.length ? ` (${s.sharedWith.join(', ')})` : '';
    const shown = shownAs && shownAs !== s.name ? `, shown in /proc/slabinfo as ${shownAs}` : '';
    merged.push(`${s.name} is merged with ${s.aliases} other cache(s)${others}${shown}: its counts are an upper bound`);
    if (shownAs && shownAs !== s.name) out.set(s.name, { ...m.slab.get(shownAs)!, name: s.name });
  }
  return out;
}

export function assessMachine(m: MachineState, given?: ProfileName): Inspection {
  const fromKernel = m.version ? profileForKernel(m.version) : undefined;
  const profile = given ?? fromKernel ?? DEFAULT_PROFILE;
  const profileSource = given ? 'given' : fromKernel ? 'kernel version' : 'default';
  const layout = rcacheLayout(profile);
  const possible = m.possibleCpus?.length;
  const online = m.onlineCpus?.length ?? possible;
  const offline = m.possibleCpus && m.onlineCpus ? m.possibleCpus.filter((c) => !m.onlineCpus!.includes(c)) : undefined;
  let groupsByType: Record<string, number> | undefined;
  let strict: number | undefined;
  let lazy: number | undefined;
  if (m.groups) {
    groupsByType = {};
    for (const t of m.groups.values()) groupsByType[t] = (groupsByType[t] ?? 0) + 1;
    strict = groupsByType.DMA ?? 0;
    lazy = groupsByType['DMA-FQ'] ?? 0;
  }
  const domains = strict === undefined ? undefined : strict + lazy!;
  const merged: string[] = [];
  const slab = slabUnderOwnNames(m, merged);
  const missing = m.files.filter((a) => a.status !== 'ok').map((a) => ({ ...a, consequence: consequenceOf(a) }));
  const objBytes = (n: number): string => (BigInt(n) * BigInt(layout.magazineObjSize)).toString();
  const eager =
    possible !== undefined && domains !== undefined ? EAGER_MAGAZINES_PER_CPU * possible * domains : undefined;

  let explanation: Explanation | undefined;
  let verdict: string;
  if (possible === undefined) {
    verdict = 'cannot tell: the possible CPU count is unknown';
  } else if (!slab) {
    verdict =
      eager === undefined
        ? 'cannot tell: neither the IOMMU groups nor the slab caches are readable'
        : `expect ${eager} magazines (${objBytes(eager)} bytes) in ${layout.magazineCache}; ` +
          'the slab caches are not readable to compare';
  } else {
    explanation = explainSlab(slab, { possibleCpus: possible, onlineCpus: online, profile, profileSource, domains });
    verdict = explanation.verdict;
  }
  const lazyDomains = domains ?? explanation?.domains;
  return {
    kernel: m.version?.release,
    profile,
    profileSource,
    layout,
    possibleCpus: possible,
    onlineCpus: online,
    offlineCpus: offline,
    groupsByType,
    strictDomains: strict,
    lazyDomains: lazy,
    domains,
    eagerMagazines: eager,
    eagerMagazineBytes: eager === undefined ? undefined : objBytes(eager),
    explanation,
    merged,
    lazySavingAtLeast:
      lazyDomains !== undefined && possible !== undefined && online !== undefined
        ? objBytes(EAGER_MAGAZINES_PER_CPU * (possible - online) * lazyDomains)
        : undefined,
    lazySavingAtMost:
      lazyDomains !== undefined && possible !== undefined
        ? objBytes(EAGER_MAGAZINES_PER_CPU * possible * lazyDomains)
        : undefined,
    missing,
    verdict,
  };
}
