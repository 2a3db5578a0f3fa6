// The playground: a static page in web/, built into web/dist (any static host can serve it).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  // The page imports the library's sources, so the package's own #wasm-platform import resolves here
  // to its browser host (no node: imports), as the published package's `imports` map does.
  resolve: { alias: { '#wasm-platform': fileURLToPath(new URL('../src/wasm/platform-browser.ts', import.meta.url)) } },
  base: './',
  // The library reaches Node built-ins only behind `await import()` on Node paths; never in the page.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', rollupOptions: { external: [/^node:/] } },
  worker: { format: 'es', rollupOptions: { external: [/^node:/] } },
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
});
