// The playground's runner (what its worker does) in Node: its text is the CLI's for the same
// scenario, whatever the command, and the charts come from the sampled timeline.
import { describe, expect, it } from 'vitest';
import { scenarioToArgs, type PlaygroundScenario } from '../../src/share/scenario-link.js';
import { MAX_TIMELINE_SAMPLES } from '../../src/share/limits.js';
import { UsageError } from '../../src/share/usage-error.js';
import { chartInterval, runPlayground } from '../../web/src/run.js';
import { run } from '../support/cli.js';

const TRACE =
  'cpus 4\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nalloc 0 1 4 0xfffff\nfree 0 0 0xfffff 1\ntick 300\nflush 0\n';

function cli(s: PlaygroundScenario): string {
  const { args, stdin } = scenarioToArgs(s);
  const r = run(args, stdin);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const text = (r: Awaited<ReturnType<typeof runPlayground>>, id: string): string => {
  const section = r.sections.find((x) => x.id === id);
  if (!section) throw new Error(`no section ${id}: ${r.sections.map((x) => x.id).join(', ')}`);
  return section.text;
};

describe('playground runner', () => {
  it("simulate: slab view, class table and totals are the CLI's report", async () => {
    const s: PlaygroundScenario = {
      command: 'simulate',
      cpus: 6,
      online: 4,
      domains: 3,
      workload: 'cross-cpu',
      ops: 3000,
      durationMs: 2500,
      seed: 9,
      profile: 'v6.0',
      policy: ['trim-delay=50'],
      format: 'slabinfo',
    };
    const r = await runPlayground(s);
    expect([text(r, 'slab-view'), text(r, 'class-table'), text(r, 'totals')].join('\n')).toBe(cli(s));
    expect(r.charts).toHaveLength(3);
    expect(r.charts[0]).toContain('depot magazines per size class');
    expect(r.charts[0]).toContain('class 5');
  });

  it("compare --profiles with a trace: the CLI's table", async () => {
    const s: PlaygroundScenario = { command: 'compare', profiles: ['v4.7', 'v6.7'], policy: ['lazy'], trace: TRACE };
    const r = await runPlayground(s);
    expect(text(r, 'compare-table')).toBe(cli(s));
    expect(r.charts[0]).toContain('v6.7+lazy');
  });

  it("compare --domain-types strict,lazy on nvme: the CLI's table, and the queued chart of the lazy run", async () => {
    const s: PlaygroundScenario = {
      command: 'compare',
      cpus: 8,
      workload: 'nvme',
      ops: 4000,
      durationMs: 500,
      irqCpus: 2,
      domainTypes: ['strict', 'lazy'],
    };
    const r = await runPlayground(s);
    const table = text(r, 'compare-table');
    expect(table).toBe(cli(s));
    expect(table).toMatch(/^v6\.9 strict /m);
    expect(table).toMatch(/^v6\.9 lazy /m);
    const queued = r.charts.find((c) => c.includes('queued entries'));
    expect(queued).toContain('v6.9 lazy');
    expect(queued).toContain('v6.9 strict');
  });

  it('draws no queued chart when nothing was ever queued (strict domains)', async () => {
    const r = await runPlayground({ command: 'simulate', cpus: 4, workload: 'nvme', ops: 500, domainType: 'strict' });
    expect(r.charts).toHaveLength(3);
    expect(r.charts.join('')).not.toContain('queued entries');
  });

  it.each([undefined, 'slabinfo'] as const)(
    'compare without --profiles (format %s): named and unnamed magazines as the CLI prints them',
    async (format) => {
      const s: PlaygroundScenario = { command: 'compare', cpus: 2, workload: 'churn', ops: 200, format };
      const r = await runPlayground(s);
      expect(r.sections.map((x) => x.id)).toEqual(['compare-table']);
      const table = text(r, 'compare-table');
      expect(table).toBe(cli(s));
      // slabtop views sit side by side: one line carries both headings
      if (format === undefined)
        expect(table).toMatch(/^== named \(iommu_iova_magazine\) == +== unnamed \(kmalloc-1k\) ==$/m);
      expect(r.charts[1]).toContain('v6.9 named magazines');
    },
  );

  it("replay: the CLI's slab view", async () => {
    const s: PlaygroundScenario = { command: 'replay', trace: TRACE, profile: 'v4.7' };
    const r = await runPlayground(s);
    expect(cli(s).startsWith(text(r, 'slab-view'))).toBe(true);
    expect(text(r, 'slab-view')).toMatch(/kmalloc-2k$/m);
  });

  it("explain: the CLI's explanation of pasted slabtop text, read as one machine", async () => {
    const s: PlaygroundScenario = {
      command: 'explain',
      cpus: 128,
      text:
        '  OBJS ACTIVE  USE OBJ SIZE  SLABS OBJ/SLAB CACHE SIZE NAME\n' +
        '244412 244239  99%    1.00K  61103        4    244412K iommu_iova_magazine\n' +
        '  2368   2361  99%    0.06K     37       64       148K iommu_iova\n',
    };
    const r = await runPlayground(s);
    expect(text(r, 'explanation')).toBe(cli(s));
    expect(text(r, 'explanation')).toContain(
      'verdict: consistent with 159 domains (+15 magazines beyond the eager ones)',
    );
    expect(text(r, 'explanation')).toContain('iommu_iova: 2361 active of 2368 objects (151104 bytes)');
    expect(r.charts).toEqual([]);
  });

  it('refuses what the CLI refuses, with its message', async () => {
    await expect(runPlayground({ command: 'simulate', cpus: 4, online: 8 })).rejects.toThrow(
      new UsageError('--online (8) cannot exceed --cpus (4).'),
    );
    const irq = await runPlayground({ command: 'simulate', workload: 'churn', irqCpus: 2 }).then(
      () => '',
      (e: Error) => e.message,
    );
    const irqCli = run(['simulate', '--workload', 'churn', '--irq-cpus', '2']);
    expect(irqCli.status).toBe(2);
    expect(irqCli.stderr).toBe(`iova-lab: ${irq}\n`);
    expect(irq).toContain('--irq-cpus goes with a DMA workload');
    const bad = await runPlayground({ command: 'simulate', policy: ['mag-size=5000'] }).then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    const r = run(['simulate', '--policy', 'mag-size=5000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`iova-lab: ${bad}\n`);
  });

  it('samples about 200 points over a long run unless the scenario names an interval', () => {
    const w = (durationMs: number) => ({ kind: 'workload', durationMs }) as Parameters<typeof chartInterval>[1];
    expect(chartInterval({ command: 'simulate' }, w(1000))).toBe(100);
    expect(chartInterval({ command: 'simulate' }, w(1_000_000))).toBe(5000);
    expect(chartInterval({ command: 'simulate', timeline: 7 }, w(1_000_000))).toBe(7);
  });

  it("stretches its interval over a trace's ticks too", async () => {
    const r = await runPlayground({ command: 'simulate', trace: 'cpus 2\ntick 1000000\n' });
    expect(r.charts.length).toBeGreaterThan(0);
    const t = { kind: 'trace', trace: { header: {}, ops: [{ op: 'tick', ms: 1_000_000n }] } } as unknown as Parameters<
      typeof chartInterval
    >[1];
    expect(chartInterval({ command: 'simulate' }, t)).toBe(5000);
  });

  it('refuses an option that would do nothing, as the CLI does', async () => {
    const s: PlaygroundScenario = { command: 'simulate', workload: 'idle', ops: 500 };
    const bad = await runPlayground(s).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(bad).toContain('--ops does nothing for the idle workload');
    expect(run(scenarioToArgs(s).args).stderr).toBe(`iova-lab: ${bad}\n`);
  });

  it('refuses a run past the documented limits before it starts, as the CLI does', async () => {
    const s: PlaygroundScenario = {
      command: 'simulate',
      workload: 'churn',
      ops: 10,
      durationMs: 1_000_000,
      timeline: 1,
    };
    const bad = await runPlayground(s).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(bad).toContain(`limit of ${MAX_TIMELINE_SAMPLES}`);
    const r = run(scenarioToArgs(s).args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`iova-lab: ${bad}\n`);
  });
});
