// Identity across reloads and tabs, in Chromium: two pages of one browser
// profile share the device's storage exactly as two tabs do.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { launchChromium } from '../browsers.mjs'
import { openPage, startViteServer } from './helpers.mjs'

/** @type {{ url: string, stop: () => Promise<void> }} */
let server
/** @type {import('playwright').Browser} */
let browser
let origin = ''

before(async () => {
  server = await startViteServer()
  origin = server.url
  browser = await launchChromium()
})

after(async () => {
  await browser?.close()
  await server?.stop()
})

async function backend(path, init) {
  const response = await fetch(`${origin}${path}`, init)
  return response.status === 204 ? null : response.json()
}

async function login(uid, lifetimeSeconds) {
  return backend('/demo/login', { method: 'POST', body: JSON.stringify({ uid, lifetimeSeconds }) })
}

async function open(context) {
  const page = await context.newPage()
  await page.goto(`${origin}/test/reliability/page.html`)
  await page.waitForFunction(() => window.session?.anonymousUid)
  return page
}

async function twoTabs() {
  const { context } = await openPage(browser)
  const first = await open(context)
  const second = await open(context)
  return { context, first, second }
}

const identity = (page) => page.evaluate(() => window.session.identity)

async function until(probe, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

test('a reload keeps the Visitor id', async () => {
  const { context, page } = await openPage(browser)
  await page.goto(`${origin}/test/reliability/page.html`)
  const before = await page.evaluate(() => window.session.anonymousUid)

  await page.reload()
  const after = await page.evaluate(() => window.session.anonymousUid)
  await context.close()

  assert.match(before, /^[A-Za-z0-9_-]{21}$/)
  assert.equal(after, before)
})

test('both tabs are the same Visitor', async () => {
  const { context, first, second } = await twoTabs()

  const ids = [await identity(first), await identity(second)].map((id) => id.anonymousUid)
  await context.close()

  assert.equal(ids[0], ids[1])
})

test('a login in one tab makes the other tab that User', async () => {
  const { context, first, second } = await twoTabs()
  const { token } = await login('tab-user', 600)

  await first.evaluate((token) => window.session.setIdentity('tab-user', token), token)
  const other = await until(async () => {
    const seen = await identity(second)
    return seen.kind === 'user' && seen
  }, 'the second tab to become the User')
  await context.close()

  assert.equal(other.uid, 'tab-user')
})

test('a reset in one tab turns the other into the same new Visitor', async () => {
  const { context, first, second } = await twoTabs()
  const { token } = await login('leaving', 600)
  await first.evaluate((token) => window.session.setIdentity('leaving', token), token)
  await until(async () => (await identity(second)).kind === 'user', 'the second tab to log in')

  await first.evaluate(() => window.session.reset())
  const fresh = await identity(first)
  const other = await until(async () => {
    const seen = await identity(second)
    return seen.anonymousUid === fresh.anonymousUid && seen
  }, 'the second tab to follow')
  await context.close()

  assert.deepEqual(other, { kind: 'visitor', uid: null, anonymousUid: fresh.anonymousUid })
})

test('two tabs sharing a token ask for one refresh between them', async () => {
  const { context, first, second } = await twoTabs()
  const { token } = await login('sharing', 4)
  const count = () =>
    window.session.addEventListener(
      'dashx-token-refresh',
      () => (window.refreshes = (window.refreshes ?? 0) + 1),
    )
  await first.evaluate(count)
  await second.evaluate(count)

  await first.evaluate((token) => window.session.setIdentity('sharing', token), token)
  await until(async () => (await identity(second)).kind === 'user', 'the second tab to log in')
  await new Promise((resolve) => setTimeout(resolve, 2600))
  const refreshes =
    (await first.evaluate(() => window.refreshes ?? 0)) +
    (await second.evaluate(() => window.refreshes ?? 0))
  await context.close()

  assert.equal(refreshes, 1)
})

test('calls held for a pending token go out after a reload, with the new token', async () => {
  await backend('/__dashx/received', { method: 'DELETE' })
  const { context, page } = await openPage(browser)
  await page.goto(`${origin}/test/reliability/page.html`)
  await page.evaluate(() => {
    window.session.userId = 'held-user'
    return window.session.track('Held Across Reload')
  })

  await page.reload()
  const { token } = await login('held-user', 600)
  await page.evaluate((token) => window.session.setIdentity('held-user', token), token)
  const received = await until(async () => {
    const { received } = await backend('/__dashx/received')
    return received.length > 0 && received
  }, 'the held call')
  await context.close()

  assert.equal(received.length, 1)
  assert.equal(received[0].input.event, 'Held Across Reload')
  assert.equal(received[0].tokenUid, 'held-user')
})
