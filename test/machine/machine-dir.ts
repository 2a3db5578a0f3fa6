// Builds a machine's files as a directory (the paths and formats of sysfs and procfs), for
// `inspect --root DIR`.
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface SlabRow {
  name: string;
  active: number;
  num: number;
  objsize: number;
  perSlab: number;
  pages: number;
}

export interface MachineSpec {
  possible?: string;
  online?: string;
  /** Group types in group-number order. */
  groups?: string[];
  slab?: SlabRow[];
  version?: string;
  /** /sys/kernel/slab: name → merged directory it links to, with that directory's aliases count. */
  merged?: Array<{ names: string[]; dir: string; aliases: number }>;
}

const HEADER =
  '# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> ' +
  '<batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>';

export function slabinfoText(rows: SlabRow[]): string {
  return (
    [
      'slabinfo - version: 2.1',
      HEADER,
      ...rows.map((r) => {
        const slabs = Math.ceil(r.num / r.perSlab);
        return `${r.name.padEnd(17)} ${r.active} ${r.num} ${r.objsize} ${r.perSlab} ${r.pages} : tunables 0 0 0 : slabdata ${slabs} ${slabs} 0`;
      }),
    ].join('\n') + '\n'
  );
}

export function buildMachine(spec: MachineSpec, root = mkdtempSync(join(tmpdir(), 'iova-machine-'))): string {
  const put = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  if (spec.possible !== undefined) put('sys/devices/system/cpu/possible', `${spec.possible}\n`);
  if (spec.online !== undefined) put('sys/devices/system/cpu/online', `${spec.online}\n`);
  if (spec.groups) {
    mkdirSync(join(root, 'sys/kernel/iommu_groups'), { recursive: true });
    spec.groups.forEach((t, i) => put(`sys/kernel/iommu_groups/${i}/type`, `${t}\n`));
  }
  if (spec.slab) put('proc/slabinfo', slabinfoText(spec.slab));
  if (spec.version !== undefined) put('proc/version', `${spec.version}\n`);
  for (const m of spec.merged ?? []) {
    put(`sys/kernel/slab/${m.dir}/aliases`, `${m.aliases}\n`);
    for (const n of m.names) symlinkSync(m.dir, join(root, 'sys/kernel/slab', n));
  }
  return root;
}

/** The seed report's machine: 128 CPUs, 159 DMA-FQ groups (and a few without rcaches), v6.10. */
export const SEED_MACHINE: MachineSpec = {
  possible: '0-127',
  online: '0-127',
  groups: [...Array<string>(159).fill('DMA-FQ'), 'identity', 'unmanaged'],
  slab: [
    { name: 'iommu_iova_magazine', active: 244239, num: 244412, objsize: 1024, perSlab: 4, pages: 1 },
    { name: 'kmalloc-1k', active: 5210, num: 5344, objsize: 1024, perSlab: 16, pages: 4 },
    { name: 'iommu_iova', active: 40960, num: 41024, objsize: 64, perSlab: 64, pages: 1 },
    { name: 'dentry', active: 100, num: 120, objsize: 192, perSlab: 21, pages: 1 },
  ],
  version: 'Linux version 6.10.3-100.fc40.x86_64 (mockbuild@host) (gcc (GCC) 14.1.1) #1 SMP PREEMPT_DYNAMIC',
};

/** A v6.8 machine: 64 possible CPUs of which 48 online; 20 DMA + 10 DMA-FQ groups, unmanaged
 * (VFIO) and identity groups; magazines inside kmalloc-1k beside one rcache array per domain and
 * 200 other 1 KiB objects; enough iommu_iova objects to fill 200 depot magazines. */
export const V68_DOMAINS = 30;
export const V68_OTHER_1K = 200;
export const V68_MACHINE: MachineSpec = {
  possible: '0-63',
  online: '0-23,32-55',
  groups: [
    ...Array<string>(20).fill('DMA'),
    ...Array<string>(10).fill('DMA-FQ'),
    'unmanaged',
    'unmanaged',
    ...Array<string>(5).fill('identity'),
  ],
  slab: [
    {
      name: 'kmalloc-1k',
      active: V68_DOMAINS * (12 * 64 + 1) + V68_OTHER_1K,
      num: 23600,
      objsize: 1024,
      perSlab: 16,
      pages: 4,
    },
    { name: 'iommu_iova', active: V68_OTHER_1K * 127 + 500, num: 26000, objsize: 64, perSlab: 64, pages: 1 },
  ],
  version: 'Linux version 6.8.0-45-generic (buildd@lcy02-amd64-115) (x86_64-linux-gnu-gcc-13) #45-Ubuntu SMP',
};
