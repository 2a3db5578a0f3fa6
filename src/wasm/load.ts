// Loads the WASM build of native/. The glue is Emscripten's MODULARIZE output (CommonJS),
// committed under wasm/; the module's typed exports are in src/bindings.ts.
import type { IovaModule } from '../bindings.js';

export type IovaModuleFactory = (overrides: Partial<EmscriptenModule>) => Promise<IovaModule>;

export interface LoadOptions {
  /** The .wasm bytes (Node 20 and browsers); read from the package's wasm/ folder when omitted in Node. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where to fetch the .wasm from (browsers), used when wasmBinary is not given. */
  wasmUrl?: string | URL;
  /** The glue's factory; in a browser pass the bundled `wasm/iova_model.cjs` export. */
  factory?: IovaModuleFactory;
}

const WASM_URL = new URL('../../wasm/iova_model.wasm', import.meta.url);
const GLUE_URL = new URL('../../wasm/iova_model.cjs', import.meta.url);

async function nodeFactory(): Promise<IovaModuleFactory> {
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)(GLUE_URL.pathname) as IovaModuleFactory;
}

async function wasmBytes(options: LoadOptions): Promise<ArrayBuffer | Uint8Array> {
  if (options.wasmBinary) return options.wasmBinary;
  if (options.wasmUrl) return new Uint8Array(await (await fetch(options.wasmUrl)).arrayBuffer());
  const { readFile } = await import('node:fs/promises');
  return readFile(WASM_URL);
}

let shared: Promise<IovaModule> | undefined;

/** Instantiate the module. Without options the instance is shared by every lab in this process. */
export function loadIovaModule(options: LoadOptions = {}): Promise<IovaModule> {
  const custom = options.wasmBinary || options.wasmUrl || options.factory;
  if (!custom && shared) return shared;
  const instance = (async () => {
    const factory = options.factory ?? (await nodeFactory());
    const wasmBinary = await wasmBytes(options);
    return factory({ wasmBinary: wasmBinary as ArrayBuffer });
  })();
  if (!custom) shared = instance;
  return instance;
}
