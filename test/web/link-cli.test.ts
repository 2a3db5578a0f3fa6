// `--link` / `--link-base` on the real binary, and the playground's "copy CLI command" text run
// through a shell: both must describe the scenario that was run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  scenarioFromHash,
  scenarioToArgs,
  scenarioToCommandLine,
  type PlaygroundScenario,
} from '../../src/share/scenario-link.js';
import { parseTrace } from '../../src/trace/parse.js';
import { writeTrace } from '../../src/trace/write.js';
import { BIN, ROOT, run } from '../support/cli.js';

const LINK_LINE = /^playground: (.*)$/m;

function linkOf(stdout: string): string {
  const m = LINK_LINE.exec(stdout);
  if (!m) throw new Error(`no link in:\n${stdout}`);
  return m[1];
}

const TRACE = 'cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\nfree 0 0 0xfffff 1\ntick 250\n';

describe('--link', () => {
  it('prints the link whose scenario is the command line that was run', () => {
    const args = [
      'simulate',
      '--cpus',
      '4',
      '--domains',
      '2',
      '--workload',
      'churn',
      '--ops',
      '500',
      '--profile',
      'v6.7',
      '--policy',
      'lazy,mag-size=64',
    ];
    const r = run([...args, '--link']);
    expect(r.status, r.stderr).toBe(0);
    const link = linkOf(r.stdout);
    expect(link.startsWith('web/index.html#simulate?')).toBe(true);
    expect(scenarioToArgs(scenarioFromHash(link.slice(link.indexOf('#')))).args).toEqual(args);
    // The report above the link is the report without --link.
    expect(r.stdout.slice(0, r.stdout.indexOf('\nplayground: '))).toBe(run(args).stdout);
  });

  it('carries the DMA options: --domain-type, --irq-cpus and compare --domain-types', () => {
    for (const args of [
      ['simulate', '--workload', 'nvme', '--ops', '300', '--domain-type', 'lazy-single', '--irq-cpus', '2'],
      ['compare', '--workload', 'nic', '--ops', '300', '--irq-cpus', '3', '--domain-types', 'strict,lazy'],
    ]) {
      const r = run([...args, '--link']);
      expect(r.status, r.stderr).toBe(0);
      const link = linkOf(r.stdout);
      expect(scenarioToArgs(scenarioFromHash(link.slice(link.indexOf('#')))).args).toEqual(args);
    }
  });

  it('takes the base from --link-base and puts the link in --json output', () => {
    const r = run([
      'compare',
      '--profiles',
      'v4.7,v6.8',
      '--cpus',
      '4',
      '--json',
      '--link-base',
      'https://example.org/lab/',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).link).toBe('https://example.org/lab/#compare?cpus=4&profiles=v4.7,v6.8');
  });

  it('carries a compare trace inside the link', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'iova-link-')), 't.trace');
    writeFileSync(file, `# a comment\n${TRACE}`);
    const r = run(['compare', '--trace', file, '--link']);
    expect(r.status, r.stderr).toBe(0);
    const s = scenarioFromHash(linkOf(r.stdout).replace(/^[^#]*/, ''));
    expect(s).toEqual({ command: 'compare', trace: writeTrace(parseTrace(TRACE)) });
  });
});

describe('kernel versions in links', () => {
  it("takes any version the CLI takes, in its canonical form, and refuses the others with the CLI's message", () => {
    expect(scenarioFromHash('simulate?profile=5.15').profile).toBe('v5.15');
    expect(scenarioFromHash('compare?profiles=4.19,v6.6.30').profiles).toEqual(['v4.19', 'v6.6.30']);
    for (const [hash, args] of [
      ['simulate?profile=4.6', ['simulate', '--profile', '4.6']],
      ['compare?profiles=5.15,v5.15', ['compare', '--profiles', '5.15,v5.15']],
    ] as const) {
      let message = '';
      try {
        scenarioFromHash(hash);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).not.toBe('');
      const r = run([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(message);
    }
  });
});

describe('copy CLI command', () => {
  // `iova-lab` on PATH is the built binary.
  const bin = mkdtempSync(join(tmpdir(), 'iova-bin-'));
  writeFileSync(
    join(bin, 'iova-lab'),
    `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
    { mode: 0o755 },
  );

  function shell(s: PlaygroundScenario): string {
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    const r = spawnSync('sh', ['-c', scenarioToCommandLine(s)], { cwd: ROOT, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout;
  }

  it("gives the same output as the scenario's argv, with a trace on a here-document", () => {
    const sim: PlaygroundScenario = {
      command: 'simulate',
      cpus: 4,
      policy: ['trim-delay=50'],
      workload: 'burst',
      ops: 300,
    };
    expect(shell(sim)).toBe(run(scenarioToArgs(sim).args).stdout);
    const rep: PlaygroundScenario = { command: 'replay', trace: TRACE, profile: 'v4.7' };
    const { args, stdin } = scenarioToArgs(rep);
    expect(shell(rep)).toBe(run(args, stdin).stdout);
    expect(shell(rep)).toMatch(/kmalloc-2k/);
  });
});
