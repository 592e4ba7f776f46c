// Shared by the end-to-end tests: Chromium with the remote-host guard, the dev server as
// `npm start` runs it, the server of built files, and a walk through a demo page checked
// against what the local DashX backend received.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'

import { createServer } from 'vite'

import { isRemote } from '../browsers.mjs'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const WAIT_MS = 5000

/**
 * A fresh context (so a fresh Visitor) whose page records its errors. The element's default
 * endpoint is the real DashX API: a page that forgets base-uri must fail here, not reach out.
 * @param {import('playwright').Browser} browser
 */
export async function openPage(browser) {
  const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Berlin' })
  await context.route(isRemote, (route) => route.abort('blockedbyclient'))

  const page = await context.newPage()
  /** @type {string[]} */
  const errors = []
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(String(error)))
  return { context, page, errors }
}

/**
 * Walks a demo page: the Visitor tracks, logs in, the User tracks. Each step is checked on
 * the page (the app's dashx-identity-change listener) and on the backend (what arrived).
 * @param {import('playwright').Page} page
 * @param {{ baseUrl: string, event: string, user: string }} journey
 */
export async function walkThrough(page, { baseUrl, event, user }) {
  const anonymousUid = await waitFor(() => shownText(page, '#identity-anonymous-uid'), 'a Visitor')
  assert.equal(await shownText(page, '#identity-kind'), 'Visitor')

  await page.getByRole('button', { name: 'Track', exact: true }).click()
  const asVisitor = await waitForTrack(
    baseUrl,
    event,
    (input) => input.accountAnonymousUid === anonymousUid,
  )
  assert.equal(asVisitor.input.accountUid ?? null, null)
  assert.equal(asVisitor.tokenUid, null)

  await page.getByRole('button', { name: 'Log in', exact: true }).click()
  await waitFor(async () => (await shownText(page, '#identity-kind')) === 'User', 'the User')
  assert.equal(await shownText(page, '#identity-uid'), user)

  await page.getByRole('button', { name: 'Track', exact: true }).click()
  // Other tests log the same User in: this page's calls are the ones with its Visitor id.
  const asUser = await waitForTrack(
    baseUrl,
    event,
    (input) => input.accountUid === user && input.accountAnonymousUid === anonymousUid,
  )
  assert.equal(asUser.tokenUid, user)
  assert.equal(asUser.publicKey, 'demo-public-key')
  assert.equal(asUser.targetEnvironment, 'demo')
}

/**
 * @param {string} baseUrl
 * @param {string} event
 * @param {(input: Record<string, unknown>) => boolean} matches
 */
function waitForTrack(baseUrl, event, matches) {
  return waitFor(async () => {
    const response = await fetch(`${baseUrl}/__dashx/received`)
    const { received } = await response.json()
    return received.find(
      (/** @type {any} */ entry) =>
        entry.operation === 'trackEvent' && entry.input.event === event && matches(entry.input),
    )
  }, `${event} to reach the backend`)
}

/** @param {import('playwright').Page} page @param {string} selector */
export async function shownText(page, selector) {
  return ((await page.textContent(selector)) ?? '').trim()
}

/**
 * Polls until `check` returns something truthy, and returns it.
 * @template T
 * @param {() => Promise<T> | T} check
 * @param {string} what
 */
export async function waitFor(check, what, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`Timed out waiting for ${what}`)
}

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (probe.address())
      probe.close(() => resolve(port))
    })
  })
}

/**
 * Starts `npm start` on 127.0.0.1, as the README says, in its own process group, and waits
 * until it answers. `stop()` ends npm and Vite together.
 */
export async function startDevServer() {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
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
  let output = ''
  child.stdout?.on('data', (chunk) => {
    output += chunk
  })
  child.stderr?.on('data', (chunk) => {
    output += chunk
  })

  const stop = () => stopGroup(child)
  const answers = async () => {
    if (child.exitCode !== null)
      throw new Error(`npm start exited with ${child.exitCode}:\n${output}`)
    return fetch(`${url}/__dashx/config`).then(
      (response) => response.ok,
      () => false,
    )
  }
  try {
    await waitFor(answers, 'the dev server to answer', 20_000)
  } catch (error) {
    await stop()
    throw error
  }
  return { url, stop }
}

/** @param {import('node:child_process').ChildProcess} child */
async function stopGroup(child) {
  if (!child.pid || child.exitCode !== null) return

  const exited = new Promise((resolve) => child.once('exit', resolve))
  if (!signalGroup(child.pid, 'SIGTERM')) return
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise((resolve) => setTimeout(() => resolve(true), 5000)),
  ])
  if (timedOut) signalGroup(child.pid, 'SIGKILL')
}

/** @param {number} pid @param {NodeJS.Signals} signal */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * The same dev server in this process: quicker to start than `npm start`, for tests that
 * need the sources and the local backend, not the README's command.
 */
export async function startViteServer() {
  const server = await createServer({
    configFile: 'vite.config.ts',
    logLevel: 'silent',
    server: { port: 0, host: '127.0.0.1', hmr: false },
  })
  await server.listen()
  const { port } = /** @type {net.AddressInfo} */ (server.httpServer.address())
  return { url: `http://127.0.0.1:${port}`, stop: () => server.close() }
}
