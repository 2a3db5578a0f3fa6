// Types for the Emscripten ES-module glue (written by hand: emcc 3.1.6 cannot emit them). The
// library passes the .wasm bytes itself, so the glue never fetches.
declare function createIovaModule(overrides: { wasmBinary: ArrayBuffer | Uint8Array }): Promise<unknown>;
export default createIovaModule;
