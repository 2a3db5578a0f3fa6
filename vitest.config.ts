import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Tests run the sources: the loader's host module is the Node one (package.json "imports" picks it for dist/).
  resolve: { alias: { '#wasm-platform': fileURLToPath(new URL('./src/wasm/platform-node.ts', import.meta.url)) } },
  test: { include: ['test/**/*.test.ts'], globalSetup: ['test/global-setup.ts'], testTimeout: 60_000 },
});
