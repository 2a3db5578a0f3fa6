// Reads what a machine says about its IOVA rcaches: possible and online CPUs, the IOMMU groups'
// default domain types, the slab caches the rcache uses (with SLUB's merged-cache aliases when
// /sys/kernel/slab is there) and the kernel version.
import { parseCpulist } from './cpulist.js';
import type { FileSource } from './file-source.js';
import { MachineFiles, type FileAccess } from './files.js';
import { parseKernelVersion, type KernelVersion } from './kernel-version.js';
import { parseSlabText, type SlabLine } from './slabinfo.js';

export const CPU_POSSIBLE = 'sys/devices/system/cpu/possible';
export const CPU_ONLINE = 'sys/devices/system/cpu/online';
export const IOMMU_GROUPS = 'sys/kernel/iommu_groups';
export const SLABINFO = 'proc/slabinfo';
export const VERSION = 'proc/version';
export const SYS_SLAB = 'sys/kernel/slab';
/** The caches the rcache allocates from, whichever kernel. */
export const RCACHE_CACHES = ['iommu_iova', 'iommu_iova_magazine', 'kmalloc-1k', 'kmalloc-2k'] as const;

/** A cache's /sys/kernel/slab entry: a symlink to a merged ":<flags>-<size>" directory or its own. */
export interface SlabSysfs {
  name: string;
  /** The directory the name links to, when it is a link. */
  target?: string;
  /** The target's `aliases` count: how many other caches share it. */
  aliases?: number;
  /** Other names linking to the same directory (one of them may be the name slabinfo prints). */
  sharedWith: string[];
}

export interface MachineState {
  possibleCpus?: number[];
  onlineCpus?: number[];
  /** Group number → default domain type ("DMA", "DMA-FQ", "identity", …). */
  groups?: Map<string, string>;
  slab?: Map<string, SlabLine>;
  slabSysfs: SlabSysfs[];
  version?: KernelVersion;
  versionText?: string;
  /** Every file read, and how it went. */
  files: FileAccess[];
}

async function readGroups(f: MachineFiles): Promise<Map<string, string> | undefined> {
  const names = await f.list(IOMMU_GROUPS);
  if (!names) return undefined;
  const groups = new Map<string, string>();
  for (const n of names) {
    const t = await f.text(`${IOMMU_GROUPS}/${n}/type`);
    if (t !== undefined) groups.set(n, t.trim());
  }
  return groups;
}

async function readSlabSysfs(f: MachineFiles): Promise<SlabSysfs[]> {
  const entries = await f.list(SYS_SLAB);
  if (!entries) return [];
  const targets = new Map<string, string>();
  for (const e of entries) {
    if (!e.startsWith(':')) {
      const t = await f.link(`${SYS_SLAB}/${e}`);
      if (t) targets.set(e, t);
    }
  }
  const out: SlabSysfs[] = [];
  for (const name of RCACHE_CACHES) {
    if (!entries.includes(name)) continue;
    const target = targets.get(name);
    const aliasText = await f.text(`${SYS_SLAB}/${target ?? name}/aliases`);
    const aliases = aliasText !== undefined && /^\s*\d+\s*$/.test(aliasText) ? Number(aliasText) : undefined;
    const sharedWith = target ? [...targets].filter(([n, t]) => t === target && n !== name).map(([n]) => n) : [];
    out.push({ name, target, aliases, sharedWith });
  }
  return out;
}

/** Reads the machine whose files `source` gives (fs-source.ts: "/" for the one this runs on). */
export async function readMachine(source: FileSource, files = new MachineFiles(source)): Promise<MachineState> {
  const f = files;
  const cpus = async (path: string): Promise<number[] | undefined> => {
    const t = await f.text(path);
    return t === undefined ? undefined : parseCpulist(t);
  };
  const possibleCpus = await cpus(CPU_POSSIBLE);
  const onlineCpus = await cpus(CPU_ONLINE);
  const groups = await readGroups(f);
  const slabText = await f.text(SLABINFO);
  const slabSysfs = await readSlabSysfs(f);
  const wanted = new Set<string>([...RCACHE_CACHES, ...slabSysfs.flatMap((s) => s.sharedWith)]);
  const slab = slabText === undefined ? undefined : parseSlabText(slabText, (n) => wanted.has(n));
  const versionText = await f.text(VERSION);
  return {
    possibleCpus,
    onlineCpus,
    groups,
    slab,
    slabSysfs,
    version: versionText === undefined ? undefined : parseKernelVersion(versionText),
    versionText: versionText?.trim(),
    files: f.log,
  };
}
