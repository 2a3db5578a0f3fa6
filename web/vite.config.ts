// The playground: a static page in web/, built into web/dist (any static host can serve it).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  base: './',
  // The library reaches Node built-ins only behind `await import()` on Node paths; never in the page.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', rollupOptions: { external: [/^node:/] } },
  worker: { format: 'es', rollupOptions: { external: [/^node:/] } },
  server: { host: '127.0.0.1', fs: { allow: [repo] } },
  preview: { host: '127.0.0.1' },
});
