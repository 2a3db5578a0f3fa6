// The package's entry under the "node" condition. The library surface is the same everywhere;
// what differs is the WASM loader's host module, which package.json "imports" (#wasm-platform)
// resolves to the Node one (CommonJS glue, files read from disk) under this condition.
export * from './index.js';
