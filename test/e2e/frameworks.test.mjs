// The React 19 and Vue 3 demos, each rendered by its framework with a component that
// dispatches dashx-track and a listener for dashx-identity-change: served from the sources
// by `npm start`, and built against the npm entry (`npm run build:demo`) served as static files.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { startDistServer } from '../../demo/serve-dist.mjs'
import { launchChromium } from '../browsers.mjs'
import { openPage, startDevServer, walkThrough } from './helpers.mjs'

const DEMOS = [
  { name: 'React', path: 'react', event: 'React Button Clicked', user: 'react-user' },
  { name: 'Vue', path: 'vue', event: 'Vue Button Clicked', user: 'vue-user' },
]

/** @type {import('playwright').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof startDevServer>>} */
let devServer
/** @type {Awaited<ReturnType<typeof startDistServer>>} */
let distServer

before(
  async () => {
    ;[browser, devServer, distServer] = await Promise.all([
      launchChromium(),
      startDevServer(),
      startDistServer(),
    ])
  },
  { timeout: 30_000 },
)

after(async () => {
  await browser?.close()
  await Promise.all([devServer?.stop(), distServer?.close()])
})

for (const { name, path, event, user } of DEMOS) {
  describe(`${name} demo`, () => {
    test('from the sources on the dev server', { timeout: 30_000 }, async () => {
      await walk(devServer.url, `/demo/${path}/`, { event, user })
    })

    test('built against the npm entry', { timeout: 30_000 }, async () => {
      await walk(distServer.url, `/dist/demo/${path}/`, { event, user })
    })
  })
}

/** @param {string} baseUrl @param {string} path @param {{ event: string, user: string }} journey */
async function walk(baseUrl, path, journey) {
  const { context, page, errors } = await openPage(browser)
  try {
    await page.goto(`${baseUrl}${path}`)
    await walkThrough(page, { baseUrl, ...journey })
    assert.deepEqual(errors, [])
  } finally {
    await context.close()
  }
}
