// The loader's Node host: the CommonJS glue through createRequire, the .wasm read from disk.
// Paths go through fileURLToPath, so an install path with spaces or non-ASCII characters works.
import { WasmLoadError } from '../errors.js';
import { fetchWasm } from './fetch.js';
import type { GlueFactory, WasmPlatform, WasmSource } from './platform.js';

const GLUE = new URL('../../wasm/iova_model.cjs', import.meta.url);
const WASM = new URL('../../wasm/iova_model.wasm', import.meta.url);

async function readPath(path: string): Promise<WasmSource> {
  const { readFile } = await import('node:fs/promises');
  try {
    return { bytes: await readFile(path), where: path };
  } catch (e) {
    const code = (e as { code?: string }).code ?? String(e);
    throw new WasmLoadError(`cannot read the WASM engine from ${path}: ${code}`, path, undefined, e);
  }
}

async function toPath(url: URL): Promise<string> {
  const { fileURLToPath } = await import('node:url');
  return fileURLToPath(url);
}

export const platform: WasmPlatform = {
  async glue(): Promise<GlueFactory> {
    let path = GLUE.href;
    try {
      path = await toPath(GLUE);
      const { createRequire } = await import('node:module');
      return createRequire(import.meta.url)(path) as GlueFactory;
    } catch (e) {
      throw new WasmLoadError(
        `cannot load the WASM glue ${path} (the Node build of iova-lab runs only in Node; ` +
          `bundle the package for browsers, which selects its browser entry): ${String(e)}`,
        path, undefined, e,
      );
    }
  },

  async read(location: string): Promise<WasmSource> {
    const url = URL.canParse(location) ? new URL(location) : undefined;
    if (!url) return readPath(location);
    if (url.protocol === 'file:') return readPath(await toPath(url));
    return fetchWasm(url);
  },

  async readDefault(): Promise<WasmSource> {
    return readPath(await toPath(WASM));
  },
};
