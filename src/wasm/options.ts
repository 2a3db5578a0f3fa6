// The public ways to say where the WASM engine comes from. Types only: the loader is internal.
// URLs are typed structurally (anything with an href) so the types need neither DOM nor @types/node.

/**
 * A URL string, or an object with an `href` such as a WHATWG `URL`.
 * @example `{ wasmUrl: new URL('./iova_model.wasm', import.meta.url) }`
 */
export type UrlLike = string | { readonly href: string };

/**
 * An instantiated WASM engine, as {@link preloadWasm} returns it. Opaque to callers: pass it back
 * as `wasm.module` so several labs share one instance (one heap), or to surface load errors early.
 *
 * @example
 * ```ts
 * const module = await preloadWasm({ wasmUrl: '/assets/iova_model.wasm' });
 * const lab = await IovaLab.create({ possibleCpus: 8, wasm: { module } });
 * ```
 */
export interface WasmModule {
  /** The module's linear memory, for diagnostics only. */
  readonly HEAPU8: Uint8Array;
}

/**
 * Where the WASM engine's `iova_model.wasm` comes from. Give at most one source; with none, Node
 * reads the file shipped in the package and a browser fetches it next to the bundled entry
 * (Vite) — with esbuild, pass `wasmUrl` (`import wasmUrl from 'iova-lab/wasm'`, `--loader:.wasm=file`).
 * Without options every lab of the process shares one instance; with options each call
 * instantiates its own. A failed load is not cached: the next call tries again.
 *
 * @example
 * ```ts
 * const lab = await IovaLab.create({ possibleCpus: 8, wasm: { locateFile: (f) => `/static/${f}` } });
 * ```
 */
export interface WasmLoadOptions {
  /**
   * The .wasm bytes, already read.
   * @example `{ wasmBinary: await readFile(require.resolve('iova-lab/wasm')) }`
   */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /**
   * A URL (http, https or file) or, in Node, a file path to read the .wasm from.
   * @example `{ wasmUrl: new URL('./iova_model.wasm', import.meta.url) }`
   */
  wasmUrl?: UrlLike;
  /**
   * Maps the file name `iova_model.wasm` to the URL or path to load it from (as sql.js and
   * web-tree-sitter do).
   * @example `{ locateFile: (file) => `https://cdn.example/iova-lab/${file}` }`
   */
  locateFile?: (file: string) => UrlLike;
  /**
   * An instance from {@link preloadWasm}, used as it is.
   * @example `{ module: await preloadWasm() }`
   */
  module?: WasmModule;
}
