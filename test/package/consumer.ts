// A throwaway consumer project of the packed package: `npm pack`, then `npm install` of the
// tarball into a folder whose path contains a space, and helpers to run things inside it.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((ok, fail) =>
    execFile(cmd, args, { cwd, timeout: 180_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      err ? fail(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stdout}\n${stderr}`)) : ok(stdout),
    ),
  );
}

/** Packs the repository (dist/ is already built) and installs the tarball into a new consumer. */
export async function installConsumer(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'iova-lab consumer '));
  const packed = JSON.parse(await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT));
  const tarball = join(dir, (packed as [{ filename: string }])[0].filename);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], dir);
  return dir;
}

/** Bytes of every file under `dir` (what the install puts on disk, before block rounding). */
export async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await treeBytes(p);
    else if (e.isFile()) total += (await stat(p)).size;
  }
  return total;
}

/** The body of the first ```lang block after `heading` in the README. */
export async function readmeBlock(heading: string, lang: string): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README has no "${heading}" section`);
  const block = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(readme.slice(at));
  if (!block) throw new Error(`README "${heading}" has no ${lang} block`);
  return block[1];
}
