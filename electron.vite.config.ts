/**
 * Build of the three parts (DESIGN §1, §9):
 * - main: three entries, `out/main/index.js` (Electron), `out/main/browser.js` (the Node browser
 *   bridge) and `out/main/pdf-worker.js` (the worker thread PDFs are rendered in, started by both). ESM, because package.json says "type": "module" and Electron ≥ 28 loads ESM main files.
 *   Target Node 20: the bridge entry runs on the build machines' Node 20, Electron 45 is newer.
 * - preload: ONE self-contained CommonJS file, `out/preload/index.cjs`. A sandboxed preload cannot
 *   `require` anything but `electron` and a few built-ins, so its imports (the contract, zod) are
 *   bundled in rather than externalized.
 * - renderer: React, root `renderer/`, `renderer/index.html` → `out/renderer/`. Minified: electron-vite
 *   leaves it off by default, and the bundle is loaded on every window start.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      target: 'node20.19',
      outDir: resolve(root, 'out/main'),
      rolldownOptions: {
        input: {
          index: resolve(root, 'main/index.ts'),
          browser: resolve(root, 'main/browser.ts'),
          // the PDF worker thread (main/core/pdf-thread.ts starts it from out/main/pdf-worker.js)
          'pdf-worker': resolve(root, 'main/pdf-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      minify: true,
      cssMinify: true,
      rolldownOptions: { input: resolve(root, 'renderer/index.html') },
    },
  },
});
