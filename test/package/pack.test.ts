// The package as another tool sees it: packed, installed from the tarball into a folder whose
// path contains a space, then used from plain ESM (the README example), type-checked by strict
// TypeScript consumers (skipLibCheck off), bundled for a browser, and run as a CLI.
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePage, findChromium, IN_CI, pageOutput, serve } from '../browser/harness.js';
import { installConsumer, readmeBlock, ROOT, run, treeBytes } from './consumer.js';

const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const chromium = findChromium();
if (!chromium.path && !IN_CI) console.log(`packed-package browser test skipped: ${chromium.reason}`);

let dir: string;
beforeAll(async () => {
  dir = await installConsumer();
}, 180_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

async function tsProject(name: string, options: object, files: Record<string, string>): Promise<string> {
  const at = join(dir, name);
  await mkdir(at, { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(at, file), text);
  const compilerOptions = { strict: true, skipLibCheck: false, types: [], target: 'ES2022', ...options };
  await writeFile(join(at, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: Object.keys(files) }));
  await run(process.execPath, [TSC, '-p', at], dir);
  return at;
}

// The consumer's own declaration of console: these projects have neither DOM nor @types/node.
const CONSOLE = 'declare const console: { log(...values: unknown[]): void };\n';

describe('the packed package, installed where the path has a space', () => {
  it('runs the README example from plain ESM on Node', async () => {
    expect(dir).toContain(' ');
    await writeFile(join(dir, 'readme.mjs'), await readmeBlock('### Node (plain JavaScript)', 'js'));
    const out = await run(process.execPath, ['readme.mjs'], dir);
    expect(out).toBe('magazines 1536\ncached 1\n');
  });

  it('type-checks a strict NodeNext consumer and runs the README TypeScript example', async () => {
    const at = await tsProject(
      'ts-nodenext',
      {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        lib: ['ES2022', 'ESNext.Disposable'],
        outDir: 'out',
      },
      { 'globals.d.ts': CONSOLE, 'readme.ts': await readmeBlock('### TypeScript', 'ts') },
    );
    await writeFile(join(at, 'package.json'), JSON.stringify({ type: 'module' }));
    expect(await run(process.execPath, [join(at, 'out', 'readme.js')], dir)).toBe('NotAllocatedError\n');
  });

  it('type-checks a strict bundler consumer without the Disposable lib, using the whole surface', async () => {
    const api = [
      "import { IovaLab, preloadWasm, replayTrace, parseTrace, replayResultToJson, type WasmLoadOptions } from 'iova-lab';",
      "import { TimelineRecorder, renderTimelineSvg, type Timeline } from 'iova-lab/timeline';",
      "import pkg from 'iova-lab/package.json';",
      'const wasm: WasmLoadOptions = { locateFile: (f) => `/assets/${f}` };',
      'export async function f(t: Timeline): Promise<string> {',
      "  const lab = await IovaLab.create({ possibleCpus: 2, engine: 'ts', wasm: { module: await preloadWasm() } });",
      '  lab.dispose();',
      "  const r = replayResultToJson(await replayTrace(parseTrace('cpus 1\\n'), 'ts', undefined, { wasm }));",
      '  return `${pkg.version} ${r.values.length} ${typeof TimelineRecorder} ${await renderTimelineSvg(t)}`;',
      '}',
    ].join('\n');
    await tsProject(
      'ts-bundler',
      {
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022'],
        noEmit: true,
        resolveJsonModule: true,
      },
      { 'api.ts': api },
    );
  });

  it('keeps error names through minification and names the missing SVG extra', async () => {
    await writeFile(
      join(dir, 'names.mjs'),
      [
        "import { IovaLab, LabConfigError } from 'iova-lab';",
        "import { renderTimelineSvg } from 'iova-lab/timeline';",
        "const lab = await IovaLab.create({ possibleCpus: 2, engine: 'ts' });",
        "const e1 = (() => { try { lab.injectFailure('disk', 1); } catch (e) { return e.name; } })();",
        "const e2 = new LabConfigError('x', -1).name;",
        'const e3 = await renderTimelineSvg({ intervalMs: 1, series: [] }).catch((e) => `${e.name} ${e.dependency}`);',
        'console.log(e1, e2, e3);',
      ].join('\n'),
    );
    await build({
      entryPoints: [join(dir, 'names.mjs')],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      outfile: join(dir, 'names.min.mjs'),
      external: ['vega', 'vega-lite'],
      logLevel: 'silent',
      tsconfigRaw: {},
    });
    expect(await readFile(join(dir, 'names.min.mjs'), 'utf8')).not.toContain('class InvalidArgumentError');
    expect(await run(process.execPath, ['names.min.mjs'], dir)).toBe(
      'InvalidArgumentError LabConfigError MissingDependencyError vega\n',
    );
  });

  it.skipIf(!chromium.path && !IN_CI)(
    'bundles a browser page with esbuild and runs it in Chromium',
    async () => {
      if (!chromium.path) throw new Error(`CI=true needs Chromium: ${chromium.reason}`);
      const page = join(dir, 'page');
      await mkdir(page, { recursive: true });
      await copyFile(join(ROOT, 'test', 'browser', 'app.js'), join(dir, 'app.js'));
      await copyFile(join(ROOT, 'test', 'browser', 'page.html'), join(page, 'page.html'));
      await bundlePage(join(dir, 'app.js'), page, dir);
      const server = await serve(page);
      try {
        const out = JSON.parse(await pageOutput(chromium.path, `${server.origin}/page.html`));
        expect(out).toEqual({ domains: 1, magazines: 1536, pfn: 'fffff', cached: 1, missing: 'WasmLoadError 404' });
      } finally {
        await server.close();
      }
    },
    90_000,
  );

  it.skipIf(!chromium.path && !IN_CI)(
    'bundles a browser app with Vite (no WASM options) and runs it in Chromium',
    async () => {
      if (!chromium.path) throw new Error(`CI=true needs Chromium: ${chromium.reason}`);
      const app = join(dir, 'vite-app');
      await mkdir(app, { recursive: true });
      await copyFile(join(ROOT, 'test', 'browser', 'vite-main.js'), join(app, 'main.js'));
      await writeFile(
        join(app, 'index.html'),
        '<!doctype html>\n<pre id="out">pending</pre>\n<script type="module" src="./main.js"></script>\n',
      );
      await viteBuild({
        root: app,
        configFile: false,
        logLevel: 'silent',
        build: { target: 'es2022', outDir: join(app, 'dist') },
      });
      const server = await serve(join(app, 'dist'));
      try {
        expect(JSON.parse(await pageOutput(chromium.path, `${server.origin}/index.html`))).toEqual({ magazines: 1536 });
      } finally {
        await server.close();
      }
    },
    90_000,
  );

  it('runs the CLI through npx', async () => {
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await run('npx', ['--no-install', 'iova-lab', '--version'], dir)).toBe(`${version}\n`);
    const seed = await run('npx', ['--no-install', 'iova-lab', 'simulate', '--preset', 'seed'], dir);
    expect(seed).toMatch(/^244224 244224 100% +1\.00K +61056 +4 +244224K iommu_iova_magazine$/m);
  });

  it('installs under 3 MB without the SVG extra', async () => {
    const bytes = await treeBytes(join(dir, 'node_modules'));
    console.log(`consumer node_modules: ${bytes} bytes`);
    expect(bytes).toBeLessThan(3 * 1024 * 1024);
  });
});
