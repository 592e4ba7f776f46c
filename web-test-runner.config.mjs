import net from 'node:net'

import { esbuildPlugin } from '@web/dev-server-esbuild'
import { playwrightLauncher } from '@web/test-runner-playwright'
import { puppeteerLauncher } from '@web/test-runner-puppeteer'

import { createBackend, koaMiddleware, startBackendServer } from './demo/backend.mjs'
import { CHROMIUM_ARGS, CHROMIUM_PATH, FIREFOX_PATH, isRemote } from './test/browsers.mjs'

// @web/dev-server-core turns the hostname '127.0.0.1' into listen({ host: undefined }),
// which binds every interface. Keep every server this process starts on loopback.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  const [options] = args
  if (
    options &&
    typeof options === 'object' &&
    !('path' in options) &&
    options.host === undefined
  ) {
    args[0] = { ...options, host: '127.0.0.1' }
  } else if (typeof options === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, '127.0.0.1')
  }
  return listen.apply(this, args)
}

const LOCAL_HOSTS = ['127.0.0.1', 'localhost']

// Puppeteer already points Firefox's own services (updates, telemetry, blocklists) at a dummy
// host. On top of that, every request to another host goes to a proxy on a closed loopback
// port and fails, as context.route() makes it fail in Chromium below.
const FIREFOX_PREFS = {
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1',
  'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1',
  'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': LOCAL_HOSTS.join(', '),
  'network.proxy.allow_hijacking_localhost': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'intl.locale.requested': 'en-US',
  'intl.accept_languages': 'en-US',
}

// A second backend on another port, so the tests can prove the element works
// across origins the way it must against the real API.
const crossOrigin = await startBackendServer({ port: 0 })
const backend = createBackend({ crossOriginUrl: crossOrigin.url })

export default {
  files: ['test/**/*.test.ts'],
  // 'browser' makes nanoid resolve to its browser build; 'development' keeps
  // Lit's dev-mode warnings on in tests.
  nodeResolve: { exportConditions: ['browser', 'development'] },
  hostname: '127.0.0.1',
  rootDir: '.',
  concurrency: 1,
  // The browsers share one local backend and its record of what it received: one at a time.
  concurrentBrowsers: 1,
  middleware: [koaMiddleware(backend)],
  plugins: [
    // The tsconfig must be passed explicitly, or esbuild ignores it.
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: './tsconfig.json' }),
    { name: 'cross-origin-backend', serverStop: () => crossOrigin.close() },
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
      createBrowserContext: async ({ browser }) => {
        const context = await browser.newContext({ locale: 'en-US', timezoneId: 'Europe/Berlin' })
        // The element's default endpoint is the real DashX API: a test that forgets
        // base-uri must fail here, not reach out.
        await context.route(isRemote, (route) => route.abort('blockedbyclient'))
        return context
      },
    }),
    // Playwright drives only its own patched Firefox; Debian's firefox-esr is driven by
    // Puppeteer over WebDriver BiDi instead.
    puppeteerLauncher({
      launchOptions: {
        browser: 'firefox',
        executablePath: FIREFOX_PATH,
        headless: true,
        extraPrefsFirefox: FIREFOX_PREFS,
        // The same time zone as the Chromium context above.
        env: { ...process.env, TZ: 'Europe/Berlin' },
      },
      createPage: async ({ context }) => {
        const page = await context.newPage()
        await page.setRequestInterception(true)
        page.on('request', (request) => {
          if (isRemote(new URL(request.url()))) request.abort('blockedbyclient')
          else request.continue()
        })
        return page
      },
    }),
  ],
  testFramework: { config: { timeout: 10000 } },
}
