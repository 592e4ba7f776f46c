// The built embed on static pages with no bundler: dist/dashx-session.js through a module
// script tag, dist/dashx-session.classic.js through a classic one. Also: a page that loads
// the element more than once (the embed twice, the classic build, the npm build) keeps
// working and throws nothing.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { startDistServer } from '../../demo/serve-dist.mjs'
import { launchChromium } from '../browsers.mjs'
import { openPage, walkThrough } from './helpers.mjs'

/** @type {import('playwright').Browser} */
let browser
/** @type {Awaited<ReturnType<typeof startDistServer>>} */
let server

before(
  async () => {
    ;[browser, server] = await Promise.all([launchChromium(), startDistServer()])
  },
  { timeout: 30_000 },
)

after(async () => {
  await browser?.close()
  await server?.close()
})

test('the ES module embed works on a static page', { timeout: 30_000 }, async () => {
  await onPage('/demo/static/', async (page) => {
    await walkThrough(page, journey('Static Button Clicked'))
  })
})

test('the classic script works on a page without modules', { timeout: 30_000 }, async () => {
  await onPage('/demo/static/classic.html', async (page) => {
    assert.equal(await page.locator('script[type="module"]').count(), 0)
    await walkThrough(page, journey('Classic Button Clicked'))
  })
})

test('loading the embed again and the classic build throws nothing', {
  timeout: 30_000,
}, async () => {
  await onPage('/demo/static/', async (page) => {
    await page.waitForFunction(() => customElements.get('dashx-session'))
    await loadAgain(page, [
      { url: '/dist/dashx-session.js?copy=2', type: 'module' },
      { url: '/dist/dashx-session.classic.js' },
    ])
    await walkThrough(page, journey('Static Button Clicked'))
  })
})

test('the embed next to the npm build (bundled in the React demo) throws nothing', {
  timeout: 30_000,
}, async () => {
  await onPage('/dist/demo/react/', async (page) => {
    await page.waitForFunction(() => customElements.get('dashx-session'))
    await loadAgain(page, [{ url: '/dist/dashx-session.js', type: 'module' }])
    await walkThrough(page, journey('React Button Clicked', 'react-user'))
  })
})

/**
 * Adds each script, then checks that the first definition of the tag still stands.
 * @param {import('playwright').Page} page
 * @param {Array<{ url: string, type?: string }>} scripts
 */
async function loadAgain(page, scripts) {
  await page.evaluate(() => {
    Object.assign(window, { firstDefinition: customElements.get('dashx-session') })
  })
  for (const script of scripts) await page.addScriptTag(script)

  const unchanged = await page.evaluate(
    () => customElements.get('dashx-session') === Reflect.get(window, 'firstDefinition'),
  )
  assert.ok(unchanged, 'the tag keeps its first definition')
}

/** @param {string} event */
function journey(event, user = 'static-user') {
  return { baseUrl: server.url, event, user }
}

/**
 * @param {string} path
 * @param {(page: import('playwright').Page) => Promise<void>} run
 */
async function onPage(path, run) {
  const { context, page, errors } = await openPage(browser)
  try {
    await page.goto(`${server.url}${path}`)
    await run(page)
    assert.deepEqual(errors, [])
  } finally {
    await context.close()
  }
}
