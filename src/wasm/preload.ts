// The public face of the loader: load once, reuse in many labs.
import { loadIovaModule } from './load.js';
import type { WasmLoadOptions, WasmModule } from './options.js';

/**
 * Instantiates the WASM engine now, so load problems show up early and several labs can share
 * one instance (`wasm: { module }`). Without options it returns the process-wide instance.
 *
 * @throws WasmLoadError when the file or URL cannot be read (naming it and any HTTP status), the
 *   bytes are not WebAssembly, the glue cannot be loaded, or the options are malformed.
 * @example
 * ```ts
 * import { IovaLab, preloadWasm } from 'iova-lab';
 * const module = await preloadWasm();
 * const lab = await IovaLab.create({ possibleCpus: 8, wasm: { module } });
 * lab.dispose();
 * ```
 */
export function preloadWasm(options: WasmLoadOptions = {}): Promise<WasmModule> {
  return loadIovaModule(options);
}
