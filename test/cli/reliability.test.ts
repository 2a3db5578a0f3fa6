// The CLI's reliability classes, through the real built binary: work bounded before it starts,
// exact numbers, specs parsed whole, options that would do nothing refused, output paths checked
// before the run, failed writes reported cleanly, `| head` stopping a replay, echoes capped.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyPolicySpec, resolvePolicy } from '../../src/policy.js';
import { ECHO_MAX_CHARS } from '../../src/share/echo.js';
import {
  MAX_DOMAIN_CPUS,
  MAX_TIMELINE_SAMPLES,
  MAX_TRACE_BYTES,
  MAX_TRACE_LINE_CHARS,
  MAX_TRACE_OPS,
} from '../../src/share/limits.js';
import { parseTrace, TraceSyntaxError } from '../../src/trace/parse.js';
import { BIN, ROOT, run } from '../support/cli.js';
import { buildMachine } from '../machine/machine-dir.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iova-reliability-'));
});

/** The first line of stderr (commander prefixes option errors with "error: …"). */
const firstError = (stderr: string): string => stderr.split('\n').at(0) ?? '';

describe('work is bounded before it starts (exit 2, the limit named)', () => {
  it('a timeline over a long run is refused before it runs', () => {
    // 10^9 ms at 1 ms would be 10^9 samples: before the fix this ran without end, growing memory.
    const r = run(['simulate', '--workload', 'churn', '--ops', '10', '--duration-ms', '1000000000', '--timeline', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`limit of ${MAX_TIMELINE_SAMPLES}`);
    expect(r.stdout).toBe('');
  });

  it('a trace whose ticks add up past the timeline limit is refused before it runs', () => {
    const ticks = Array.from({ length: 3 }, () => 'tick 50000').join('\n');
    const file = join(dir, 'ticks.trace');
    writeFileSync(file, `cpus 2\n${ticks}\n`);
    const r = run(['compare', '--trace', file, '--timeline', '1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`limit of ${MAX_TIMELINE_SAMPLES}`);
  });

  it('domains × CPUs past the limit is refused and named', () => {
    const r = run(['simulate', '--domains', '1000000', '--cpus', '4096']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`limit of ${MAX_DOMAIN_CPUS}`);
  });

  it('a limit names its bound', () => {
    const r = run(['simulate', '--cpus', '5000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('at most 4096');
  });

  it('compare --trace refuses a file past MAX_TRACE_BYTES up front; replay streams it', () => {
    const file = join(dir, 'huge.trace');
    writeFileSync(file, 'cpus 2\n');
    truncateSync(file, MAX_TRACE_BYTES + 1); // sparse: no disk or time spent
    const compare = run(['compare', '--trace', file]);
    expect(compare.status).toBe(2);
    expect(compare.stderr).toContain(`limit of ${MAX_TRACE_BYTES} bytes`);
    // replay has no byte limit: it reads on, and the zero bytes after the header are one line
    // refused once it passes the line limit, long before the end of the file.
    const replay = run(['replay', file]);
    expect(replay.status).toBe(2);
    expect(replay.stderr).toContain(`trace line 2: expected a line of at most ${MAX_TRACE_LINE_CHARS} characters`);
  });

  it('a trace parsed whole has at most MAX_TRACE_OPS ops (library parser)', () => {
    const tick = 'tick 0\n';
    expect(() => parseTrace('cpus 1\n' + tick.repeat(MAX_TRACE_OPS + 1))).toThrow(
      new RegExp(`at most ${MAX_TRACE_OPS} ops`),
    );
  });
});

describe('numbers are read exactly or refused', () => {
  it.each([
    ['--ops', '1e3'],
    ['--ops', '1.5'],
    ['--seed', '0x10'],
    ['--ops', '-1'],
    ['--cpus', ' '],
  ])('%s %s is refused', (flag, value) => {
    const r = run(['simulate', '--workload', 'churn', flag, value]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('must be a decimal integer');
  });

  it('a value past 2^53 is echoed as written, not rounded', () => {
    const r = run(['simulate', '--workload', 'churn', '--duration-ms', '9007199254740993']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('got 9007199254740993');
    expect(r.stderr).not.toContain('9007199254740992');
  });

  it('policy numbers past 15 digits are read exactly: refused naming the bound, not rounded into range', () => {
    expect(() => applyPolicySpec(resolvePolicy('v6.9'), 'mag-size=9007199254740993')).toThrow(
      'at most 1023, got "9007199254740993"',
    );
    expect(applyPolicySpec(resolvePolicy('v6.9'), 'mag-size=0000000000000064').magazineSize).toBe(64);
  });
});

describe('every spec is parsed whole, by one parser for the CLI, the trace and the library', () => {
  const bad = ['lazy=banana', 'depot-cap=4=5', 'mag-size=12abc', 'trim-delay=', 'pop=top=scan'];

  it.each(bad)('library: %s', (spec) => {
    expect(() => resolvePolicy('v6.9', [spec])).toThrow(spec.includes('=') ? /policy/ : /./);
  });

  it.each(bad)('trace "policy" line: %s', (spec) => {
    expect(() => parseTrace(`cpus 2\npolicy ${spec}\n`)).toThrow(TraceSyntaxError);
  });

  it.each(bad)('CLI --policy: %s', (spec) => {
    const r = run(['simulate', '--cpus', '2', '--policy', spec]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(spec);
  });

  it('good specs still apply', () => {
    const p = resolvePolicy('v6.9', ['lazy', 'depot-cap=4', 'mag-size=12']);
    expect([p.lazy, p.depotCap, p.magazineSize]).toEqual([true, 4, 12]);
  });
});

describe('options that would do nothing are refused (exit 2)', () => {
  it.each([
    [['simulate', '--duration-ms', '5'], '--duration-ms'],
    [['simulate', '--workload', 'idle', '--ops', '5'], '--ops'],
    [['compare', '--seed', '3'], '--seed'],
    [['simulate', '--workload', 'churn', '--plot-depot', 'per-class'], '--plot-depot'],
    [['simulate', '--format', 'slabinfo', '--json'], '--format'],
    [['compare', '--format', 'slabinfo', '--json'], '--format'],
  ])('%j', (args, flag) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(firstError(r.stderr)).toContain(flag);
  });
});

describe('output paths are checked before the run', () => {
  it('a missing directory, a directory as file: exit 2, nothing printed', () => {
    mkdirSync(join(dir, 'chart.svg'), { recursive: true });
    for (const args of [
      ['--plot', join(dir, 'missing', 'x.svg')],
      ['--plot', join(dir, 'chart.svg')],
      ['--timeline-out', join(dir, 'missing', 'x.csv')],
    ]) {
      const r = run(['simulate', '--workload', 'churn', '--ops', '100', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/does not exist|is a directory/);
    }
  });

  it('import -o into a missing directory is refused before reading', () => {
    const r = run(['import', 'ftrace', '-o', join(dir, 'missing', 'out.trace'), join(dir, 'no-such-recording')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('does not exist');
    expect(r.stderr).not.toContain('no-such-recording');
  });

  it('capture into a path whose parent is a file is refused before copying', () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const r = run(['capture', join(file, 'sub')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('is not a directory');
  });

  it('a capture that fails mid-copy ends with a clean message', () => {
    const root = buildMachine({ possible: '0-1', online: '0-1', version: 'Linux version 6.8.0 (x) #1' });
    const dest = join(dir, 'cap-blocked');
    mkdirSync(dest, { recursive: true });
    writeFileSync(join(dest, 'sys'), 'a file where a directory must go');
    const r = run(['capture', dest, '--root', root]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot capture into ${dest}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a write that fails anyway (full disk) keeps the report and ends with a clean message', () => {
    const full = join(dir, 'full.csv');
    if (!existsSync(full)) symlinkSync('/dev/full', full);
    const r = run(['simulate', '--workload', 'churn', '--ops', '100', '--timeline-out', full]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ENOSPC');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.stdout).toContain('iommu_iova'); // the report was printed first
  });

  it('a full stdout ends with a clean message, no stack trace', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" simulate --cpus 2 > /dev/full`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ENOSPC');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('replay --json | head -1 stops the replay at once', () => {
  it('the ops after the first batch never run', () => {
    // 200k allocations, then a free the engine rejects: a replay that ran to the end would report
    // that last line; one stopped by the closed pipe never reaches it.
    const allocs = 'alloc 0 0 1 0xfffff\n'.repeat(200_000);
    const file = join(dir, 'big.trace');
    writeFileSync(file, `cpus 2\ndomain 0 4096 1\n${allocs}slow-free 0 12345\n`);
    const last = 200_003;
    const whole = run(['replay', file]);
    expect(whole.stderr).toContain(`trace line ${last}`);
    const piped = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BIN}" replay --json "${file}" | head -1; ` + 'echo "status ${PIPESTATUS[0]}" >&2',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    const first = JSON.parse(piped.stdout.trim()) as { line: number; op: string; pfn: string };
    expect([first.line, first.op, first.pfn]).toEqual([3, 'alloc', String(0xfffff)]);
    expect(piped.stderr).not.toContain(`trace line ${last}`);
    expect(piped.stderr).toContain('status 0');
  });
});

describe('errors cap what they echo', () => {
  it('a 1 MB trace line is echoed clipped', () => {
    const file = join(dir, 'long-line.trace');
    writeFileSync(file, `cpus 2\n${'x'.repeat(1 << 20)}\n`);
    const r = run(['replay', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('…');
    expect(r.stderr.length).toBeLessThan(ECHO_MAX_CHARS + 400);
  });

  it('a 100 kB option value (near the OS limit for one argument) is echoed clipped', () => {
    const r = run(['simulate', '--workload', 'y'.repeat(100_000)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('…');
    expect(r.stderr.length).toBeLessThan(ECHO_MAX_CHARS + 400);
  });
});
