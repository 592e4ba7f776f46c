// End to end: the demo page as `npm start` serves it, clicked through in Chromium, checked
// against what the local DashX backend received. Run with `node --test test/e2e/`.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import net from 'node:net'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
const WAIT_MS = 5000

/** @type {import('node:child_process').ChildProcess} */
let server
let serverOutput = ''
let baseUrl = ''
/** @type {import('playwright').Browser | undefined} */
let browser
/** @type {import('playwright').Page} */
let page
/** @type {string[]} */
const consoleErrors = []

before(
  async () => {
    const port = await freePort()
    baseUrl = `http://127.0.0.1:${port}`
    server = startDemoServer(port)
    await waitFor(() => serverAnswers(), 'the demo server to answer', 20_000)

    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    })
    page = await browser.newPage()
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => consoleErrors.push(String(error)))
  },
  { timeout: 30_000 },
)

after(async () => {
  await browser?.close()
  await stopDemoServer()
})

const JOURNEY = 'a Visitor, a User and a fresh Visitor reach the backend as such'

test(JOURNEY, { timeout: 30_000 }, async () => {
  await fetch(`${baseUrl}/__dashx/received`, { method: 'DELETE' })
  await page.goto(baseUrl)
  const visitorUid = await waitFor(() => shownText('#identity-anonymous-uid'), 'an anonymous uid')

  const visitorTrack = await trackAndReceive('Visitor Event')
  assert.equal(visitorTrack.input.accountAnonymousUid, visitorUid)
  assert.equal(visitorTrack.input.accountUid ?? null, null)
  assert.equal(visitorTrack.tokenUid, null)

  const identify = await identifyAndReceive({ firstName: 'Ada', lastName: 'Lovelace' })
  assert.equal(identify.input.anonymousUid, visitorUid)
  assert.equal(identify.input.firstName, 'Ada')
  assert.equal(identify.input.lastName, 'Lovelace')
  assert.equal(identify.input.email, 'ada@example.com')
  assert.equal(identify.input.uid ?? null, null)

  await logIn('user-42')
  const userTrack = await trackAndReceive('User Event')
  assert.equal(userTrack.input.accountUid, 'user-42')
  assert.equal(userTrack.tokenUid, 'user-42')

  const newVisitorUid = await logOut(visitorUid)
  const afterLogout = await trackAndReceive('After Logout Event')
  assert.equal(afterLogout.input.accountAnonymousUid, newVisitorUid)
  assert.equal(afterLogout.input.accountUid ?? null, null)
  assert.equal(afterLogout.tokenUid, null)

  await assertEachArrivedOnce(['Visitor Event', 'User Event', 'After Logout Event'])
  assert.deepEqual(consoleErrors, [])
})

async function trackAndReceive(event) {
  await page.fill('#track-event', event)
  await page.getByRole('button', { name: 'Track', exact: true }).click()
  return waitForOperation('trackEvent', (input) => input.event === event)
}

async function identifyAndReceive({ firstName, lastName }) {
  await page.fill('#identify-first-name', firstName)
  await page.fill('#identify-last-name', lastName)
  await page.fill('#identify-email', 'ada@example.com')
  await page.getByRole('button', { name: 'Identify', exact: true }).click()
  return waitForOperation('identifyAccount', (input) => input.firstName === firstName)
}

async function logIn(uid) {
  await page.fill('#login-uid', uid)
  await page.getByRole('button', { name: 'Log in', exact: true }).click()
  await waitFor(async () => (await shownText('#identity-kind')) === 'User', 'the User identity')
  assert.equal(await shownText('#identity-uid'), uid)
}

/** Logs out and returns the new anonymous uid the page shows. */
async function logOut(oldAnonymousUid) {
  await page.getByRole('button', { name: 'Log out', exact: true }).click()
  await waitFor(async () => (await shownText('#identity-kind')) === 'Visitor', 'a Visitor again')
  const shown = await shownText('#identity-anonymous-uid')
  assert.ok(shown, 'an anonymous uid is shown after logout')
  assert.notEqual(shown, oldAnonymousUid)
  return shown
}

async function assertEachArrivedOnce(events) {
  // Give a stray retry or second send time to show up before counting.
  await new Promise((resolve) => setTimeout(resolve, 500))
  const { received, duplicates } = await readReceived()

  for (const event of events) {
    const copies = received.filter((entry) => entry.input.event === event)
    assert.equal(copies.length, 1, `${event} arrived ${copies.length} times`)
  }
  assert.equal(duplicates, 0)
  for (const entry of received) {
    assert.equal(entry.publicKey, 'demo-public-key')
    assert.equal(entry.targetEnvironment, 'demo')
  }
}

function waitForOperation(operation, matches) {
  return waitFor(async () => {
    const { received } = await readReceived()
    return received.find((entry) => entry.operation === operation && matches(entry.input))
  }, `${operation} to reach the backend`)
}

async function readReceived() {
  const response = await fetch(`${baseUrl}/__dashx/received`)
  return response.json()
}

async function shownText(selector) {
  return ((await page.textContent(selector)) ?? '').trim()
}

/** Polls until `check` returns something truthy, and returns it. */
async function waitFor(check, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const errors = consoleErrors.length > 0 ? `; page errors: ${consoleErrors.join(' | ')}` : ''
  throw new Error(`Timed out waiting for ${what}${errors}`)
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address())
      probe.close(() => resolve(port))
    })
  })
}

/** Starts the server exactly as the README says, in its own process group. */
function startDemoServer(port) {
  const child = spawn(
    'npm',
    ['start', '--', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    },
  )
  child.stdout?.on('data', (chunk) => {
    serverOutput += chunk
  })
  child.stderr?.on('data', (chunk) => {
    serverOutput += chunk
  })
  return child
}

async function serverAnswers() {
  if (server.exitCode !== null) {
    throw new Error(`npm start exited with ${server.exitCode}:\n${serverOutput}`)
  }
  try {
    const response = await fetch(`${baseUrl}/__dashx/config`)
    return response.ok
  } catch {
    return false
  }
}

/** Stops npm and Vite together: the whole process group the spawn created. */
async function stopDemoServer() {
  if (!server?.pid) return

  const exited = new Promise((resolve) => server.once('exit', resolve))
  if (!signalGroup('SIGTERM')) return
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), 5000)),
  ])
  if (timedOut) signalGroup('SIGKILL')
}

function signalGroup(signal) {
  try {
    process.kill(-(/** @type {number} */ (server.pid)), signal)
    return true
  } catch {
    return false
  }
}
