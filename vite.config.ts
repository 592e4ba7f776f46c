import { defineConfig } from 'vite'

import { dashxBackendPlugin } from './demo/backend.mjs'

// `npm start` serves index.html (the demo) with the local DashX backend mounted
// on the same server; `npm run build` makes the library bundles.
export default defineConfig({
  plugins: [dashxBackendPlugin()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    lib: {
      entry: 'src/index.ts',
      formats: ['es'],
      fileName: () => 'dashx-session.js',
    },
    rolldownOptions: {
      // Library mode leaves ES output unminified to keep pure annotations;
      // the embed is shipped as is, so minify it fully.
      output: { minify: true },
    },
  },
})
