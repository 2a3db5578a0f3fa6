// A capture in memory reads as the same capture on disk: the archive's entries (from the system's
// tar, in each of its formats) through capturedSource against the folder through fsSource.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { underCaptureRoot } from '../../src/machine/capture-archive.js';
import { capturedSource } from '../../src/machine/captured-source.js';
import { fsSource } from '../../src/machine/fs-source.js';
import { readMachine } from '../../src/machine/read.js';
import { readTar, TarFormatError } from '../../src/machine/tar.js';
import { captureFixture, MERGED_SEED_MACHINE } from './capture-fixture.js';

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code,
  );

describe('capturedSource', () => {
  it.each(['gnu', 'pax', 'ustar'])('reads a capture packed by tar --format=%s as the folder reads', async (format) => {
    const fx = captureFixture(MERGED_SEED_MACHINE);
    const file = join(fx.dir, '..', `capture-${format}.tar`);
    execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', join(fx.dir, '..'), 'iova-lab-capture']);
    const { root, entries } = underCaptureRoot(readTar(readFileSync(file)), file);
    expect(root).toBe('iova-lab-capture/');
    expect(entries.filter((e) => e.kind === 'link').map((e) => e.path)).toContain('sys/kernel/slab/iommu_iova');
    const fromMemory = await readMachine(capturedSource(entries));
    const fromDisk = await readMachine(fsSource(fx.dir));
    expect(fromMemory).toEqual(fromDisk);
    expect(fromMemory.slabSysfs.find((s) => s.name === 'iommu_iova_magazine')).toMatchObject({
      target: ':0000001024',
      aliases: 1,
      sharedWith: ['nvme_sgl_1k'],
    });
  });

  it('keeps names longer than a tar header holds (GNU long names, pax paths)', () => {
    const parent = mkdtempSync(join(tmpdir(), 'iova-long-'));
    const deep = join('a'.repeat(60), 'b'.repeat(60), 'proc');
    mkdirSync(join(parent, deep), { recursive: true });
    writeFileSync(join(parent, deep, 'version'), 'Linux version 6.8.0 (x) #1\n');
    for (const format of ['gnu', 'pax']) {
      const file = join(parent, `${format}.tar`);
      execFileSync('tar', [`--format=${format}`, '-cf', file, '-C', parent, 'a'.repeat(60)]);
      const { entries } = underCaptureRoot(readTar(readFileSync(file)), file);
      expect(entries).toContainEqual({ path: 'proc/version', kind: 'file', text: 'Linux version 6.8.0 (x) #1\n' });
    }
  });

  it('fails reads as the file system does: missing, not a directory, a directory, a link loop', async () => {
    const s = capturedSource([
      { path: 'proc/version', kind: 'file', text: 'v' },
      { path: 'sys/kernel/slab/:0001024/aliases', kind: 'file', text: '2\n' },
      { path: 'sys/kernel/slab/kmalloc-1k', kind: 'link', target: ':0001024' },
      { path: 'sys/loop', kind: 'link', target: 'loop' },
      { path: 'sys/empty', kind: 'dir' },
    ]);
    expect(await s.readText('sys/kernel/slab/kmalloc-1k/aliases')).toBe('2\n');
    expect(await s.readLink('sys/kernel/slab/kmalloc-1k')).toBe(':0001024');
    expect(await s.readLink('sys/kernel/slab/:0001024')).toBeNull();
    expect((await s.readDir('sys/kernel/slab')).sort()).toEqual([':0001024', 'kmalloc-1k']);
    expect(await s.readDir('sys/empty')).toEqual([]);
    expect(await codeOf(s.readText('proc/slabinfo'))).toBe('ENOENT');
    expect(await codeOf(s.readDir('proc/version'))).toBe('ENOTDIR');
    expect(await codeOf(s.readText('sys/kernel'))).toBe('EISDIR');
    expect(await codeOf(s.readText('sys/loop'))).toBe('ELOOP');
    expect(await codeOf(s.readLink('sys/nothing'))).toBe('ENOENT');
  });

  it('refuses a damaged archive, naming where', () => {
    const fx = captureFixture(MERGED_SEED_MACHINE);
    const tar = readFileSync(fx.archive(false));
    const bytes = new Uint8Array(tar);
    bytes[10] ^= 0xff; // a letter of the first entry's name
    expect(() => readTar(bytes)).toThrow(TarFormatError);
    expect(() => readTar(bytes)).toThrow('not a tar archive: the header at byte 0 has a bad checksum');
    const slabinfo = tar.indexOf('iova-lab-capture/proc/slabinfo');
    expect(slabinfo % 512).toBe(0);
    const cut = new Uint8Array(tar.subarray(0, slabinfo + 512 + 10));
    expect(() => readTar(cut)).toThrow(`the tar archive ends inside the entry at byte ${slabinfo}`);
    expect(() => readTar(cut.subarray(0, slabinfo + 100))).toThrow(
      `the tar archive ends inside the header at byte ${slabinfo}`,
    );
  });
});
