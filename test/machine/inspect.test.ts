import { lstatSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessMachine } from '../../src/machine/assess.js';
import { captureMachine } from '../../src/machine/capture.js';
import { fsSource } from '../../src/machine/fs-source.js';
import { readMachine } from '../../src/machine/read.js';
import { run } from '../support/cli.js';
import { buildMachine, SEED_MACHINE, V68_DOMAINS, V68_MACHINE, V68_OTHER_1K, type MachineSpec } from './machine-dir.js';

const inspect = async (spec: MachineSpec, profile?: string) =>
  assessMachine(await readMachine(fsSource(buildMachine(spec))), profile);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (lstatSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

describe('inspect: the seed machine', () => {
  it('counts 159 DMA-FQ domains on 128 CPUs and explains the magazines as eager + 15', async () => {
    const i = await inspect(SEED_MACHINE);
    expect(i).toMatchObject({
      kernel: '6.10.3-100.fc40.x86_64',
      profile: 'v6.10',
      profileSource: 'kernel version',
      possibleCpus: 128,
      onlineCpus: 128,
      domains: 159,
      strictDomains: 0,
      lazyDomains: 159,
      eagerMagazines: 12 * 128 * 159,
    });
    expect(i.groupsByType).toEqual({ 'DMA-FQ': 159, identity: 1, unmanaged: 1 });
    expect(i.eagerMagazineBytes).toBe(String(12 * 128 * 159 * 1024));
    expect(i.layout.magazineCache).toBe('iommu_iova_magazine');
    expect(i.explanation).toMatchObject({
      domains: 159,
      domainsSource: 'known',
      magazines: 244239,
      extraMagazines: 244239 - 244224,
      consistent: true,
    });
    expect(i.verdict).toBe('consistent with 159 domains (+15 magazines beyond the eager ones)');
    expect(i.lazySavingAtLeast).toBe('0');
    expect(i.lazySavingAtMost).toBe(String(12 * 128 * 159 * 1024));
    expect(i.missing.map((m) => m.path)).toEqual(['sys/kernel/slab']);
  });
  it('calls magazines that no iommu_iova objects could fill a leak', async () => {
    const slab = SEED_MACHINE.slab!.map((r) => (r.name === 'iommu_iova' ? { ...r, active: 1000 } : r));
    const i = await inspect({ ...SEED_MACHINE, slab });
    expect(i.explanation!.consistent).toBe(false);
    expect(i.verdict).toContain(`${15 - Math.floor(1000 / 127)} of the 15 magazines`);
    expect(i.verdict).toContain('leak');
  });
  it('prints the picture on the command line, and --json', () => {
    const root = buildMachine(SEED_MACHINE);
    const r = run(['inspect', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('domains with rcaches: 159 (strict DMA 0, lazy DMA-FQ 159)');
    expect(r.stdout).toContain(`expected eager magazines: 12 x 128 possible CPUs x 159 domains = ${12 * 128 * 159}`);
    expect(r.stdout).toContain('cannot read /sys/kernel/slab (missing)');
    const j = JSON.parse(run(['inspect', '--root', root, '--json']).stdout) as {
      domains: number;
      eagerMagazineBytes: string;
    };
    expect(j).toMatchObject({ domains: 159, eagerMagazineBytes: String(12 * 128 * 159 * 1024) });
  });
});

describe('inspect: a v6.8 machine with magazines in kmalloc-1k', () => {
  it('uses the 6.8 layout, counts DMA and DMA-FQ groups only, and takes offline CPUs into account', async () => {
    const i = await inspect(V68_MACHINE);
    expect(i).toMatchObject({
      profile: 'v6.8',
      possibleCpus: 64,
      onlineCpus: 48,
      domains: V68_DOMAINS,
      strictDomains: 20,
      lazyDomains: 10,
      eagerMagazines: 12 * 64 * V68_DOMAINS,
    });
    expect(i.offlineCpus).toEqual([24, 25, 26, 27, 28, 29, 30, 31, 56, 57, 58, 59, 60, 61, 62, 63]);
    expect(i.layout).toMatchObject({ magazineCache: 'kmalloc-1k', arrayCache: 'kmalloc-1k' });
    expect(i.explanation).toMatchObject({
      exact: false,
      magazines: V68_DOMAINS * 12 * 64 + V68_OTHER_1K,
      extraMagazines: V68_OTHER_1K,
      fullMagazinesBacked: Math.floor((V68_OTHER_1K * 127 + 500) / 127),
      consistent: true,
    });
    expect(i.explanation!.notes.join(' ')).toContain('upper bound');
    expect(i.lazySavingAtLeast).toBe(String(12 * 16 * V68_DOMAINS * 1024));
  });
  it('--profile overrides the version', async () => {
    const i = await inspect(V68_MACHINE, 'v6.9');
    expect(i.profileSource).toBe('given');
    // no iommu_iova_magazine line: the magazines are read from kmalloc-1k
    expect(i.explanation!.notes.join(' ')).toContain('no iommu_iova_magazine line');
    expect(run(['inspect', '--root', buildMachine(V68_MACHINE), '--profile', 'v3.19']).status).toBe(2);
  });
});

describe('inspect: what is missing, merged or unreadable', () => {
  it('names a missing /proc/slabinfo and still gives the expected magazines', async () => {
    const i = await inspect({ ...SEED_MACHINE, slab: undefined });
    expect(i.explanation).toBeUndefined();
    expect(i.missing.find((m) => m.path === 'proc/slabinfo')!.consequence).toContain('not visible');
    expect(i.verdict).toBe(
      `expect ${12 * 128 * 159} magazines (${12 * 128 * 159 * 1024} bytes) in iommu_iova_magazine; ` +
        'the slab caches are not readable to compare',
    );
  });
  it('without groups, the domain count is implied from the objects; without a version the default profile is named', async () => {
    const i = await inspect({ ...SEED_MACHINE, groups: undefined, version: undefined });
    expect(i.domains).toBeUndefined();
    expect(i.profileSource).toBe('default');
    expect(i.explanation).toMatchObject({ domains: 159, domainsSource: 'implied' });
    expect(i.missing.map((m) => m.path).sort()).toEqual(['proc/version', 'sys/kernel/iommu_groups', 'sys/kernel/slab']);
  });
  it('without the possible CPUs nothing can be computed, and says so', async () => {
    const i = await inspect({ ...SEED_MACHINE, possible: undefined, online: undefined });
    expect(i.verdict).toBe('cannot tell: the possible CPU count is unknown');
  });
  it('reads a magazine cache merged into another name as that cache, an upper bound', async () => {
    const slab = SEED_MACHINE.slab!.map((r) => (r.name === 'iommu_iova_magazine' ? { ...r, name: 'nvme_sgl_1k' } : r));
    const i = await inspect({
      ...SEED_MACHINE,
      slab,
      merged: [{ names: ['nvme_sgl_1k', 'iommu_iova_magazine'], dir: ':0000001024', aliases: 1 }],
    });
    expect(i.merged.join(' ')).toContain('shown in /proc/slabinfo as nvme_sgl_1k');
    expect(i.explanation).toMatchObject({ domains: 159, extraMagazines: 15 });
  });
});

describe('inspect --link: the scenario derived from the machine, not its files', () => {
  it('links simulate on the possible and online CPUs, the domains and the profile', () => {
    const seed = run(['inspect', '--root', buildMachine(SEED_MACHINE), '--link']);
    expect(seed.stdout).toMatch(/\n\nplayground: web\/index\.html#simulate\?cpus=128&domains=159&profile=v6\.10\n$/);
    const v68 = run([
      'inspect',
      '--root',
      buildMachine(V68_MACHINE),
      '--link-base',
      'https://example.org/lab/',
      '--json',
    ]);
    expect(JSON.parse(v68.stdout)).toMatchObject({
      domains: V68_DOMAINS,
      link: `https://example.org/lab/#simulate?cpus=64&online=48&domains=${V68_DOMAINS}&profile=v6.8`,
    });
  });
  it('says why there is no link when the machine does not give a scenario', () => {
    const r = run(['inspect', '--root', buildMachine({ ...SEED_MACHINE, possible: undefined }), '--link']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\nplayground: no link: the possible CPU count is unknown\n');
    const none = run(['inspect', '--root', buildMachine({ ...SEED_MACHINE, groups: ['identity'] }), '--link']);
    expect(none.stdout).toContain('playground: no link: no domain carries an rcache');
  });
});

describe('capture', () => {
  it('copies exactly the files inspect reads, and inspect --root reads the copy the same way', async () => {
    const root = buildMachine({ ...SEED_MACHINE, merged: [{ names: ['iommu_iova'], dir: ':0000064', aliases: 0 }] });
    const dest = mkdtempSync(join(tmpdir(), 'iova-capture-'));
    rmSync(dest, { recursive: true });
    const r = await captureMachine(dest, root);
    expect(filesUnder(dest)).toEqual(
      r.copied
        .filter((a) => a.kind !== 'dir')
        .map((a) => a.path)
        .sort(),
    );
    expect(filesUnder(dest)).toContain('proc/slabinfo');
    expect(filesUnder(dest)).toContain('sys/kernel/iommu_groups/158/type');
    expect(readlinkSync(join(dest, 'sys/kernel/slab/iommu_iova'))).toBe(':0000064');
    const again = assessMachine(await readMachine(fsSource(dest)));
    expect(again).toEqual(assessMachine(await readMachine(fsSource(root))));
  });
  it('on the command line', () => {
    const root = buildMachine(V68_MACHINE);
    const dest = join(mkdtempSync(join(tmpdir(), 'iova-capture-')), 'cap');
    const r = run(['capture', dest, '--root', root]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`inspect --root ${dest}`);
    expect(run(['inspect', '--root', dest]).stdout).toContain(`domains with rcaches: ${V68_DOMAINS}`);
  });
});
