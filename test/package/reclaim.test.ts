// The FinalizationRegistry safety net, in a child Node with --expose-gc: a lab nobody disposed
// releases its engine, a dropped domain is put, and an explicit dispose() is not repeated.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../support/labs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function runChild(engine: string): Promise<string> {
  return new Promise((ok, fail) =>
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', 'test/package/reclaim-child.ts', engine],
      { cwd: ROOT, timeout: 60_000 },
      (err, stdout, stderr) => (err ? fail(new Error(`${err.message}\n${stderr}`)) : ok(stdout)),
    ),
  );
}

describe.each(ENGINES)('garbage-collected labs and domains (%s engine)', (engine) => {
  it('are released once, and only when nobody disposed them', async () => {
    const out = JSON.parse(await runChild(engine));
    expect(out.droppedLabReleased).toBe(1);
    expect(out.disposedLabReleased).toBe(1);
    expect(out.put).toEqual([0]);
    expect(out.liveDomains).toEqual([out.kept]);
  });
});
