import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'

import vue from '@vitejs/plugin-vue'
import { defineConfig, mergeConfig, type Plugin, type UserConfig } from 'vite'

import { dashxBackendPlugin } from './demo/backend.mjs'
import { describeSize, measure, readBudget } from './scripts/size.mjs'

const EMBED = 'dashx-session.js'
const CLASSIC = 'dashx-session.classic.js'
const DEPENDENCIES = ['@lit/reactive-element', 'lit', 'nanoid', 'jwt-decode']

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// One config, three builds, picked by --mode:
// - production (`vite build`): the embed, one self-contained file with Lit inside, as an ES
//   module and as a classic script;
// - npm: the package entry, one file per source module, dependencies left as imports;
// - demo: the React and Vue pages, bundled against the built package entry, for the tests.
// `npm start` serves the demos from the sources, with the local backend on the same server.
export default defineConfig(({ mode }) => mergeConfig(shared(mode), buildFor(mode)))

function buildFor(mode: string): UserConfig {
  if (mode === 'npm') return npmBuild()
  if (mode === 'demo') return demoBuild()
  return embedBuild()
}

function shared(mode: string): UserConfig {
  return {
    plugins: [
      dashxBackendPlugin(),
      vue({
        template: {
          compilerOptions: {
            isCustomElement: (tag) => tag === 'dashx-session',
          },
        },
      }),
    ],
    resolve: {
      // Lit's production build even on the dev server: its development build warns in the
      // console on every page, and the demo should show only what the element says.
      conditions: ['module', 'browser', 'production'],
      // The demos import the package by name, as an app would: the sources while developing,
      // the built entry when the demo build checks what ships.
      alias: [
        {
          find: /^dashx-session$/,
          replacement: fromRoot(mode === 'demo' ? './dist/lib/index.js' : './src/index.ts'),
        },
      ],
    },
    server: { host: '127.0.0.1' },
    preview: { host: '127.0.0.1' },
    optimizeDeps: {
      // Found up front, so a first visit to a demo does not make the dev server reload the page.
      include: ['react', 'react/jsx-dev-runtime', 'react-dom/client', 'vue'],
    },
  }
}

function embedBuild(): UserConfig {
  return {
    plugins: [printSizes([`dist/${EMBED}`, `dist/${CLASSIC}`]), copyEarlySnippet()],
    build: {
      target: 'es2022',
      outDir: 'dist',
      // The three builds share dist/: each empties only its own folder, so that one can be
      // rebuilt alone without taking the others' files away.
      emptyOutDir: false,
      lib: {
        entry: 'src/index.ts',
        // The classic script's global: window.DashxSession.DashxSessionElement and friends.
        name: 'DashxSession',
        formats: ['es', 'iife'],
        fileName: (format) => (format === 'es' ? EMBED : CLASSIC),
      },
      rolldownOptions: {
        // Library mode leaves ES output unminified to keep pure annotations;
        // the embed is shipped as is, so minify it fully.
        output: { minify: true },
      },
    },
  }
}

function npmBuild(): UserConfig {
  return {
    build: {
      target: 'es2022',
      outDir: 'dist/lib',
      emptyOutDir: true,
      sourcemap: true,
      lib: {
        entry: {
          index: 'src/index.ts',
          element: 'src/element.ts',
          react: 'src/react.ts',
        },
        formats: ['es'],
      },
      rolldownOptions: {
        external: (id) => DEPENDENCIES.some((name) => id === name || id.startsWith(`${name}/`)),
        // One file per module, unminified: the app's bundler minifies, and keeps what it
        // needs of a package that says it has no side effects.
        output: {
          preserveModules: true,
          preserveModulesRoot: 'src',
          entryFileNames: '[name].js',
        },
      },
    },
  }
}

function demoBuild(): UserConfig {
  return {
    root: fromRoot('./demo'),
    base: '/dist/demo/',
    build: {
      target: 'es2022',
      outDir: fromRoot('./dist/demo'),
      emptyOutDir: true,
      rolldownOptions: {
        input: {
          react: fromRoot('./demo/react/index.html'),
          vue: fromRoot('./demo/vue/index.html'),
        },
      },
    },
  }
}

/**
 * Ships src/dashx-early.js as is: the README's snippet for pages that dispatch request events
 * before the element loads. It is hand-minified to be pasted inline, so no build step touches it.
 */
function copyEarlySnippet(): Plugin {
  return {
    name: 'dashx-copy-early-snippet',
    apply: 'build',
    generateBundle(options) {
      if (options.format !== 'es') return
      const source = readFileSync(fromRoot('./src/dashx-early.js'), 'utf8')
      this.emitFile({ type: 'asset', fileName: 'dashx-early.js', source })
    },
  }
}

/** Prints each bundle's gzip size against its budget in package.json, once it is written. */
function printSizes(files: string[]): Plugin {
  return {
    name: 'dashx-print-sizes',
    apply: 'build',
    // Each output format is written separately; measure the files this one wrote.
    writeBundle(_options, bundle) {
      const budget = readBudget()
      for (const file of files.filter((path) => basename(path) in bundle)) {
        console.log(describeSize(measure(file), budget[file]))
      }
    },
  }
}
