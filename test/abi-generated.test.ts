// The generated copies of the C/TS boundary (native/iova_abi.h, native/exports.mk, src/bindings.ts,
// src/generated/*) match abi/iova-abi.json, and the check notices a hand edit or an ABI change.
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const GENERATED = ['native/iova_abi.h', 'native/exports.mk', 'src/bindings.ts', 'src/generated'];

function check(root: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'scripts/gen-abi.mjs'), '--check'], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** A copy of the generator, the ABI file and the generated files, to plant changes in. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'iova-abi-'));
  for (const p of ['scripts/gen-abi.mjs', 'abi/iova-abi.json', ...GENERATED]) {
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  }
  return dir;
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('gen:abi --check', () => {
  it('passes on the committed files', () => {
    expect(check(ROOT)).toEqual({ status: 0, stderr: '' });
  });

  it('fails, naming the file, when a generated file was edited by hand', () => {
    const dir = copyTree();
    dirs.push(dir);
    const file = join(dir, 'src/generated/abi.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('NO_LAB: -2,', 'NO_LAB: -20,'));
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('src/generated/abi.ts differ');
  });

  it('fails when the ABI gains an operation that was not regenerated', () => {
    const dir = copyTree();
    dirs.push(dir);
    const file = join(dir, 'abi/iova-abi.json');
    const abi = JSON.parse(readFileSync(file, 'utf8')) as { ops: object[] };
    abi.ops.push({
      name: 'DEMO',
      ts: 'Demo',
      value: 99,
      batch: 'demo',
      operands: ['domain', '-', '-', '-', '-'],
      result: '0',
      meaning: 'a planted op',
    });
    writeFileSync(file, JSON.stringify(abi));
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('native/iova_abi.h');
    expect(r.stderr).toContain('src/generated/batch-ops.ts');
  });
});
