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

interface Abi {
  exports: { name: string; engine?: Record<string, unknown> }[];
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('gen:abi --check', () => {
  it('passes on the committed files', () => {
    expect(check(ROOT)).toEqual({ status: 0, stderr: '' });
  });

  it.each([
    ['src/generated/abi.ts', 'NO_LAB: -2,', 'NO_LAB: -20,'],
    [
      'src/generated/engine-ops.ts',
      'free(domain: number, pfn: bigint): void;',
      'free(domain: number, pfn: number): void;',
    ],
    ['src/generated/wasm-engine-ops.ts', '{ domain, cpu, pfn, size }', '{ domain, pfn }'],
  ])('fails, naming the file, when %s was edited by hand', (path, from, to) => {
    const dir = copyTree();
    dirs.push(dir);
    const file = join(dir, path);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(from);
    writeFileSync(file, text.replace(from, to));
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path} differ`);
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

  /** The ABI file of a copied tree, parsed, with the engine row of one export. */
  function engineRow(dir: string, name: string): { abi: Abi; row: Record<string, unknown> } {
    const abi = JSON.parse(readFileSync(join(dir, 'abi/iova-abi.json'), 'utf8')) as Abi;
    const row = abi.exports.find((e) => e.name === name)?.engine;
    if (!row) throw new Error(`no engine row for ${name}`);
    return { abi, row };
  }

  it('fails when an engine row changed but the glue was not regenerated', () => {
    const dir = copyTree();
    dirs.push(dir);
    const { abi, row } = engineRow(dir, 'iova_free_fast');
    row.names = ['domain', 'pfn'];
    writeFileSync(join(dir, 'abi/iova-abi.json'), JSON.stringify(abi));
    const r = check(dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('src/generated/wasm-engine-ops.ts');
    expect(r.stderr).not.toContain('native/iova_abi.h');
  });

  it('refuses an engine row whose args do not fill the C params, naming the export', () => {
    const dir = copyTree();
    dirs.push(dir);
    const { abi, row } = engineRow(dir, 'iova_alloc');
    row.args = ['domain', 'size', 'limitPfn'];
    writeFileSync(join(dir, 'abi/iova-abi.json'), JSON.stringify(abi));
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('iova_alloc.engine: args fill 3 C params, iova_alloc has 4');
  });
});
