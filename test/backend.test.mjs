// The local DashX backend (demo/backend.mjs) over real HTTP.
// Run with `node --test test/backend.test.mjs`.
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, describe, test } from 'node:test'

import { jwtVerify } from 'jose'

import {
  createBackend,
  DEMO_PUBLIC_KEY,
  dashxBackendPlugin,
  koaMiddleware,
  startBackendServer,
} from '../demo/backend.mjs'

const SECRET = 'backend-test-secret-with-enough-length'
const TRACK = 'mutation Track($input: TrackEventInput!) { trackEvent(input: $input) { success } }'
const IDENTIFY =
  'mutation Identify($input: IdentifyAccountInput!) { identifyAccount(input: $input) { id } }'
const BATCH = `mutation Batch($i0: TrackEventInput!, $i1: IdentifyAccountInput!) {
  e0: trackEvent(input: $i0) { success }
  e1: identifyAccount(input: $i1) { id }
}`
const HEADERS = { 'x-public-key': DEMO_PUBLIC_KEY, 'x-target-environment': 'test' }
const PAGE_ORIGIN = 'http://127.0.0.1:9'

/** @type {Awaited<ReturnType<typeof startBackendServer>>} */
let server

before(async () => {
  server = await startBackendServer({ secret: SECRET })
})

after(() => server.close())

beforeEach(() => server.backend.clear())

function trackInput(overrides = {}) {
  return {
    event: 'Page Viewed',
    data: { path: '/' },
    accountAnonymousUid: 'anon-1',
    timestamp: '2024-05-01T12:00:00.000Z',
    ...overrides,
  }
}

async function post(path, body, headers = {}) {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  const json = text ? JSON.parse(text) : null
  return { status: response.status, headers: response.headers, json }
}

function graphql(query, variables, headers = HEADERS) {
  return post('/graphql', { query, variables }, headers)
}

async function received() {
  const response = await fetch(`${server.url}/__dashx/received`)
  return response.json()
}

async function login(uid, lifetimeSeconds) {
  const { json } = await post('/demo/login', { uid, lifetimeSeconds })
  return json.token
}

async function sign(body) {
  const { json } = await post('/__dashx/sign', body)
  return json.token
}

describe('POST /graphql', () => {
  test('records a valid track from a Visitor', async () => {
    const { status, json } = await graphql(TRACK, { input: trackInput() })

    assert.equal(status, 200)
    assert.deepEqual(json, { data: { trackEvent: { success: true } } })
    const [entry] = server.backend.received
    assert.equal(server.backend.received.length, 1)
    assert.deepEqual(entry.input, trackInput())
    assert.equal(entry.operation, 'trackEvent')
    assert.equal(entry.alias, 'trackEvent')
    assert.equal(entry.publicKey, DEMO_PUBLIC_KEY)
    assert.equal(entry.targetEnvironment, 'test')
    assert.equal(entry.tokenUid, null)
    assert.equal(entry.duplicate, false)
  })

  test('refuses an unknown input field with 400 and records nothing', async () => {
    const { status, json } = await graphql(IDENTIFY, { input: { anonymousUid: 'a', plan: 'pro' } })

    assert.equal(status, 400)
    assert.match(json.errors[0].message, /"plan" is not defined by type "IdentifyAccountInput"/)
    assert.equal(json.data, undefined)
    assert.equal(server.backend.received.length, 0)
  })

  test('refuses timestamps that are not ISO-8601 and data that is not an object', async () => {
    const badTimestamps = ['2024-05-01', '1714564800000', '2024-02-30T00:00:00Z', 'May 1, 2024']
    for (const timestamp of badTimestamps) {
      const { status } = await graphql(TRACK, { input: trackInput({ timestamp }) })
      assert.equal(status, 400, timestamp)
    }

    const arrayData = await graphql(TRACK, { input: trackInput({ data: [1, 2] }) })
    const stringData = await graphql(TRACK, { input: trackInput({ data: 'text' }) })
    const nullData = await graphql(TRACK, { input: trackInput({ data: null }) })

    assert.equal(arrayData.status, 400)
    assert.equal(stringData.status, 400)
    assert.equal(nullData.status, 200)
    assert.equal(server.backend.received.length, 1)
  })

  test('answers a syntax error or a body that is not JSON with 400', async () => {
    const syntax = await graphql('mutation { trackEvent(', {})
    const notJson = await post('/graphql', '{ nope', HEADERS)
    const noQuery = await post('/graphql', { variables: {} }, HEADERS)

    assert.equal(syntax.status, 400)
    assert.match(syntax.json.errors[0].message, /^Syntax Error/)
    assert.equal(notJson.status, 400)
    assert.equal(noQuery.status, 400)
  })

  test('refuses a missing or wrong public key with 401', async () => {
    const wrong = await graphql(TRACK, { input: trackInput() }, { 'x-public-key': 'other' })
    const missing = await graphql(TRACK, { input: trackInput() }, {})

    for (const { status, json } of [wrong, missing]) {
      assert.equal(status, 401)
      assert.deepEqual(json, { errors: [{ message: 'Invalid public key' }] })
    }
    assert.equal(server.backend.received.length, 0)
  })

  test('refuses bodies over 1 MiB with 413', async () => {
    const data = { blob: 'x'.repeat(1024 * 1024) }

    const { status } = await graphql(TRACK, { input: trackInput({ data }) })

    assert.equal(status, 413)
  })
})

describe('identity tokens', () => {
  test('refuses an expired token with 401 and the exact message', async () => {
    const token = await login('user-1', -5)

    const { status, json } = await graphql(
      TRACK,
      { input: trackInput({ accountUid: 'user-1' }) },
      {
        ...HEADERS,
        'x-identity-token': token,
      },
    )

    assert.equal(status, 401)
    assert.deepEqual(json, {
      errors: [
        { message: 'Incorrect Identity Token: Expired', extensions: { code: 'UNAUTHENTICATED' } },
      ],
    })
    assert.equal(server.backend.received.length, 0)
  })

  test('refuses a bad signature, a malformed token and a wrong kind', async () => {
    const cases = [
      [await sign({ payload: { uid: 'u', kind: 'USER' }, secret: 'other' }), 'Invalid'],
      ['not-a-jwt', 'Invalid'],
      [await sign({ payload: { uid: 'u', kind: 'ADMIN' }, lifetimeSeconds: 60 }), 'Invalid kind'],
    ]

    for (const [token, reason] of cases) {
      const headers = { ...HEADERS, 'x-identity-token': token }
      const { status, json } = await graphql(TRACK, { input: trackInput() }, headers)
      assert.equal(status, 401)
      assert.equal(json.errors[0].message, `Incorrect Identity Token: ${reason}`)
    }
  })

  test('treats a numeric uid in the token as the same string', async () => {
    const token = await sign({ payload: { uid: 42, kind: 'USER' }, lifetimeSeconds: 60 })
    const headers = { ...HEADERS, 'x-identity-token': token }

    const input = trackInput({ accountUid: '42' })

    const { status, json } = await graphql(TRACK, { input }, headers)

    assert.equal(status, 200)
    assert.equal(json.errors, undefined)
    assert.equal(server.backend.received[0].tokenUid, '42')
  })

  test('fails only the alias whose uid differs from the token', async () => {
    const headers = { ...HEADERS, 'x-identity-token': await login('user-1') }
    const variables = {
      i0: trackInput({ accountUid: 'user-1' }),
      i1: { uid: 'user-2', email: 'two@example.com' },
    }

    const { status, json } = await graphql(BATCH, variables, headers)

    assert.equal(status, 200)
    assert.deepEqual(json.data, { e0: { success: true }, e1: null })
    assert.equal(json.errors.length, 1)
    assert.equal(json.errors[0].message, 'Incorrect Identity Token: uid mismatch')
    assert.deepEqual(json.errors[0].path, ['e1'])
    assert.deepEqual(
      server.backend.received.map((entry) => entry.alias),
      ['e0'],
    )
    assert.equal(server.backend.received[0].tokenUid, 'user-1')
  })

  test('refuses a uid sent without a token', async () => {
    const variables = { i0: trackInput({ accountUid: 'user-1' }), i1: { uid: 'user-1' } }

    const { status, json } = await graphql(BATCH, variables)

    assert.equal(status, 200)
    assert.deepEqual(json.data, { e0: null, e1: null })
    const messages = json.errors.map((error) => error.message)
    assert.deepEqual(messages, Array(2).fill('An Identity Token is required to act on a User'))
    assert.equal(server.backend.received.length, 0)
  })

  test('accepts a token on an operation that names no uid', async () => {
    const headers = { ...HEADERS, 'x-identity-token': await login('user-1') }

    const { status, json } = await graphql(TRACK, { input: trackInput() }, headers)

    assert.equal(status, 200)
    assert.equal(json.errors, undefined)
    assert.equal(server.backend.received[0].tokenUid, 'user-1')
  })
})

describe('CORS', () => {
  test('answers a preflight with exactly the allowed headers', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: PAGE_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-public-key, x-custom',
      },
    })

    assert.equal(response.status, 204)
    assert.equal(response.headers.get('access-control-allow-origin'), PAGE_ORIGIN)
    assert.equal(
      response.headers.get('access-control-allow-headers'),
      'content-type, x-public-key, x-target-environment, x-identity-token',
    )
    assert.equal(response.headers.get('access-control-allow-methods'), 'GET, POST, DELETE, OPTIONS')
    assert.equal(response.headers.get('access-control-max-age'), '600')
    assert.equal(response.headers.get('vary'), 'Origin')
  })

  test('echoes the origin on ordinary responses, errors and helper routes', async () => {
    const headers = { ...HEADERS, origin: PAGE_ORIGIN }

    const ok = await graphql(TRACK, { input: trackInput() }, headers)
    const refused = await graphql(TRACK, { input: trackInput() }, { origin: PAGE_ORIGIN })
    const config = await fetch(`${server.url}/__dashx/config`, { headers: { origin: PAGE_ORIGIN } })

    for (const response of [ok, refused, config]) {
      assert.equal(response.headers.get('access-control-allow-origin'), PAGE_ORIGIN)
      assert.equal(response.headers.get('vary'), 'Origin')
    }
  })
})

describe('what the backend keeps', () => {
  test('counts duplicates by content', async () => {
    await graphql(TRACK, { input: trackInput() })
    await graphql(TRACK, { input: trackInput({ data: { path: '/' }, systemContext: undefined }) })
    await graphql(TRACK, { input: trackInput({ timestamp: '2024-05-01T12:00:01.000Z' }) })

    const { received: entries, duplicates } = await received()

    assert.deepEqual(
      entries.map((entry) => entry.duplicate),
      [false, true, false],
    )
    assert.equal(duplicates, 1)
  })

  test('logs each request with its headers', async () => {
    const headers = { ...HEADERS, origin: PAGE_ORIGIN, 'x-extra': '1' }

    await graphql(BATCH, { i0: trackInput(), i1: { anonymousUid: 'anon-1' } }, headers)

    const [entry] = (await received()).requests
    assert.equal(entry.status, 200)
    assert.equal(entry.origin, PAGE_ORIGIN)
    assert.equal(entry.operations, 2)
    assert.ok(entry.bytes > 0)
    assert.equal(entry.headers['x-public-key'], DEMO_PUBLIC_KEY)
    assert.equal(entry.headers['x-identity-token'], null)
    assert.deepEqual(entry.headers.customHeaders.sort(), [
      'x-extra',
      'x-public-key',
      'x-target-environment',
    ])
  })

  test('clears everything on DELETE /__dashx/received', async () => {
    await graphql(TRACK, { input: trackInput() })

    const response = await fetch(`${server.url}/__dashx/received`, { method: 'DELETE' })

    assert.equal(response.status, 204)
    assert.deepEqual(await received(), { received: [], requests: [], duplicates: 0 })
  })

  test('serves its config', async () => {
    const response = await fetch(`${server.url}/__dashx/config`)

    assert.deepEqual(await response.json(), { publicKey: DEMO_PUBLIC_KEY, crossOriginUrl: null })
  })
})

describe('faults', () => {
  test('answers an injected status with Retry-After and does not execute', async () => {
    await post('/__dashx/faults', { status: 503, retryAfter: '2' })

    const faulted = await graphql(TRACK, { input: trackInput() })
    const next = await graphql(TRACK, { input: trackInput() })

    assert.equal(faulted.status, 503)
    assert.equal(faulted.headers.get('retry-after'), '2')
    assert.deepEqual(faulted.json, { errors: [{ message: 'Injected fault' }] })
    assert.equal(next.status, 200)
    assert.equal(server.backend.received.length, 1)
  })

  test('records before answering when the fault delays the answer', async () => {
    await post('/__dashx/faults', [{ delayMs: 400, after: true }])
    let answered = false

    const pending = graphql(TRACK, { input: trackInput() }).then((result) => {
      answered = true
      return result
    })
    while (server.backend.received.length === 0) await new Promise((r) => setTimeout(r, 20))

    assert.equal(answered, false)
    assert.equal((await pending).status, 200)
  })

  test('clears queued faults on DELETE /__dashx/faults', async () => {
    await post('/__dashx/faults', [{ status: 500 }, { status: 500 }])

    await fetch(`${server.url}/__dashx/faults`, { method: 'DELETE' })

    assert.equal((await graphql(TRACK, { input: trackInput() })).status, 200)
  })

  test('refuses a malformed fault', async () => {
    const { status } = await post('/__dashx/faults', { status: 'soon' })

    assert.equal(status, 400)
  })
})

describe('demo token endpoints', () => {
  test('login returns a token that verifies and has kind USER', async () => {
    const { status, json } = await post('/demo/login', { uid: 'user-7', lifetimeSeconds: 60 })

    const key = new TextEncoder().encode(SECRET)
    const { payload, protectedHeader } = await jwtVerify(json.token, key)
    assert.equal(status, 200)
    assert.equal(payload.uid, 'user-7')
    assert.equal(payload.kind, 'USER')
    assert.equal(payload.exp - payload.iat, 60)
    assert.equal(json.expiresAt, payload.exp * 1000)
    assert.equal(protectedHeader.alg, 'HS256')
    assert.equal(protectedHeader.typ, 'JWT')
  })

  test('refresh returns a token with the default lifetime', async () => {
    const { json } = await post('/demo/refresh', { uid: 'user-7' })

    const { payload } = await jwtVerify(json.token, new TextEncoder().encode(SECRET))
    assert.equal(payload.exp - payload.iat, 120)
  })

  test('refuses a login without a usable uid', async () => {
    for (const body of [{}, { uid: '' }, { uid: 7 }]) {
      const { status, json } = await post('/demo/login', body)
      assert.equal(status, 400)
      assert.equal(typeof json.error, 'string')
    }
  })
})

describe('hosts', () => {
  test('koaMiddleware answers backend routes and passes other requests on', async () => {
    const middleware = koaMiddleware(createBackend())
    const seen = []
    const host = http.createServer(async (req, res) => {
      const ctx = { req, res, respond: true }
      await middleware(ctx, async () => {
        seen.push(req.url)
        res.end('next')
      })
    })
    await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve))
    const base = `http://127.0.0.1:${host.address().port}`

    const config = await fetch(`${base}/__dashx/config`)
    const other = await fetch(`${base}/index.html`)

    assert.equal((await config.json()).publicKey, DEMO_PUBLIC_KEY)
    assert.equal(await other.text(), 'next')
    assert.deepEqual(seen, ['/index.html'])
    host.closeAllConnections()
    await new Promise((resolve) => host.close(resolve))
  })

  test('the Vite plugin serves the routes and answers its own preflight', async () => {
    const { createServer } = await import('vite')
    const root = await mkdtemp(join(tmpdir(), 'dashx-vite-'))
    const vite = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [dashxBackendPlugin()],
      optimizeDeps: { noDiscovery: true, include: [] },
      server: { host: '127.0.0.1', port: 0, strictPort: true, hmr: false, watch: null },
    })
    await vite.listen()
    const base = `http://127.0.0.1:${vite.httpServer.address().port}`

    try {
      const config = await fetch(`${base}/__dashx/config`)
      const preflight = await fetch(`${base}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin: PAGE_ORIGIN,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'x-custom',
        },
      })

      assert.equal((await config.json()).publicKey, DEMO_PUBLIC_KEY)
      assert.equal(preflight.status, 204)
      assert.equal(
        preflight.headers.get('access-control-allow-headers'),
        'content-type, x-public-key, x-target-environment, x-identity-token',
      )
    } finally {
      await vite.close()
      await rm(root, { recursive: true, force: true })
    }
  })
})
