// The one WASM test setup: a private instance of the engine (its own heap and lab table, so a
// test that fills or inspects it disturbs no other), and lab options that run on it.
import { readFileSync } from 'node:fs';
import type { IovaModule } from '../../src/bindings.js';
import { loadIovaModule } from '../../src/wasm/load.js';
import type { WasmLoadOptions } from '../../src/wasm/options.js';

export const wasmBinary = readFileSync(new URL('../../wasm/iova_model.wasm', import.meta.url));

/** A fresh instance of the module, shared with no other test. */
export function privateModule(): Promise<IovaModule> {
  return loadIovaModule({ wasmBinary });
}

/** Lab (and engine) options that run on `mod` through the public `wasm.module` option. */
export function onModule(mod: IovaModule): WasmLoadOptions {
  return { module: mod };
}
