// --profile / --policy on simulate, replay and compare, `compare --profiles` and `profiles`, through the real binary.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from '../support/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iova-profiles-'));
});
function traceFile(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** 159 domains on 128 CPUs: 12 eager magazines per CPU per domain. */
const EAGER = 159 * 1536;

interface Cache {
  name: string;
  activeObjs: number;
  objSize: number;
}
interface SimDoc {
  variant: string;
  profile: string;
  design: string;
  policy: string[];
  magazineMode: string;
  magazineCache: string;
  magazineObjSize: number;
  rcachePolicy: { magazineSize: number; lazy: boolean; depotCap: number };
  caches: Cache[];
  magazines: { total: number; magazineBytes: string };
}
interface VariantRow {
  variant: string;
  profile: string;
  design: string;
  policy: string[];
  magazineCache: string;
  magazineObjSize: number;
  magazineObjects: number;
  magazineBytes: string;
  iovaObjects: number;
  iovaBytes: string;
  hits: number;
  misses: number;
  hitRate: number | null;
  depotHighWater: number;
  depotTrims: number;
  depotOverflows: number;
  slowPathAllocs: number;
  baseline?: string;
  magazineBytesSaved?: string;
}
interface CompareDoc {
  engine: string;
  scenario: Record<string, unknown>;
  variants: VariantRow[];
}

describe('simulate --profile / --policy', () => {
  it('v4.7 on 128 CPUs x 159 domains: magazines in kmalloc-2k, no iommu_iova_magazine cache', () => {
    const r = run(['simulate', '--profile', 'v4.7', '--cpus', '128', '--domains', '159', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as SimDoc;
    expect(doc).toMatchObject({
      variant: 'v4.7',
      profile: 'v4.7',
      design: 'v4.7',
      magazineMode: 'unnamed',
      magazineCache: 'kmalloc-2k',
      magazineObjSize: 2048,
    });
    expect(doc.rcachePolicy).toMatchObject({ magazineSize: 128, depotCap: 32 });
    expect(doc.caches.find((c) => c.name === 'iommu_iova_magazine')).toBeUndefined();
    const k2 = doc.caches.find((c) => c.name === 'kmalloc-2k')!;
    expect(k2).toMatchObject({ activeObjs: EAGER, objSize: 2048 });
    expect(doc.magazines).toMatchObject({ total: EAGER, magazineBytes: String(EAGER * 2048) });
  });
  it("defaults to v6.9 (named); v6.8 is unnamed; --magazines overrides the profile's mode", () => {
    const def = JSON.parse(run(['simulate', '--cpus', '2', '--json']).stdout) as SimDoc;
    expect(def).toMatchObject({ variant: 'v6.9', magazineMode: 'named', magazineCache: 'iommu_iova_magazine' });
    const v68 = JSON.parse(run(['simulate', '--cpus', '2', '--profile', '6.8', '--json']).stdout) as SimDoc;
    expect(v68).toMatchObject({
      variant: 'v6.8',
      design: 'v6.7',
      magazineMode: 'unnamed',
      magazineCache: 'kmalloc-1k',
    });
    const v67 = JSON.parse(run(['simulate', '--cpus', '2', '--profile', 'v6.7', '--json']).stdout) as SimDoc;
    expect(v67).toMatchObject({ magazineMode: 'unnamed', magazineCache: 'kmalloc-1k' });
    const forced = JSON.parse(
      run(['simulate', '--cpus', '2', '--profile', 'v6.7', '--magazines', 'named', '--json']).stdout,
    ) as SimDoc;
    expect(forced).toMatchObject({ magazineMode: 'named', magazineCache: 'iommu_iova_magazine' });
  });
  it('--policy is repeatable and comma-separated, applied in order, and labels the variant', () => {
    const r = run(['simulate', '--cpus', '4', '--policy', 'lazy,mag-size=64', '--policy', 'depot-cap=8', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as SimDoc;
    expect(doc.variant).toBe('v6.9+lazy+mag-size=64+depot-cap=8');
    expect(doc.policy).toEqual(['lazy', 'mag-size=64', 'depot-cap=8']);
    expect(doc.rcachePolicy).toMatchObject({ lazy: true, magazineSize: 64, depotCap: 8 });
    expect(doc.magazines.total).toBe(0); // lazy: nothing allocated by an idle domain
    const text = run(['simulate', '--cpus', '4', '--profile', 'v6.0', '--policy', 'lazy']).stdout;
    expect(text).toContain('profile v6.0 (design v6.0) + lazy');
    expect(run(['simulate', '--cpus', '4', '--profile', '5.15']).stdout).toContain('profile v5.15 (design v4.7)\n');
  });
  it('every version runs on the wasm engine, with the same report as on the ts engine', () => {
    for (const version of ['4.7', '5.11', '6.0']) {
      const args = [
        'simulate',
        '--cpus',
        '4',
        '--domains',
        '2',
        '--workload',
        'burst',
        '--ops',
        '20000',
        '--profile',
        version,
      ];
      const [wasm, ts] = (['wasm', 'ts'] as const).map((engine) => run([...args, '--engine', engine, '--json']));
      expect(wasm.status, version).toBe(0);
      expect(wasm.stderr, version).toBe('');
      const { engine: we, ...wasmDoc } = JSON.parse(wasm.stdout) as SimDoc & { engine: string };
      const { engine: te, ...tsDoc } = JSON.parse(ts.stdout) as SimDoc & { engine: string };
      expect([we, te]).toEqual(['wasm', 'ts']);
      expect(wasmDoc).toEqual(tsDoc);
    }
  });
  it('bad values exit 2 naming the value', () => {
    const cases: Array<[string[], string]> = [
      [['simulate', '--profile', 'v4.6'], 'v4.6'],
      [['simulate', '--profile', '6.x'], '6.x'],
      [['profiles', '4.4'], '4.4'],
      [['simulate', '--policy', 'bogus'], 'bogus'],
      [['simulate', '--policy', 'mag-size=abc'], 'mag-size=abc'],
      [['simulate', '--policy', 'mag-size=5000'], '5000'],
      [['simulate', '--profile', 'v4.7', '--policy', 'dynamic=200'], 'dynamic=200'],
      [['simulate', '--policy', 'lazy,,dynamic'], 'lazy,,dynamic'],
      [['replay', '-', '--profile', 'v9'], 'v9'],
      [['replay', '-', '--policy', 'trim-threshold=x'], 'trim-threshold=x'],
      [['compare', '--policy', 'depot-cap=-1'], 'depot-cap=-1'],
      [['compare', '--profile', 'nope'], 'nope'],
      [['compare', '--profiles', 'v4.7,v5'], 'v5'],
      [['compare', '--profiles', 'v6.8,v6.8'], 'v6.8'],
    ];
    for (const [args, value] of cases) {
      const r = run(args, 'cpus 2\n');
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toContain(value);
    }
  });
});

describe('replay --profile / --policy', () => {
  const TRACE = 'cpus 4\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nfree 0 0 0xfffff 1\n';
  interface Summary {
    summary: {
      profile: string;
      design: string;
      caches: Array<{ name: string; activeObjs: number; objSize: number }>;
      magazines: { total: number };
    };
  }
  const summary = (stdout: string) => (JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary).summary;
  it("--profile replaces the trace's profile, --policy runs after its policy lines", () => {
    const plain = summary(run(['replay', traceFile('p.trace', TRACE), '--json']).stdout);
    expect(plain.magazines.total).toBe(48);
    expect([plain.profile, plain.design]).toEqual(['v6.9', 'v6.9']);
    expect(plain.caches.some((c) => c.name === 'iommu_iova_magazine')).toBe(true);
    const v47 = summary(run(['replay', traceFile('p.trace', TRACE), '--json', '--profile', 'v4.7']).stdout);
    expect([v47.profile, v47.design]).toEqual(['v4.7', 'v4.7']);
    expect(v47.caches.some((c) => c.name === 'iommu_iova_magazine')).toBe(false);
    expect(v47.caches.find((c) => c.name === 'kmalloc-2k')).toMatchObject({ activeObjs: 48, objSize: 2048 });
    const lazy = summary(run(['replay', traceFile('p.trace', TRACE), '--json', '--policy', 'lazy']).stdout);
    expect(lazy.magazines.total).toBe(1); // only CPU 0's loaded magazine of class 0, on the free
    // the trace's own header: profile v4.7, overridden on the command line by v6.0
    const own = traceFile('own.trace', TRACE.replace('cpus 4\n', 'cpus 4\nprofile v4.7\npolicy lazy\n'));
    expect(summary(run(['replay', own, '--json']).stdout).caches.find((c) => c.name === 'kmalloc-2k')?.activeObjs).toBe(
      1,
    );
    const over = summary(run(['replay', own, '--json', '--profile', 'v6.0']).stdout);
    expect(over.caches.find((c) => c.name === 'kmalloc-1k')?.activeObjs).toBe(1);
    expect(over.caches.find((c) => c.name === 'kmalloc-2k')?.activeObjs).toBe(1); // v6.0's kcalloc'd rcache array
  });
});

describe('compare --profiles', () => {
  it('v4.7,v6.0,v6.7,v6.9 on 128 CPUs x 159 idle domains: 2048-byte magazines in v4.7, 1024 after; --policy lazy saves them all', () => {
    const args = [
      'compare',
      '--profiles',
      'v4.7,v6.0,v6.7,v6.9',
      '--cpus',
      '128',
      '--domains',
      '159',
      '--workload',
      'idle',
    ];
    const r = run([...args, '--policy', 'lazy', '--json']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as CompareDoc;
    expect(doc.variants.map((v) => v.variant)).toEqual([
      'v4.7',
      'v4.7+lazy',
      'v6.0',
      'v6.0+lazy',
      'v6.7',
      'v6.7+lazy',
      'v6.9',
      'v6.9+lazy',
    ]);
    expect(doc.engine).toBe('wasm'); // the default: the C model runs every profile
    const by = (label: string) => doc.variants.find((v) => v.variant === label)!;
    expect(by('v4.7')).toMatchObject({
      magazineCache: 'kmalloc-2k',
      magazineObjSize: 2048,
      magazineObjects: EAGER,
      magazineBytes: String(EAGER * 2048),
    });
    expect(by('v6.0')).toMatchObject({
      magazineCache: 'kmalloc-1k',
      magazineObjects: EAGER,
      magazineBytes: String(EAGER * 1024),
    });
    expect(by('v6.7')).toMatchObject({
      magazineCache: 'kmalloc-1k',
      magazineObjects: EAGER,
      magazineBytes: String(EAGER * 1024),
    });
    expect(by('v6.9')).toMatchObject({
      magazineCache: 'iommu_iova_magazine',
      magazineObjects: EAGER,
      magazineBytes: String(EAGER * 1024),
    });
    for (const p of ['v4.7', 'v6.0', 'v6.7', 'v6.9']) {
      const lazy = by(`${p}+lazy`);
      expect(lazy).toMatchObject({
        profile: p,
        design: p,
        policy: ['lazy'],
        magazineObjects: 0,
        magazineBytes: '0',
        baseline: p,
      });
      expect(lazy.magazineBytesSaved).toBe(by(p).magazineBytes);
      expect(by(p).baseline).toBeUndefined();
    }
    for (const v of doc.variants) {
      expect(v).toMatchObject({
        iovaObjects: 0,
        iovaBytes: '0',
        hits: 0,
        misses: 0,
        hitRate: null,
        depotHighWater: 0,
        slowPathAllocs: 0,
      });
    }

    const text = run(args);
    expect(text.status).toBe(0);
    const rows = text.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(
      /^variant +design +magazine cache +mag objs +mag bytes +iova objs +iova bytes +hit rate +depot hwm +trims +overflows +slow allocs$/,
    );
    expect(rows).toHaveLength(5);
    expect(rows[1].split(/\s+/).slice(0, 7)).toEqual([
      'v4.7',
      'v4.7',
      'kmalloc-2k',
      '(2048',
      'B)',
      String(EAGER),
      String(EAGER * 2048),
    ]);
    for (const [i, p] of [
      [2, 'v6.0'],
      [3, 'v6.7'],
      [4, 'v6.9'],
    ] as const) {
      expect(rows[i].split(/\s+/).slice(0, 2).concat(rows[i].split(/\s+/).slice(5, 7))).toEqual([
        p,
        p,
        String(EAGER),
        String(EAGER * 1024),
      ]);
    }
    const lazyText = run([...args, '--policy', 'lazy']).stdout;
    expect(lazyText).toMatch(/^v4\.7\+lazy +v4\.7 +kmalloc-2k \(2048 B\) +0 +0 /m);
    expect(lazyText).toContain(`v4.7+lazy saves ${EAGER * 2048} bytes (477.0 MiB) of magazines against v4.7`);
    expect(lazyText).toContain(`v6.9+lazy saves ${EAGER * 1024} bytes (238.5 MiB) of magazines against v6.9`);
  });
  it.each([
    ['wasm', 'v6.6'],
    ['ts', 'v4.7'],
    ['wasm', 'v4.7'],
  ])('a busy workload (%s, %s): hit rate, slow path = misses, trims only where the profile trims', (engine, old) => {
    const r = run([
      'compare',
      '--profiles',
      `${old},v6.8`,
      '--cpus',
      '4',
      '--domains',
      '2',
      '--workload',
      'burst',
      '--ops',
      '30000',
      '--seed',
      '3',
      '--engine',
      engine,
      '--json',
    ]);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as CompareDoc;
    expect(doc.engine).toBe(engine);
    expect(doc.scenario).toMatchObject({ cpus: 4, domains: 2, workload: 'burst', ops: 30000, seed: 3 });
    for (const v of doc.variants) {
      expect(v.hits + v.misses).toBe(30000);
      expect(v.hitRate).toBeCloseTo(v.hits / 30000, 12);
      expect(v.slowPathAllocs).toBe(v.misses);
      expect(v.depotHighWater).toBeGreaterThan(0);
      expect(v.iovaObjects).toBeGreaterThan(0);
      expect(v.iovaBytes).toBe(String(v.iovaObjects * 64));
    }
    const [fixed, v68] = doc.variants as [VariantRow, VariantRow];
    expect(fixed.depotTrims).toBe(0); // no trim work before v6.7
    expect(v68.depotTrims).toBeGreaterThan(0);
    expect(v68.depotOverflows).toBe(0); // unbounded depot list
  });
  it('a fixed depot overflows: v4.7 with depot-cap=1', () => {
    const r = run([
      'compare',
      '--profiles',
      'v4.7',
      '--policy',
      'depot-cap=1',
      '--cpus',
      '4',
      '--workload',
      'burst',
      '--ops',
      '20000',
      '--json',
    ]);
    expect(r.status).toBe(0);
    const [base, capped] = (JSON.parse(r.stdout) as CompareDoc).variants as [VariantRow, VariantRow];
    expect(capped.variant).toBe('v4.7+depot-cap=1');
    expect(capped.depotOverflows).toBeGreaterThan(0);
    expect(capped.depotOverflows).toBeGreaterThan(base.depotOverflows);
  });
  it('--trace runs the same trace under every variant (header profile/policy replaced)', () => {
    const t = traceFile(
      'cmp.trace',
      'cpus 2\nprofile v6.8\npolicy lazy\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nalloc 0 1 1 0xfffff\nfree 0 0 0xfffff 1\n',
    );
    const r = run(['compare', '--profiles', 'v4.7,v6.8,v6.9', '--trace', t, '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as CompareDoc;
    expect(doc.scenario).toMatchObject({ trace: t, cpus: 2, ops: 4 });
    expect(doc.variants.map((v) => [v.variant, v.magazineObjects, v.magazineCache, v.iovaObjects])).toEqual([
      ['v4.7', 24, 'kmalloc-2k', 2],
      ['v6.8', 24, 'kmalloc-1k', 2],
      ['v6.9', 24, 'iommu_iova_magazine', 2],
    ]);
    expect(doc.variants.every((v) => v.misses === 2 && v.hits === 0)).toBe(true);
  });
  it("--format adds each variant's slab view after the table", () => {
    const r = run(['compare', '--profiles', 'v4.7,v6.9', '--cpus', '2', '--format', 'slabinfo']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('== v4.7 (design v4.7): unnamed (kmalloc-2k) ==');
    expect(r.stdout).toContain('== v6.9 (design v6.9): named (iommu_iova_magazine) ==');
    expect(r.stdout.match(/^slabinfo - version: 2\.1$/gm)).toHaveLength(2);
    expect(r.stdout).toMatch(/^kmalloc-2k +24 /m);
  });
  it('conflicting options exit 2', () => {
    const t = traceFile('c.trace', 'cpus 2\n');
    for (const args of [
      ['compare', '--profiles', 'v6.8', '--profile', 'v4.7'],
      ['compare', '--profiles', 'v6.8', '--trace', t, '--cpus', '4'],
      ['compare', '--trace', t, '--preset', 'seed'],
      ['compare', '--magazines', 'named'],
      ['compare', '--profiles', 'v6.8', '--trace', join(dir, 'missing.trace')],
    ]) {
      const r = run(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0);
    }
  });
});

describe('compare (named vs unnamed) with --profile / --policy', () => {
  it('runs both modes on the given profile and policy', () => {
    const r = run(['compare', '--cpus', '2', '--profile', 'v4.7', '--json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      variant: string;
      design: string;
      named: { magazineCache: string };
      unnamed: { magazineCache: string; magazines: { total: number } };
    };
    expect([doc.variant, doc.design]).toEqual(['v4.7', 'v4.7']);
    expect(doc.named.magazineCache).toBe('iommu_iova_magazine');
    expect(doc.unnamed.magazineCache).toBe('kmalloc-2k');
    const text = run(['compare', '--cpus', '2', '--profile', 'v4.7']).stdout;
    expect(text.split('\n')[0]).toMatch(/== named \(iommu_iova_magazine\) == +== unnamed \(kmalloc-2k\) ==/);
    expect(text).toContain('\nprofile v4.7 (design v4.7)\n');
    const lazy = JSON.parse(run(['compare', '--cpus', '2', '--policy', 'lazy', '--json']).stdout) as typeof doc;
    expect(lazy.variant).toBe('v6.9+lazy');
    expect(lazy.unnamed.magazines.total).toBe(0);
  });
});

describe('profiles', () => {
  it('lists the designs with the releases each covers', () => {
    const r = run(['profiles']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^v4\.7 +v4\.7-v5\.19 +first rcache/m);
    expect(r.stdout).toMatch(/^v6\.7 +v6\.7-v6\.8 /m);
    expect(r.stdout).toMatch(/^v6\.9 +v6\.9 and later +as v6\.7, magazines in the named iommu_iova_magazine/m);
    const doc = JSON.parse(run(['profiles', '--json']).stdout) as {
      default: string;
      designs: Array<{ design: string }>;
    };
    expect(doc.default).toBe('v6.9');
    expect(doc.designs.map((d) => d.design)).toEqual(['v4.7', 'v6.0', 'v6.7', 'v6.9']);
  });
  it('shows what a version resolves to: 5.15 is the fixed-depot, 128-PFN design', () => {
    const text = run(['profiles', '5.15']).stdout;
    expect(text.split('\n')[0]).toMatch(/^profile v5\.15 \(design v4\.7\): /);
    expect(text).toMatch(/^magazines +128 PFNs \(1032 B\), kmalloc$/m);
    expect(text).toMatch(/^depot +fixed array of 32, no trimming$/m);
    const doc = JSON.parse(run(['profiles', 'v5.15', '--json']).stdout) as {
      name: string;
      design: string;
      policy: Record<string, unknown>;
    };
    expect(doc).toMatchObject({ name: 'v5.15', design: 'v4.7' });
    expect(doc.policy).toMatchObject({ magazineSize: 128, depotCap: 32, retry: 'overflow' });
  });
  it('simulate --profile v6.8 on the seed machine puts the 244,224 magazines in kmalloc-1k', () => {
    const doc = JSON.parse(
      run(['simulate', '--profile', 'v6.8', '--cpus', '128', '--domains', '159', '--json']).stdout,
    ) as SimDoc;
    expect(doc).toMatchObject({ design: 'v6.7', magazineCache: 'kmalloc-1k' });
    expect(doc.caches.find((c) => c.name === 'iommu_iova_magazine')).toBeUndefined();
    expect(doc.caches.find((c) => c.name === 'kmalloc-1k')!.activeObjs).toBe(EAGER + 159); // + the rcache arrays
  });
});
