// The loader's browser host: the ESM glue bundled with the entry (built for the web, no Node
// code), the .wasm fetched. The default URL sits next to this module, which Vite rewrites to the
// emitted asset; bundlers that do not (esbuild) need wasm.wasmUrl or wasm.locateFile.
import { WasmLoadError } from '../errors.js';
import { fetchWasm } from './fetch.js';
import type { GlueFactory, WasmPlatform, WasmSource } from './platform.js';

export const platform: WasmPlatform = {
  async glue(): Promise<GlueFactory> {
    return (await import('../../wasm/iova_model.web.mjs')).default as unknown as GlueFactory;
  },

  read(location: string): Promise<WasmSource> {
    return fetchWasm(location);
  },

  async readDefault(): Promise<WasmSource> {
    let url: URL;
    try {
      url = new URL('../../wasm/iova_model.wasm', import.meta.url);
    } catch (e) {
      throw new WasmLoadError(
        'this bundle has no default location for iova_model.wasm: pass wasm.wasmUrl or wasm.locateFile',
        'iova_model.wasm', undefined, e,
      );
    }
    try {
      return await fetchWasm(url);
    } catch (e) {
      if (!(e instanceof WasmLoadError)) throw e;
      throw new WasmLoadError(`${e.message} (pass wasm.wasmUrl or wasm.locateFile to say where the file is)`,
        e.location, e.httpStatus, e);
    }
  },
};
