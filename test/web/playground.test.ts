// The playground in a real browser: build the page with Vite, serve the static files on a loopback
// port, open links in headless Chromium and read the numbers off the page. The page's text must
// be what the CLI prints for the same scenario. Screenshots go to test-artifacts/playground/.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioFromHash, scenarioToArgs } from '../../src/share/scenario-link.js';
import { findChromium, IN_CI } from '../browser/harness.js';
import { captureFixture, MERGED_SEED_MACHINE } from '../machine/capture-fixture.js';
import { V68_MACHINE } from '../machine/machine-dir.js';
import { ROOT, run } from '../support/cli.js';

/** Found as every browser test finds it (IOVA_LAB_CHROMIUM, else PATH). */
const found = findChromium();
const CHROMIUM = found.path ?? '';
const ARTIFACTS = join(ROOT, 'test-artifacts', 'playground');
const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};

const present = found.path !== undefined;
if (!present) {
  if (IN_CI) throw new Error(`CI=true needs Chromium for the playground browser test: ${found.reason}`);
  console.log(`playground browser test skipped: ${found.reason}`);
}

let out: string;
let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!present) return;
  out = await mkdtemp(join(tmpdir(), 'iova-lab-web-'));
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--outDir', out, '--emptyOutDir'],
    { cwd: ROOT, stdio: 'pipe' },
  );
  server = createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const path = normalize(join(out, rel === '/' ? 'index.html' : rel));
    const served = path.startsWith(out) ? readFile(path) : Promise.reject(new Error('outside the build'));
    served.then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  if (!present) return;
  await browser?.close();
  await new Promise<void>((ok) => server.close(() => ok()));
  await rm(out, { recursive: true, force: true });
});

/** Opens the page at a link hash and waits for the run to finish (or be refused). */
async function open(hash: string, width = 1100): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${origin}/index.html#${hash}`);
  await page.waitForSelector('body[data-state]', { timeout: 90_000 });
  // Nothing but the page's own files: no network after load.
  expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);
  return page;
}

/** What the CLI prints for the same link. */
function cliFor(hash: string): string {
  const { args, stdin } = scenarioToArgs(scenarioFromHash(hash));
  const r = run(args, stdin);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(!present)('playground in headless Chromium', () => {
  it("shows the seed preset: 244,224 iommu_iova_magazine objects, the CLI's own slab view", async () => {
    const hash = 'simulate?preset=seed';
    const page = await open(hash);
    const slab = await page.textContent('#slab-view');
    expect(slab).toMatch(/^ *244224 +244224 +100% +1\.00K .* iommu_iova_magazine$/m);
    const cli = cliFor(hash);
    expect(cli.startsWith(slab!)).toBe(true);
    expect(cli).toContain(await page.textContent('#class-table'));
    expect(cli).toContain(await page.textContent('#totals'));
    expect(await page.locator('#charts svg').count()).toBe(3);
    expect(await page.textContent('#cli')).toBe('iova-lab simulate --preset seed');
    await page.screenshot({ path: join(ARTIFACTS, 'seed.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('shows both rows of a two-profile compare table, as the CLI prints it', async () => {
    const hash = 'compare?cpus=4&domains=2&workload=burst&ops=20000&duration-ms=3000&profiles=v4.7,v6.9';
    const page = await open(hash);
    const table = (await page.textContent('#compare-table'))!;
    expect(table).toMatch(/^v4\.7 +v4\.7 +kmalloc-2k \(2048 B\)/m);
    expect(table).toMatch(/^v6\.9 +v6\.9 +iommu_iova_magazine \(1024 B\)/m);
    expect(table).toBe(cliFor(hash));
    await page.screenshot({ path: join(ARTIFACTS, 'compare.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('runs a DMA workload from the link: lazy domains, 2 IRQ CPUs, the queued-entries chart', async () => {
    const hash = 'simulate?workload=nvme&domain-type=lazy&irq-cpus=2';
    const page = await open(hash);
    const queued = page.locator('#charts svg[aria-label^="queued entries"]');
    expect(await queued.count()).toBe(1);
    expect(await queued.locator('polyline').count()).toBeGreaterThan(0);
    expect(cliFor(hash).startsWith((await page.textContent('#slab-view'))!)).toBe(true);
    expect(await page.inputValue('select[name="domain-type"]')).toBe('lazy');
    expect(await page.inputValue('input[name="irq-cpus"]')).toBe('2');
    expect(await page.textContent('#cli')).toBe('iova-lab simulate --workload nvme --domain-type lazy --irq-cpus 2');
    await page.screenshot({ path: join(ARTIFACTS, 'dma.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('compares the DMA domain types in one table, every type a row, as the CLI prints it', async () => {
    const hash =
      'compare?cpus=8&workload=nvme&ops=4000&duration-ms=500&irq-cpus=2&domain-types=strict,lazy,lazy-single';
    const page = await open(hash);
    expect(await page.locator('#results pre').count()).toBe(1);
    const table = (await page.textContent('#compare-table'))!;
    for (const type of ['strict', 'lazy', 'lazy-single']) {
      // a row in the cost table and one in the DMA counters, in the same block
      expect(table.match(new RegExp(`^v6\\.9 ${type} `, 'gm'))).toHaveLength(2);
    }
    expect(table).toBe(cliFor(hash));
    await page.screenshot({ path: join(ARTIFACTS, 'compare-domain-types.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('compares named and unnamed magazines side by side, as the CLI prints them', async () => {
    const hash = 'compare?cpus=4&workload=churn&ops=2000';
    const page = await open(hash);
    const text = (await page.textContent('#compare-table'))!;
    expect(text).toMatch(/^== named \(iommu_iova_magazine\) == +== unnamed \(kmalloc-1k\) ==$/m);
    expect(text).toBe(cliFor(hash));
    await page.screenshot({ path: join(ARTIFACTS, 'compare-modes.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it("inspects an uploaded capture archive in the worker: the CLI's inspect text, and a link without the files", async () => {
    const fx = captureFixture(MERGED_SEED_MACHINE);
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    await page.goto(`${origin}/index.html#inspect`);
    await page.waitForSelector('body[data-state="waiting"]');
    expect(await page.inputValue('#command')).toBe('inspect');
    expect(await page.getAttribute('input[name="profile"]', 'placeholder')).toBe('from /proc/version');
    // the archive input is reached and chosen from the keyboard
    await page.focus('#capture-archive');
    // Listening turns on Playwright's file-chooser interception, a browser command of its own; the
    // round trip after it makes sure that is on before the key press opens the chooser.
    const chosen = page.waitForEvent('filechooser');
    await page.evaluate(() => 0);
    await page.keyboard.press('Space');
    const chooser = await chosen;
    await chooser.setFiles(fx.archive(true));
    await page.waitForSelector('#inspection', { timeout: 60_000 });
    expect(await page.textContent('#inspection')).toBe(fx.inspect);
    expect(fx.inspect).toContain('merged: iommu_iova_magazine is merged with 1 other cache(s) (nvme_sgl_1k)');
    expect(await page.textContent('#cli')).toBe('tar -xf capture.tar.gz && iova-lab inspect --root iova-lab-capture');
    const derived = page.locator('#derived a');
    expect(await derived.textContent()).toBe('iova-lab simulate --cpus 128 --domains 159 --profile v6.10');
    expect(await page.textContent('#derived')).toContain('The captured files are not in the link');
    await page.screenshot({ path: join(ARTIFACTS, 'inspect.png'), fullPage: true });
    await page.click('#copy-link');
    await page.waitForFunction(() => /copied/.test(document.getElementById('message')!.textContent ?? ''));
    const link = await page.evaluate(() => navigator.clipboard.readText());
    expect(link).toBe(`${origin}/index.html#simulate?cpus=128&domains=159&profile=v6.10`);
    // the link the CLI prints for the same capture
    const cli = run(['inspect', '--root', fx.dir, '--link-base', `${origin}/index.html`]).stdout;
    expect(cli).toBe(`${fx.inspect}\nplayground: ${link}\n`);
    // the derived link reproduces the expected magazines
    await derived.click();
    await page.waitForSelector('#slab-view', { timeout: 60_000 });
    const expected = /expected eager magazines: .* = (\d+) /.exec(fx.inspect)![1];
    expect(await page.textContent('#slab-view')).toMatch(new RegExp(`^ *${expected} +${expected} +100% `, 'm'));
    await context.close();
  }, 120_000);

  it('inspects a chosen capture folder, with the profile override, at phone width', async () => {
    const fx = captureFixture(V68_MACHINE);
    const page = await open('inspect?profile=6.9', 375);
    expect(await page.inputValue('input[name="profile"]')).toBe('6.9');
    await page.setInputFiles('#capture-folder', fx.dir);
    await page.waitForSelector('#inspection', { timeout: 60_000 });
    expect(await page.textContent('#inspection')).toBe(run(['inspect', '--root', fx.dir, '--profile', '6.9']).stdout);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.close();
  }, 120_000);

  it("refuses a value beyond the documented limits with the CLI's message", async () => {
    const page = await open('simulate?cpus=5000');
    const message = await page.textContent('#error');
    expect(message).toBe('--cpus must be at most 4096, got 5000.');
    expect(run(['simulate', '--cpus', '5000']).stderr).toContain(message!);
    await page.close();
  }, 60_000);

  it('turns the form into the link and the command line, from the keyboard', async () => {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    await page.focus('input[name="cpus"]');
    await page.keyboard.type('4');
    await page.selectOption('select[name="workload"]', 'churn');
    await page.fill('input[name="policy"]', 'lazy, mag-size=64');
    await page.focus('input[name="ops"]');
    await page.keyboard.type('5000');
    await page.keyboard.press('Enter');
    await page.waitForSelector('body[data-state="done"]', { timeout: 60_000 });
    const hash = 'simulate?cpus=4&workload=churn&ops=5000&policy=lazy,mag-size=64';
    expect(new URL(page.url()).hash).toBe(`#${hash}`);
    expect(cliFor(hash).startsWith((await page.textContent('#slab-view'))!)).toBe(true);
    await page.click('#copy-cli');
    await page.waitForFunction(() => /copied/.test(document.getElementById('message')!.textContent ?? ''));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      'iova-lab simulate --cpus 4 --workload churn --ops 5000 --policy lazy,mag-size=64',
    );
    await page.click('#copy-link');
    await page.waitForFunction(() => /Link copied/.test(document.getElementById('message')!.textContent ?? ''));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`${origin}/index.html#${hash}`);
    await context.close();
  }, 90_000);

  it('explains a pasted slabtop line from the link', async () => {
    const line = '244412 244239  99%    1.00K  61103        4    244412K iommu_iova_magazine';
    const page = await open(`explain?cpus=128&text=${encodeURIComponent(line)}`);
    expect(await page.textContent('#explanation')).toContain('verdict: consistent with 159 domains');
    expect(await page.inputValue('textarea[name="text"]')).toBe(line);
    await page.close();
  }, 60_000);

  it('cancels a long run from the keyboard and stays usable at phone width', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    await page.goto(`${origin}/index.html#simulate?workload=churn&ops=1000000000`);
    await page.waitForFunction(() => (document.getElementById('progress') as HTMLProgressElement).value > 0, null, {
      timeout: 60_000,
    });
    await page.focus('#cancel');
    await page.keyboard.press('Enter');
    expect(await page.textContent('#progress-label')).toBe('Cancelled');
    expect(await page.locator('#slab-view').count()).toBe(0);
    // No sideways scrolling of the page itself at 375 px.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.close();
  }, 90_000);
});
