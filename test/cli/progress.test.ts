// The progress bar: rendering and throttling with a fake stream and clock (unit), and the real
// binary: nothing on a piped stderr, the bar on a pseudo-terminal's stderr only (never in stdout/--json).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProgressBar, renderProgress, stderrProgress, type ProgressStream } from '../../src/cli/progress.js';
import { BIN, ROOT, run } from '../support/cli.js';

class FakeStream implements ProgressStream {
  writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns?: number,
  ) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
}

function fakeClock(): { now: () => number; set: (t: number) => void } {
  let t = 1000;
  return {
    now: () => t,
    set: (v) => {
      t = v;
    },
  };
}

describe('renderProgress', () => {
  it('draws the bar, percent, count and unit', () => {
    expect(renderProgress(520000, 1000000, 'ops', 10)).toBe('[#####-----] 52% 520000/1000000 ops');
    expect(renderProgress(0, 10, 'domains', 4)).toBe('[----] 0% 0/10 domains');
    expect(renderProgress(10, 10, 'ops', 4)).toBe('[####] 100% 10/10 ops');
    expect(renderProgress(3, 10, 'ops', 4, 'v6.8 (1/2)')).toBe('v6.8 (1/2) [#---] 30% 3/10 ops');
  });
  it('clamps done to [0, total] and reads total 0 as done', () => {
    expect(renderProgress(15, 10, 'ops', 4)).toBe('[####] 100% 10/10 ops');
    expect(renderProgress(-1, 10, 'ops', 4)).toBe('[----] 0% 0/10 ops');
    expect(renderProgress(0, 0, 'ops', 4)).toBe('[####] 100% 0/0 ops');
  });
});

describe('ProgressBar', () => {
  it('writes nothing at all when the stream is not a TTY', () => {
    const s = new FakeStream(false);
    const clock = fakeClock();
    const bar = new ProgressBar(s, { total: 100, delayMs: 0, intervalMs: 0, now: clock.now });
    expect(bar.enabled).toBe(false);
    for (let i = 0; i <= 100; i++) {
      clock.set(1000 + i * 1000);
      bar.update(i);
    }
    bar.finish();
    expect(s.writes).toEqual([]);
  });
  it('waits for the delay, then redraws at most once per interval with \\r and no newline', () => {
    const s = new FakeStream(true);
    const clock = fakeClock();
    const bar = new ProgressBar(s, { total: 1000, width: 10, delayMs: 200, intervalMs: 100, now: clock.now });
    bar.update(10);
    clock.set(1199);
    bar.update(20);
    expect(s.writes).toEqual([]); // still inside the delay
    clock.set(1200);
    bar.update(520);
    expect(s.writes).toEqual(['\r[#####-----] 52% 520/1000 ops']);
    clock.set(1250);
    bar.update(600);
    clock.set(1299);
    bar.update(700);
    expect(s.writes).toHaveLength(1); // throttled
    clock.set(1300);
    bar.update(800);
    expect(s.writes).toEqual(['\r[#####-----] 52% 520/1000 ops', '\r[########--] 80% 800/1000 ops']);
    expect(s.writes.join('')).not.toContain('\n');
    expect(bar.visible).toBe(true);
  });
  it('skips a redraw of identical text and pads over a longer previous line', () => {
    const s = new FakeStream(true);
    const clock = fakeClock();
    const bar = new ProgressBar(s, { total: 100, width: 4, delayMs: 0, intervalMs: 0, now: clock.now });
    bar.update(50, 100, 'ops', 'a-long-label');
    bar.update(50, 100, 'ops', 'a-long-label');
    expect(s.writes).toHaveLength(1);
    bar.update(60, 100, 'ops', 'x');
    const previous = s.writes[0].length - 1;
    expect(s.writes[1]).toBe('\r' + 'x [##--] 60% 60/100 ops'.padEnd(previous));
  });
  it('finish() blanks exactly the drawn width and returns to column 0; nothing if never drawn', () => {
    const s = new FakeStream(true);
    const clock = fakeClock();
    const bar = new ProgressBar(s, { total: 100, width: 4, delayMs: 500, intervalMs: 0, now: clock.now });
    bar.update(1);
    bar.finish();
    expect(s.writes).toEqual([]); // a short run never shows (or clears) a bar
    clock.set(2000);
    bar.update(50);
    const drawn = s.writes[0].length - 1;
    bar.finish();
    expect(s.writes[1]).toBe('\r' + ' '.repeat(drawn) + '\r');
    expect(bar.visible).toBe(false);
    bar.finish();
    expect(s.writes).toHaveLength(2);
  });
  it('cuts the line to the terminal width', () => {
    const s = new FakeStream(true, 12);
    const bar = new ProgressBar(s, { total: 1000000, delayMs: 0, intervalMs: 0, now: () => 0 });
    bar.update(5);
    expect(s.writes[0]).toBe('\r[' + '-'.repeat(10));
  });
  it('--no-progress disables the bar even on a TTY', () => {
    const s = new FakeStream(true);
    const bar = stderrProgress(false, { total: 10, delayMs: 0, intervalMs: 0 }, s);
    bar.update(5);
    bar.finish();
    expect(bar.enabled).toBe(false);
    expect(s.writes).toEqual([]);
    expect(stderrProgress(undefined, { total: 10 }, s).enabled).toBe(true);
  });
});

// Long enough (hundreds of ms even on a fast machine) that a bar ignoring isTTY would draw.
const LONG_SIMULATE = ['simulate', '--cpus', '4', '--domains', '2', '--workload', 'churn', '--ops', '2000000'];

let dir: string;
let longTrace: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iova-progress-'));
  const lines = ['cpus 4', 'domain 0 4096 1'];
  for (let i = 0; i < 200_000; i++) lines.push(`alloc 0 ${i % 4} 1 0xfffff`, 'tick 1');
  longTrace = join(dir, 'long.trace');
  writeFileSync(longTrace, lines.join('\n') + '\n');
});

describe('progress through the real binary, stderr piped (not a TTY)', () => {
  it('simulate with many ops prints no progress', () => {
    const r = run(LONG_SIMULATE);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(/\r|\] \d+% /);
  });
  it('replay of a long trace prints no progress', () => {
    const r = run(['replay', longTrace]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('ops 400001, values 200000');
  });
  it('compare prints no progress', () => {
    const r = run([
      'compare',
      '--profiles',
      'v6.7,v6.8',
      '--cpus',
      '4',
      '--workload',
      'churn',
      '--ops',
      '600000',
      '--json',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { variants: unknown[] }).variants).toHaveLength(2);
  });
});

// Positive control: under a pseudo-terminal (util-linux `script`) the same runs do draw the bar,
// on stderr only: stdout goes to a file that must stay clean (and parse as JSON).
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function runOnPty(args: string[], stdoutFile: string) {
  const cmd = [process.execPath, BIN, ...args].map(quote).join(' ') + ' > ' + quote(stdoutFile);
  const r = spawnSync('script', ['-qec', cmd, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, IOVA_LAB_PROGRESS_DELAY_MS: '0' },
  });
  return { status: r.status, tty: r.stdout, stdout: readFileSync(stdoutFile, 'utf8') };
}

describe.skipIf(!hasScript)('progress through the real binary, stderr on a pseudo-terminal', () => {
  it('simulate --json: the bar is drawn on the terminal, cleared, and stays out of the JSON', () => {
    const out = join(dir, 'simulate.json');
    const r = runOnPty([...LONG_SIMULATE, '--json'], out);
    expect(r.status).toBe(0);
    expect(r.tty).toMatch(/\r\[[#-]{20}\] \d+% \d+\/2000000 ops/);
    expect(r.tty).toMatch(/\r {20,}\r$/); // the last write blanks the line
    expect(r.stdout).not.toMatch(/\r|\d+\/\d+ ops|\] \d+% /);
    expect((JSON.parse(r.stdout) as { workload: { pairs: number } }).workload.pairs).toBe(2000000);
  });
  it('replay and compare draw it too; --no-progress turns it off', () => {
    // replay streams the file: its progress is the KiB read of the file's size.
    const kib = Math.ceil(statSync(longTrace).size / 1024);
    expect(runOnPty(['replay', longTrace], join(dir, 'replay.txt')).tty).toMatch(
      new RegExp(`\\] \\d+% \\d+/${kib} KiB`),
    );
    const cmp = runOnPty(
      ['compare', '--profiles', 'v6.7,v6.8', '--cpus', '4', '--workload', 'churn', '--ops', '1500000'],
      join(dir, 'cmp.txt'),
    );
    expect(cmp.tty).toMatch(/v6\.\d \([12]\/2\) \[[#-]+\] \d+% /);
    expect(cmp.stdout).toContain('variant');
    expect(runOnPty([...LONG_SIMULATE, '--no-progress'], join(dir, 'quiet.txt')).tty).toBe('');
  });
});
