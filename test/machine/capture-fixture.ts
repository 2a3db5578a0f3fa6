// Capture fixtures as a user would send them: a fixture machine captured by `iova-lab capture`
// into a folder named iova-lab-capture, and that folder packed with the system's tar.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../support/cli.js';
import { buildMachine, SEED_MACHINE, type MachineSpec } from './machine-dir.js';

/** The seed machine with its magazine cache merged into another name (links under /sys/kernel/slab). */
export const MERGED_SEED_MACHINE: MachineSpec = {
  ...SEED_MACHINE,
  slab: SEED_MACHINE.slab!.map((r) => (r.name === 'iommu_iova_magazine' ? { ...r, name: 'nvme_sgl_1k' } : r)),
  merged: [
    { names: ['nvme_sgl_1k', 'iommu_iova_magazine'], dir: ':0000001024', aliases: 1 },
    { names: ['iommu_iova'], dir: ':0000064', aliases: 0 },
  ],
};

export interface CaptureFixture {
  /** The folder `capture` wrote (…/iova-lab-capture). */
  dir: string;
  /** What `iova-lab inspect --root dir` prints. */
  inspect: string;
  /** The folder packed: `tar -cf` (gzip: `-czf`) from its parent. */
  archive(gzip: boolean): string;
}

export function captureFixture(spec: MachineSpec): CaptureFixture {
  const parent = mkdtempSync(join(tmpdir(), 'iova-capture-fixture-'));
  const dir = join(parent, 'iova-lab-capture');
  const captured = run(['capture', dir, '--root', buildMachine(spec)]);
  if (captured.status !== 0) throw new Error(`capture failed: ${captured.stderr}`);
  const inspected = run(['inspect', '--root', dir]);
  if (inspected.status !== 0) throw new Error(`inspect failed: ${inspected.stderr}`);
  return {
    dir,
    inspect: inspected.stdout,
    archive(gzip) {
      const file = join(parent, gzip ? 'capture.tar.gz' : 'capture.tar');
      execFileSync('tar', [gzip ? '-czf' : '-cf', file, '-C', parent, 'iova-lab-capture']);
      return file;
    },
  };
}
