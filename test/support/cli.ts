// Runs the real built binary (bin/iova-lab.js → dist/), as a user would.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'iova-lab.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(args: string[], input?: string): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, input, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
