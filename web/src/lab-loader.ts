// The one place the playground learns how to load the WASM engine in a browser. Today: the
// committed Emscripten glue (CommonJS, bundled as text and evaluated once) and the .wasm by URL,
// handed to the library's `wasm: { wasmUrl, factory }` option. When the package ships its browser
// entry, this file becomes an import of that entry and nothing else changes.
import type { IovaModuleFactory, LoadOptions } from '../../src/wasm/load.js';
import glueSource from '../../wasm/iova_model.cjs?raw';
import wasmUrl from '../../wasm/iova_model.wasm?url';

let factory: IovaModuleFactory | undefined;

function glueFactory(): IovaModuleFactory {
  if (factory === undefined) {
    // The glue assigns `module.exports` when it sees a CommonJS `module` object.
    const module = { exports: {} as unknown };
    new Function('module', 'exports', glueSource)(module, module.exports);
    factory = module.exports as IovaModuleFactory;
  }
  return factory;
}

export function wasmLoadOptions(): LoadOptions {
  return { wasmUrl: new URL(wasmUrl, self.location.href), factory: glueFactory() };
}
