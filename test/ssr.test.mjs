// Importing the package on a server (Next.js, Astro, SvelteKit render there)
// must throw nothing and touch neither storage nor the network.
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { pathToFileURL } from 'node:url'

import { build } from 'esbuild'

const touched = []
// Inside the project, so the bundle's imports resolve from its node_modules.
mkdirSync('node_modules/.cache', { recursive: true })
const scratch = mkdtempSync(join('node_modules/.cache', 'dashx-ssr-'))

before(() => {
  globalThis.fetch = () => {
    touched.push('fetch')
    throw new Error('no network on the server')
  }
  for (const name of ['localStorage', 'sessionStorage', 'document', 'window']) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        touched.push(name)
        return undefined
      },
    })
  }
})

after(() => rmSync(scratch, { recursive: true, force: true }))

test('the built package imports in Node without a DOM', async () => {
  const module = await import('../dist/lib/index.js')

  assert.equal(typeof module.DashxSessionElement, 'function')
  assert.deepEqual(touched, [])
})

test('the source entry imports in Node without a DOM', async () => {
  const outfile = join(scratch, 'index.mjs')
  await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    packages: 'external',
    outfile,
    absWorkingDir: process.cwd(),
    logLevel: 'silent',
  })

  const module = await import(pathToFileURL(join(process.cwd(), outfile)).href)

  assert.equal(typeof module.defineDashxSession, 'function')
  assert.deepEqual(touched, [])
})
