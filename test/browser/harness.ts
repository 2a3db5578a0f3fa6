// Runs a bundled page in headless Chromium: a loopback server (port 0) for one folder, and the
// page's #out text read through Playwright. Chromium is optional on a developer machine (the test is skipped with a
// printed reason) and required under CI=true. IOVA_LAB_CHROMIUM names the binary, or "none".
import { accessSync, constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, extname, join, normalize, sep } from 'node:path';
import { build } from 'esbuild';
import { chromium as playwrightChromium } from 'playwright-core';

const launchChromium = playwrightChromium.launch.bind(playwrightChromium);

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The Chromium binary, or none with the reason. */
export function findChromium(): { path?: string; reason: string } {
  const forced = process.env.IOVA_LAB_CHROMIUM;
  if (forced === 'none') return { reason: 'IOVA_LAB_CHROMIUM=none' };
  if (forced)
    return executable(forced)
      ? { path: forced, reason: '' }
      : { reason: `IOVA_LAB_CHROMIUM=${forced} is not executable` };
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      if (dir && executable(join(dir, name))) return { path: join(dir, name), reason: '' };
    }
  }
  return { reason: 'no chromium, chromium-browser or google-chrome on PATH' };
}

/** True under CI, where a missing Chromium is a failure rather than a skip. */
export const IN_CI = process.env.CI === 'true';

/** Bundles `entry` for browsers into `outdir` as app.js (the .wasm beside it), resolving packages from `cwd`. */
export async function bundlePage(entry: string, outdir: string, cwd: string): Promise<void> {
  await build({
    entryPoints: { app: entry },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    outdir,
    loader: { '.wasm': 'file' },
    logLevel: 'silent',
    absWorkingDir: cwd,
    tsconfigRaw: {}, // a consumer's view: not the repository's tsconfig paths (which map to src/)
  });
}

export async function serve(root: string): Promise<{ origin: string; close(): Promise<void> }> {
  const base = normalize(root + sep);
  const server: Server = createServer(async (req, res) => {
    const path = normalize(join(base, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    try {
      if (!path.startsWith(base)) throw new Error('outside the served folder');
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** The #out text of the page once it has changed from "pending" (the page writes it when done).
 *  Waits in real time, not Chromium's virtual time, so a loaded machine only makes it slower. */
export async function pageOutput(chromium: string, url: string): Promise<string> {
  const browser = await launchChromium({
    executablePath: chromium,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'pending', null, {
      timeout: 60_000,
    });
    return (await page.textContent('#out')) ?? '';
  } finally {
    await browser.close();
  }
}
