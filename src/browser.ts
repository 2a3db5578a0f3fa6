// The package's entry under the "browser" and "default" conditions: no `node:` import is
// reachable from here. package.json "imports" (#wasm-platform) resolves the WASM loader's host
// to the browser one (ES-module glue, .wasm fetched); pass `wasm.wasmUrl` or `wasm.locateFile`
// when the bundler does not place iova_model.wasm next to the bundle (`import url from 'iova-lab/wasm'`).
export * from './index.js';
