// End to end: the demo page as `npm start` serves it, clicked through in Chromium, checked
// against what the local DashX backend received.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { launchChromium } from '../browsers.mjs'
import { openPage, shownText, startDevServer, waitFor } from './helpers.mjs'

/** @type {{ url: string, stop: () => Promise<void> }} */
let server
/** @type {import('playwright').Browser} */
let browser
/** @type {import('playwright').Page} */
let page
/** @type {string[]} */
let pageErrors

before(
  async () => {
    server = await startDevServer()
    browser = await launchChromium()
    ;({ page, errors: pageErrors } = await openPage(browser))
  },
  { timeout: 30_000 },
)

after(async () => {
  await browser?.close()
  await server?.stop()
})

test('a Visitor, a User and a fresh Visitor reach the backend as such', {
  timeout: 30_000,
}, async () => {
  await fetch(`${server.url}/__dashx/received`, { method: 'DELETE' })
  await page.goto(server.url)
  const visitorUid = await waitFor(() => shownText(page, '#identity-anonymous-uid'), 'a Visitor')

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
  assert.equal(
    await page.getAttribute('dashx-session', 'token'),
    null,
    'the token stays out of the DOM',
  )

  const newVisitorUid = await logOut(visitorUid)
  const afterLogout = await trackAndReceive('After Logout Event')
  assert.equal(afterLogout.input.accountAnonymousUid, newVisitorUid)
  assert.equal(afterLogout.input.accountUid ?? null, null)
  assert.equal(afterLogout.tokenUid, null)

  await assertEachArrivedOnce(['Visitor Event', 'User Event', 'After Logout Event'])
  assert.deepEqual(pageErrors, [])
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
  await waitFor(async () => (await shownText(page, '#identity-kind')) === 'User', 'the User')
  assert.equal(await shownText(page, '#identity-uid'), uid)
}

/** Logs out and returns the new anonymous uid the page shows. */
async function logOut(oldAnonymousUid) {
  await page.getByRole('button', { name: 'Log out', exact: true }).click()
  await waitFor(async () => (await shownText(page, '#identity-kind')) === 'Visitor', 'a Visitor')
  const shown = await shownText(page, '#identity-anonymous-uid')
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
  return (await fetch(`${server.url}/__dashx/received`)).json()
}
