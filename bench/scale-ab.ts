// The seed preset and the 1024 × 1000 lab, now and before: the tree of BASELINE_COMMIT (the one
// whose BENCHMARKS.md first reported these rows) is rebuilt from git next to this checkout, and
// both trees run every row in the same rounds. Each measurement is a fresh node process; within a
// round the two trees alternate (the one going first alternates from round to round), and each
// round gives one now/before ratio, so a slower machine in one round moves both sides of it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, spread, type Rep, type Spread } from './stats.js';

/** The tree before the DMA layer, the zero-copy window, -flto and the CLI's later commands. */
export const BASELINE_COMMIT = '725c156';

export interface AbRow {
  label: string;
  /** A lab row timed inside a process (bench/scale-child.ts), or a whole CLI process. */
  lab?: 'seed' | 'big';
  cli?: string[];
}

export const AB_ROWS: AbRow[] = [
  {
    label:
      'seed preset: 128 CPUs × 159 domains (order0) init + 20000 churn ops over 10 s virtual, WASM batch, in a lab',
    lab: 'seed',
  },
  { label: '1024 CPUs × 1000 domains init, WASM per-op createDomain, in a lab', lab: 'big' },
  { label: '`iova-lab simulate --preset seed`, the whole process', cli: ['simulate', '--preset', 'seed'] },
  {
    label: '`iova-lab simulate --cpus 1024 --domains 1000`, the whole process',
    cli: ['simulate', '--cpus', '1024', '--domains', '1000'],
  },
];

export interface AbResult {
  row: AbRow;
  now: Rep[];
  /** Empty when the baseline could not be built. */
  before: Rep[];
}

const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));
const CPU_AT_EXIT = new URL('./cpu-at-exit.mjs', import.meta.url).href;

/**
 * The baseline tree, extracted with `git archive` into a temporary directory, sharing this
 * checkout's node_modules, its CLI built with this checkout's tsc; or the reason it cannot be.
 */
export function buildBaseline(root: string): { dir: string } | { error: string } {
  const dir = mkdtempSync(join(tmpdir(), 'iova-baseline-'));
  try {
    execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', root, BASELINE_COMMIT, dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (!existsSync(join(dir, 'dist/cli/main.js'))) throw new Error('its build made no dist/cli/main.js');
    return { dir };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return { error: `baseline ${BASELINE_COMMIT} not built: ${(stderr || (e as Error).message).split('\n')[0]}` };
  }
}

/** One measurement of `row` on `tree` in a fresh process. */
function measureOnce(row: AbRow, tree: string): Rep {
  if (row.lab) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', CHILD, tree, row.lab], {
      cwd: tree,
      encoding: 'utf8',
    });
    return JSON.parse(out) as Rep;
  }
  const w0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, join(tree, 'bin/iova-lab.js'), ...row.cli!], {
    cwd: tree,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wallNs = (performance.now() - w0) * 1e6;
  const cpu = /bench-cpu-us (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !cpu) throw new Error(`${row.cli!.join(' ')} in ${tree}: status ${r.status}, ${r.stderr}`);
  return { cpuNs: Number(cpu[1]) * 1000, wallNs };
}

/** `rounds` rounds of every row on both trees (only on `now` without a baseline). */
export function runAb(now: string, before: string | undefined, rounds: number, log: (s: string) => void): AbResult[] {
  const results: AbResult[] = AB_ROWS.map((row) => ({ row, now: [], before: [] }));
  for (let round = 0; round < rounds; round++) {
    for (const r of results) {
      const order = before === undefined ? ['now'] : round % 2 ? ['now', 'before'] : ['before', 'now'];
      for (const side of order) r[side as 'now' | 'before'].push(measureOnce(r.row, side === 'now' ? now : before!));
    }
    log(`  before/now round ${round + 1} of ${rounds}`);
  }
  return results;
}

/** CPU time now / before, one ratio per round (above 1: slower now). */
export const abRatio = (r: AbResult): Spread => spread(r.now.map((n, i) => n.cpuNs / r.before[i].cpuNs));

export const medianWallMs = (reps: Rep[]): number => median(reps.map((r) => r.wallNs)) / 1e6;
