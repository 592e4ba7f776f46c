// One place for how tests and the bench drive Debian's browsers on this kind
// of machine, and for the guard that keeps every page on the local backend.
import { chromium } from 'playwright'

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr'

// No GPU, no QUIC, and none of Chromium's own calls home: the machine has no network but loopback.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS })
}

/**
 * Chromium that can reach loopback only, without intercepting requests:
 * every other address goes through a proxy on a closed loopback port, and
 * fails. Playwright's request routing, the other way to keep pages local,
 * holds each request until the test process answers, and a page that closes
 * meanwhile takes even its keepalive requests with it; delivery scenarios
 * must see the browser do what it does for real pages.
 */
export function launchLoopbackChromium() {
  const args = [...CHROMIUM_ARGS, '--proxy-server=127.0.0.1:9']
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args })
}

/**
 * The element's default endpoint is the real DashX API: a page that forgets
 * base-uri must fail here, not reach out.
 * @param {URL} url
 */
export function isRemote(url) {
  return !['127.0.0.1', 'localhost'].includes(url.hostname)
}
