// The WASM loader from a consumer's side: every load failure is a WasmLoadError naming the file
// or URL (and the HTTP status), a failed load is retried, and the sources a browser uses work.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IovaLab, IovaLabError, preloadWasm, replayTrace, parseTrace, WasmLoadError } from '../../src/index.js';
import { wasmBinary } from '../support/wasm.js';

let origin: string;
let close: () => Promise<void>;
let dir: string;

beforeAll(async () => {
  const server = createServer((req, res) => {
    if (req.url === '/iova_model.wasm') res.writeHead(200, { 'content-type': 'application/wasm' }).end(wasmBinary);
    else res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((ok) => server.close(() => ok()));
  dir = await mkdtemp(join(tmpdir(), 'iova-lab loader '));
});
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

async function loadError(p: Promise<unknown>): Promise<WasmLoadError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(WasmLoadError);
  expect(e).toBeInstanceOf(IovaLabError);
  return e as WasmLoadError;
}

describe('WASM load failures', () => {
  it('a missing file names the path', async () => {
    const path = join(dir, 'no such.wasm');
    const e = await loadError(IovaLab.create({ possibleCpus: 1, wasm: { wasmUrl: path } }));
    expect(e.name).toBe('WasmLoadError');
    expect(e.location).toBe(path);
    expect(e.message).toContain('ENOENT');
  });

  it('an HTTP 404 names the URL and the status', async () => {
    const e = await loadError(preloadWasm({ wasmUrl: `${origin}/gone.wasm` }));
    expect(e.location).toBe(`${origin}/gone.wasm`);
    expect(e.httpStatus).toBe(404);
    expect(e.message).toContain('HTTP 404');
  });

  it('bytes that are not WebAssembly name their source', async () => {
    const path = join(dir, 'bad bytes.wasm');
    await writeFile(path, 'not wasm at all');
    const e = await loadError(preloadWasm({ wasmUrl: pathToFileURL(path) }));
    expect(e.location).toBe(path);
    expect(e.message).toMatch(/not a valid WebAssembly module \(15 bytes\)/);
    await loadError(preloadWasm({ wasmBinary: new Uint8Array([0, 97, 115, 109]) }));
  });

  it('malformed options are named', async () => {
    expect((await loadError(preloadWasm({ wasmBinary: 'abc' as unknown as Uint8Array }))).message).toContain('got abc');
    expect((await loadError(preloadWasm({ wasmUrl: '', locateFile: () => 'x' }))).message).toContain(
      'wasmUrl and locateFile',
    );
    expect((await loadError(preloadWasm({ module: {} as never }))).message).toContain('preloadWasm');
  });

  it('a failed default load is not cached: the next call loads', async () => {
    vi.resetModules();
    const real = await vi.importActual<typeof import('../../src/wasm/platform-node.js')>(
      '../../src/wasm/platform-node.js',
    );
    let calls = 0;
    vi.doMock('#wasm-platform', () => ({
      platform: {
        ...real.platform,
        readDefault: () =>
          ++calls === 1 ? Promise.reject(new WasmLoadError('disk said no', 'default')) : real.platform.readDefault(),
      },
    }));
    const { loadIovaModule } = await import('../../src/wasm/load.js');
    await expect(loadIovaModule()).rejects.toThrow('disk said no');
    const mod = await loadIovaModule();
    expect(typeof mod._iova_lab_create_with_policy).toBe('function');
    expect(await loadIovaModule()).toBe(mod); // and a success is shared
    expect(calls).toBe(2);
    vi.doUnmock('#wasm-platform');
  });
});

describe('WASM glue failures', () => {
  it('a glue that cannot be loaded is a WasmLoadError naming its path, not a bare module error', async () => {
    vi.resetModules();
    vi.doMock('node:module', () => ({
      createRequire: () => () => {
        throw new Error('module not found');
      },
    }));
    const { loadIovaModule } = await import('../../src/wasm/load.js');
    const { WasmLoadError: FreshWasmLoadError } = await import('../../src/errors.js');
    const e = await loadIovaModule({ wasmBinary }).catch((x: unknown) => x);
    vi.doUnmock('node:module');
    expect(e).toBeInstanceOf(FreshWasmLoadError);
    expect((e as WasmLoadError).location).toMatch(/wasm[/\\]iova_model\.cjs$/);
    expect((e as WasmLoadError).message).toContain('cannot load the WASM glue');
    expect((e as WasmLoadError).message).toContain('module not found');
  });
});

describe('WASM sources', () => {
  it('locateFile, a URL, bytes and a preloaded module give the same lab', async () => {
    const located: string[] = [];
    const sources = [
      { locateFile: (f: string) => (located.push(f), `${origin}/${f}`) },
      { wasmUrl: new URL(`${origin}/iova_model.wasm`) },
      { wasmBinary },
      { module: await preloadWasm({ wasmBinary }) },
    ];
    for (const wasm of sources) {
      const lab = await IovaLab.create({ possibleCpus: 128, wasm });
      lab.createDomain();
      expect(lab.snapshot().magazines.total).toBe(128 * 6 * 2);
      lab.dispose();
    }
    expect(located).toEqual(['iova_model.wasm']);
  });

  it('replayTrace takes the same load options', async () => {
    const trace = parseTrace('cpus 2\ndomain 0 4096 1\nalloc 0 0 1 0xfffff\n');
    const r = await replayTrace(trace, 'wasm', undefined, { wasm: { wasmUrl: `${origin}/iova_model.wasm` } });
    expect(r.values.map((v) => v.pfn)).toEqual([0xfffffn]);
    await loadError(replayTrace(trace, 'wasm', undefined, { wasm: { wasmUrl: `${origin}/nope.wasm` } }));
  });
});
