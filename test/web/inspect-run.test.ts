// inspect in the playground's worker, run in Node: a capture handed over as its tar archive (plain
// or gzipped) or as its folder's files prints what `iova-lab inspect --root DIR` prints for it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioToArgs } from '../../src/share/scenario-link.js';
import { runInspect, type CaptureUpload } from '../../web/src/inspect-run.js';
import { captureFixture, MERGED_SEED_MACHINE } from '../machine/capture-fixture.js';
import { SEED_MACHINE, V68_DOMAINS, V68_MACHINE } from '../machine/machine-dir.js';
import { run } from '../support/cli.js';

const archive = (file: string): CaptureUpload => ({
  kind: 'archive',
  name: file.split('/').pop()!,
  file: new Blob([readFileSync(file)]),
});

/** The folder as a browser hands it over: regular files only (links followed), paths from the folder's parent. */
function folder(dir: string): CaptureUpload {
  const files: Array<{ path: string; file: Blob }> = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else files.push({ path: relative(join(dir, '..'), p), file: new Blob([readFileSync(p)]) });
    }
  };
  walk(dir);
  return { kind: 'folder', files };
}

const text = async (upload: CaptureUpload, profile?: string) => (await runInspect(upload, profile)).sections[0].text;

describe('playground inspect', () => {
  it('reads the archive of a capture with merged caches as the CLI reads the folder, links and all', async () => {
    const fx = captureFixture(MERGED_SEED_MACHINE);
    expect(fx.inspect).toContain('shown in /proc/slabinfo as nvme_sgl_1k');
    expect(await text(archive(fx.archive(true)))).toBe(fx.inspect);
    expect(await text(archive(fx.archive(false)))).toBe(fx.inspect);
  });

  it('reads a folder of a capture without links as the CLI does, and --profile as the CLI', async () => {
    const fx = captureFixture(V68_MACHINE);
    expect(fx.inspect).toContain(`domains with rcaches: ${V68_DOMAINS}`);
    expect(await text(folder(fx.dir))).toBe(fx.inspect);
    const r = run(['inspect', '--root', fx.dir, '--profile', '6.9']);
    expect(await text(folder(fx.dir), '6.9')).toBe(r.stdout);
    const refused = await runInspect(folder(fx.dir), '3.19').then(
      () => 'accepted',
      (e: Error) => e.message,
    );
    expect(refused).toContain('"3.19"');
    expect(run(['inspect', '--root', fx.dir, '--profile', '3.19']).stderr).toContain(refused);
  });

  it('gives the command line and the scenario a link carries: simulate allocates the expected magazines', async () => {
    const fx = captureFixture(SEED_MACHINE);
    const r = await runInspect(archive(fx.archive(true)));
    expect(r.commandLine).toBe('tar -xf capture.tar.gz && iova-lab inspect --root iova-lab-capture');
    expect(r.derived).toEqual({ scenario: { command: 'simulate', cpus: 128, domains: 159, profile: 'v6.10' } });
    const { args } = scenarioToArgs((r.derived as { scenario: Parameters<typeof scenarioToArgs>[0] }).scenario);
    const expected = /expected eager magazines: .* = (\d+) /.exec(fx.inspect)![1];
    expect(run(args).stdout).toMatch(new RegExp(`^ *${expected} +${expected} +100% .* iommu_iova_magazine$`, 'm'));
  });

  it('names what is not a capture', async () => {
    const notTar: CaptureUpload = { kind: 'archive', name: 'notes.txt', file: new Blob(['hello\n'.repeat(200)]) };
    await expect(runInspect(notTar)).rejects.toThrow(/^notes\.txt: not a tar archive/);
    const stray: CaptureUpload = { kind: 'folder', files: [{ path: 'photos/a.txt', file: new Blob(['x']) }] };
    await expect(runInspect(stray)).rejects.toThrow('the folder holds no sys/ or proc/ folder');
  });
});
