// The one place the playground says how the WASM engine loads: the package's browser host (the ESM
// glue, aliased as #wasm-platform in vite.config.ts) fetching the .wasm that Vite emits as an asset.
import type { WasmLoadOptions } from '../../src/wasm/options.js';
import wasmUrl from '../../wasm/iova_model.wasm?url';

export function wasmLoadOptions(): WasmLoadOptions {
  return { wasmUrl: new URL(wasmUrl, self.location.href).href };
}
