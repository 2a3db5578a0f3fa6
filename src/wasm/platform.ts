// What the loader needs from its host, implemented once for Node (platform-node.ts) and once for
// browsers (platform-browser.ts). The package's "#wasm-platform" import picks one by condition.
import type { IovaModule } from '../bindings.js';

/** The Emscripten glue's factory: instantiates the module from the bytes we pass. */
export type GlueFactory = (overrides: { wasmBinary: ArrayBuffer | Uint8Array }) => Promise<IovaModule>;

/** Bytes and the place they came from, for error messages. */
export interface WasmSource { bytes: ArrayBuffer | Uint8Array; where: string }

export interface WasmPlatform {
  /** The glue's factory; throws WasmLoadError when the glue cannot be loaded here. */
  glue(): Promise<GlueFactory>;
  /** The .wasm at a URL or path given by the caller. */
  read(location: string): Promise<WasmSource>;
  /** The .wasm shipped with the package. */
  readDefault(): Promise<WasmSource>;
}
