// The library in a real browser: headless Chromium loads dist/ (ESM) and the committed WASM by
// URL from a loopback server, and must compute the same numbers as Node.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.cjs': 'text/javascript', '.wasm': 'application/wasm',
};

let server: Server;
let origin: string;

async function serveFile(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = normalize(join(ROOT, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
  try {
    if (!path.startsWith(ROOT)) throw new Error('outside the repository');
    const body = await readFile(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void serveFile(req, res));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

function dumpDom(url: string): Promise<string> {
  const flags = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--virtual-time-budget=10000', '--dump-dom', url,
  ];
  return new Promise((ok, fail) =>
    execFile('chromium', flags, { timeout: 60_000 }, (err, stdout) => (err ? fail(new Error(`chromium: ${err.message}`, { cause: err })) : ok(stdout))),
  );
}

describe('browser', () => {
  it('runs the WASM engine from a URL with the glue factory', async () => {
    const dom = await dumpDom(`${origin}/test/browser/page.html`);
    const text = /<pre id="out">([^<]*)<\/pre>/.exec(dom)?.[1] ?? dom;
    expect(JSON.parse(text.replaceAll('&quot;', '"'))).toEqual({ magazines: 1536, pfn: 'fffff', cached: 1 });
  }, 90_000);
});
