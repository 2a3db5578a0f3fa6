// The library in a real browser, bundled as a consumer would: esbuild (platform browser) bundles
// a page that imports 'iova-lab' and 'iova-lab/wasm' from the built package, and headless
// Chromium must compute the same numbers as Node, with a load failure as a named error.
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bundlePage, findChromium, IN_CI, pageOutput, serve } from './browser/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const chromium = findChromium();
if (!chromium.path && !IN_CI) console.log(`browser test skipped: ${chromium.reason}`);

describe('browser', () => {
  it.skipIf(!chromium.path && !IN_CI)(
    'bundles with esbuild and runs the WASM engine in Chromium',
    async () => {
      if (!chromium.path) throw new Error(`CI=true needs Chromium: ${chromium.reason}`);
      const dir = await mkdtemp(join(tmpdir(), 'iova-lab browser '));
      try {
        // The repository is the package: 'iova-lab' resolves to itself through its exports.
        await bundlePage(join(ROOT, 'test', 'browser', 'app.js'), dir, ROOT);
        await copyFile(join(ROOT, 'test', 'browser', 'page.html'), join(dir, 'page.html'));
        const server = await serve(dir);
        try {
          const out = await pageOutput(chromium.path, `${server.origin}/page.html`);
          expect(JSON.parse(out)).toEqual({
            domains: 1,
            magazines: 1536,
            pfn: 'fffff',
            cached: 1,
            missing: 'WasmLoadError 404',
          });
        } finally {
          await server.close();
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    90_000,
  );
});
