/**
 * A local stand-in for the DashX client API, for the demo page and the tests.
 *
 * It accepts what the API contract (dashx-api.md) describes and nothing looser: the schema is
 * the documented one, so graphql-js itself refuses unknown input keys; identity tokens are
 * HS256 JWTs checked with jose; CORS lets through only the documented request headers.
 * Around that it keeps a record of what it accepted, so tests can assert on it, and a queue of
 * injected faults, so reliability tests can make it fail on purpose.
 *
 * One handler serves three hosts: Vite (`npm start`), @web/test-runner (koa) and a bare node
 * server, which the unit tests use as a second origin.
 */
import { randomUUID } from 'node:crypto'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

import {
  buildSchema,
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  valueFromASTUntyped,
} from 'graphql'
import { jwtVerify, SignJWT } from 'jose'

export const DEMO_PUBLIC_KEY = 'demo-public-key'

// Only for this local demo. A real app signs tokens on its own server with the project's
// private key, which never reaches a browser.
const DEMO_SECRET = 'dashx-session-local-demo-secret-never-use-in-production'

const DEFAULT_TOKEN_LIFETIME_SECONDS = 120
const MAX_TOKEN_LIFETIME_SECONDS = 30 * 24 * 60 * 60
const MAX_BODY_BYTES = 1024 * 1024
const MAX_FAULT_DELAY_MS = 120_000

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS'
const ALLOWED_HEADERS = 'content-type, x-public-key, x-target-environment, x-identity-token'
const PREFLIGHT_MAX_AGE_SECONDS = '600'

const SCHEMA_SDL = `
  scalar JSON
  scalar Timestamp

  type Query {
    ping: Boolean
  }

  type Mutation {
    identifyAccount(input: IdentifyAccountInput!): Account
    trackEvent(input: TrackEventInput!): TrackEventResponse
  }

  type Account {
    id: ID!
  }

  type TrackEventResponse {
    success: Boolean!
  }

  input IdentifyAccountInput {
    uid: String
    anonymousUid: String
    email: String
    phone: String
    name: String
    firstName: String
    lastName: String
    targetEnvironment: String
    systemContext: SystemContextInput
  }

  input TrackEventInput {
    event: String!
    data: JSON
    accountUid: String
    accountAnonymousUid: String
    timestamp: Timestamp
    systemContext: SystemContextInput
  }

  input SystemContextInput {
    ipV4: String!
    userAgent: String!
    locale: String!
    timeZone: String!
    screen: SystemContextScreenInput
    library: SystemContextLibraryInput
  }

  input SystemContextScreenInput {
    width: Int!
    height: Int!
    density: Int!
  }

  input SystemContextLibraryInput {
    name: String!
    version: String!
  }
`

// Date and time are required, and so is a zone: a timestamp without one is not a point in time.
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/

/**
 * @typedef {import('node:http').IncomingMessage} Request
 * @typedef {import('node:http').ServerResponse} Response
 * @typedef {{ options: ReturnType<typeof resolveOptions>,
 *   state: ReturnType<typeof createState> }} Env
 * @typedef {(env: Env, req: Request, res: Response) => Promise<void>} RouteHandler
 * @typedef {{ status: number, body?: unknown, headers?: Record<string, string> }} Reply
 * @typedef {{ query: string, variables?: Record<string, unknown> | null,
 *   operationName?: string | null }} GraphqlParams
 * @typedef {{ status?: number, retryAfter?: string, delayMs: number, after: boolean,
 *   body?: unknown, cutBody: boolean }} Fault
 */

class HttpError extends Error {
  /**
   * @param {number} status
   * @param {string} message
   * @param {Record<string, unknown>} [extensions]
   */
  constructor(status, message, extensions) {
    super(message)
    this.status = status
    this.extensions = extensions
  }
}

const schema = buildDashxSchema()

const rootValue = {
  ping: () => true,
  identifyAccount: resolveIdentifyAccount,
  trackEvent: resolveTrackEvent,
}

/** @type {Record<string, Record<string, RouteHandler>>} */
const routes = {
  '/graphql': { POST: postGraphql },
  '/__dashx/faults': { POST: postFaults, DELETE: deleteFaults },
  '/__dashx/received': { GET: getReceived, DELETE: deleteReceived },
  '/__dashx/config': { GET: getConfig },
  '/__dashx/sign': { POST: postSign },
  '/demo/login': { POST: postUserToken },
  '/demo/refresh': { POST: postUserToken },
}

/**
 * Creates a backend: a request handler plus what it has received.
 * @param {{ publicKey?: string, secret?: string, tokenLifetimeSeconds?: number,
 *   crossOriginUrl?: string | null }} [options]
 */
export function createBackend(options = {}) {
  const env = { options: resolveOptions(options), state: createState() }

  return {
    /** @type {(req: Request, res: Response) => Promise<boolean>} */
    handle: (req, res) => handle(env, req, res),
    received: env.state.received,
    requests: env.state.requests,
    get duplicates() {
      return env.state.duplicates
    },
    clear: () => clearState(env.state),
  }
}

/**
 * Mounts a backend in @web/test-runner's koa server.
 * @param {ReturnType<typeof createBackend>} backend
 */
export function koaMiddleware(backend) {
  /**
   * @param {{ req: Request, res: Response, respond?: boolean }} ctx
   * @param {() => Promise<void>} next
   */
  return async (ctx, next) => {
    if (await backend.handle(ctx.req, ctx.res)) {
      // The backend wrote the response itself; koa must not write another.
      ctx.respond = false
      return
    }
    await next()
  }
}

/**
 * A Vite plugin that serves the backend routes from the dev and preview servers.
 * @param {Parameters<typeof createBackend>[0]} [options]
 */
export function dashxBackendPlugin(options) {
  const backend = createBackend(options)
  /** @param {{ middlewares: { use(fn: Function): unknown } }} server */
  const mount = (server) => {
    server.middlewares.use(connectMiddleware(backend))
  }

  return {
    name: 'dashx-backend',
    api: { backend },
    config: leaveCorsToBackend,
    configureServer: mount,
    configurePreviewServer: mount,
  }
}

/**
 * Starts the backend alone on 127.0.0.1, e.g. as a second origin for cross-origin tests.
 * @param {Parameters<typeof createBackend>[0] & { port?: number }} [options]
 */
export async function startBackendServer(options = {}) {
  const { port = 0, ...backendOptions } = options
  const backend = createBackend(backendOptions)
  const server = http.createServer((req, res) => {
    serveOrNotFound(backend, req, res).catch(() => res.destroy())
  })

  await listen(server, port)

  const address = /** @type {import('node:net').AddressInfo} */ (server.address())
  const url = `http://127.0.0.1:${address.port}`
  return { url, origin: url, backend, close: () => closeServer(server) }
}

function buildDashxSchema() {
  const built = buildSchema(SCHEMA_SDL)

  // buildSchema makes custom scalars accept anything; the real API is stricter.
  Object.assign(built.getType('JSON') ?? {}, {
    serialize: (/** @type {unknown} */ value) => value,
    parseValue: toJsonObject,
    parseLiteral: (/** @type {any} */ ast, /** @type {any} */ variables) =>
      toJsonObject(valueFromASTUntyped(ast, variables)),
  })
  Object.assign(built.getType('Timestamp') ?? {}, {
    serialize: (/** @type {unknown} */ value) => value,
    parseValue: toTimestamp,
    parseLiteral: (/** @type {any} */ ast) =>
      toTimestamp(ast.kind === Kind.STRING ? ast.value : null),
  })
  return built
}

/** @param {unknown} value */
function toJsonObject(value) {
  if (isObject(value)) return value
  throw new GraphQLError('JSON must be an object')
}

/** @param {unknown} value */
function toTimestamp(value) {
  if (typeof value === 'string' && isIsoDateTime(value)) return value
  throw new GraphQLError(
    'Timestamp must be an ISO-8601 date-time with a zone, e.g. ' + '2024-05-01T12:00:00.000Z',
  )
}

/** @param {string} value */
function isIsoDateTime(value) {
  const match = ISO_DATE_TIME.exec(value)
  if (!match) return false

  const [year, month, day, hour, minute, second, zoneHour, zoneMinute] = match
    .slice(1)
    .map((part) => Number(part ?? 0))
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    zoneHour <= 23 &&
    zoneMinute <= 59
  )
}

/** @param {Parameters<typeof createBackend>[0]} options */
function resolveOptions({
  publicKey = DEMO_PUBLIC_KEY,
  secret = DEMO_SECRET,
  tokenLifetimeSeconds = DEFAULT_TOKEN_LIFETIME_SECONDS,
  crossOriginUrl = null,
} = {}) {
  return { publicKey, key: encodeSecret(secret), tokenLifetimeSeconds, crossOriginUrl }
}

function createState() {
  return {
    /** @type {object[]} */
    received: [],
    /** @type {Array<Record<string, any>>} */
    requests: [],
    /** @type {Fault[]} */
    faults: [],
    /** @type {Set<string>} */
    seen: new Set(),
    duplicates: 0,
    nextRequestId: 1,
  }
}

/** @param {ReturnType<typeof createState>} state */
function clearState(state) {
  // Emptied in place: callers may hold the arrays (backend.received).
  state.received.length = 0
  state.requests.length = 0
  state.faults.length = 0
  state.seen.clear()
  state.duplicates = 0
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function handle(env, req, res) {
  const path = (req.url ?? '/').split('?')[0]
  if (!Object.hasOwn(routes, path)) return false

  try {
    await dispatch(env, routes[path], req, res)
  } catch (error) {
    sendError(req, res, error, path === '/graphql')
  }
  return true
}

/**
 * @param {Env} env
 * @param {Record<string, RouteHandler>} route
 * @param {Request} req
 * @param {Response} res
 */
async function dispatch(env, route, req, res) {
  const method = req.method ?? ''
  if (method === 'OPTIONS') return sendPreflight(req, res)
  if (!Object.hasOwn(route, method)) {
    throw new HttpError(405, `Method not allowed; use ${Object.keys(route).join(' or ')}`)
  }
  return route[method](env, req, res)
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function postGraphql(env, req, res) {
  const entry = logRequest(env.state, req)
  const { body, size } = await readBody(req)
  entry.bytes = size

  const fault = env.state.faults.shift()
  const reply = await withFault(fault, () => answerGraphql(env, req, body, entry))

  entry.status = reply.status
  // The connection drops halfway through the answer's body, after the status line went out.
  if (fault?.cutBody) return sendCut(req, res, reply)
  send(req, res, reply.status, reply.body, reply.headers)
}

/**
 * Applies the next injected fault around the real answer, if one is queued.
 * @param {Fault | undefined} fault
 * @param {() => Promise<Reply>} answer
 * @returns {Promise<Reply>}
 */
async function withFault(fault, answer) {
  if (!fault) return answer()

  // `after` models a server that stored the request but answered late.
  const lateAnswer = fault.after && fault.status === undefined
  if (!lateAnswer) await sleep(fault.delayMs, undefined, { ref: false })
  if (fault.status !== undefined) return injectedReply(fault)

  const reply = await answer()
  if (lateAnswer) await sleep(fault.delayMs, undefined, { ref: false })
  return reply
}

/** @param {Fault} fault @returns {Reply} */
function injectedReply({ status = 500, retryAfter, body }) {
  /** @type {Record<string, string>} */
  const headers = retryAfter === undefined ? {} : { 'Retry-After': retryAfter }
  const content = body === undefined ? { errors: [{ message: 'Injected fault' }] } : body
  const hasBody = status !== 204 && status !== 205 && status !== 304
  return { status, body: hasBody ? content : undefined, headers }
}

/**
 * Checks the request as the real API would, then runs the GraphQL document.
 * @param {Env} env
 * @param {Request} req
 * @param {Buffer | null} body
 * @param {Record<string, any>} entry
 * @returns {Promise<Reply>}
 */
async function answerGraphql(env, req, body, entry) {
  try {
    checkTransport(env.options, req, body)
    const params = parseParams(/** @type {Buffer} */ (body))
    const tokenUid = await verifyIdentityToken(env.options.key, req.headers['x-identity-token'])
    const context = graphqlContext(env.state, req, tokenUid, entry.requestId)
    return await runGraphql(params, context, entry)
  } catch (error) {
    if (error instanceof HttpError) return graphqlFailure(error)
    throw error
  }
}

/**
 * @param {ReturnType<typeof resolveOptions>} options
 * @param {Request} req
 * @param {Buffer | null} body
 */
function checkTransport(options, req, body) {
  if (body === null) throw new HttpError(413, 'Request body is larger than 1 MiB')
  if (req.headers['x-public-key'] !== options.publicKey) {
    throw new HttpError(401, 'Invalid public key')
  }
  if (!/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? '')) {
    throw new HttpError(415, 'Content-Type must be application/json')
  }
}

/** @param {Buffer} body @returns {GraphqlParams} */
function parseParams(body) {
  const params = parseJson(body, 'Body must be JSON')
  if (!isObject(params)) throw new HttpError(400, 'Body must be a JSON object')
  if (typeof params.query !== 'string') throw new HttpError(400, 'Body needs a "query" string')
  if (params.variables != null && !isObject(params.variables)) {
    throw new HttpError(400, '"variables" must be an object')
  }
  if (params.operationName != null && typeof params.operationName !== 'string') {
    throw new HttpError(400, '"operationName" must be a string')
  }
  return /** @type {GraphqlParams} */ (params)
}

/**
 * Verifies an identity token; returns its uid as a string, or null when none was sent.
 * @param {Uint8Array} key
 * @param {string | string[] | undefined} token
 */
async function verifyIdentityToken(key, token) {
  if (token === undefined) return null

  const payload = await verifyJwt(key, String(token))
  if (payload.kind !== 'USER') throw tokenError('Invalid kind')
  if (!isUid(payload.uid)) throw tokenError('Invalid')

  // Some backends put a number in `uid`; the API compares it as a string.
  return String(payload.uid)
}

/** @param {Uint8Array} key @param {string} token */
async function verifyJwt(key, token) {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] })
    return payload
  } catch (error) {
    const expired = /** @type {{ code?: string }} */ (error).code === 'ERR_JWT_EXPIRED'
    throw tokenError(expired ? 'Expired' : 'Invalid')
  }
}

/** @param {string} reason */
function tokenError(reason) {
  return new HttpError(401, `Incorrect Identity Token: ${reason}`, { code: 'UNAUTHENTICATED' })
}

/** @param {unknown} uid */
function isUid(uid) {
  if (typeof uid === 'number') return Number.isFinite(uid)
  return typeof uid === 'string' && uid !== ''
}

/**
 * @param {ReturnType<typeof createState>} state
 * @param {Request} req
 * @param {string | null} tokenUid
 * @param {number} requestId
 */
function graphqlContext(state, req, tokenUid, requestId) {
  return {
    state,
    publicKey: String(req.headers['x-public-key']),
    targetEnvironment: headerValue(req, 'x-target-environment'),
    tokenUid,
    requestId,
  }
}

/**
 * @param {GraphqlParams} params
 * @param {ReturnType<typeof graphqlContext>} context
 * @param {Record<string, any>} entry
 * @returns {Promise<Reply>}
 */
async function runGraphql(params, context, entry) {
  const parsed = parseDocument(params.query)
  if (!parsed.document) return { status: 400, body: { errors: parsed.errors } }

  entry.operations = countOperations(parsed.document, params.operationName)
  const errors = validate(schema, parsed.document)
  if (errors.length > 0) return { status: 400, body: { errors } }

  const result = await execute({
    schema,
    document: parsed.document,
    rootValue,
    contextValue: context,
    variableValues: params.variables,
    operationName: params.operationName,
  })
  // Without `data` the request never ran (bad variables, ambiguous operation): a client error.
  return { status: 'data' in result ? 200 : 400, body: result }
}

/** @param {string} query */
function parseDocument(query) {
  try {
    return { document: parse(query), errors: [] }
  } catch (error) {
    return { document: null, errors: [error] }
  }
}

/**
 * @param {import('graphql').DocumentNode} document
 * @param {string | null | undefined} operationName
 */
function countOperations(document, operationName) {
  const operation = document.definitions.find(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (operationName == null || definition.name?.value === operationName),
  )
  if (operation?.kind !== Kind.OPERATION_DEFINITION) return 0
  return operation.selectionSet.selections.length
}

/**
 * @param {{ input: Record<string, any> }} args
 * @param {ReturnType<typeof graphqlContext>} context
 * @param {import('graphql').GraphQLResolveInfo} info
 */
function resolveIdentifyAccount({ input }, context, info) {
  checkUid(context.tokenUid, input.uid)
  record(context, 'identifyAccount', String(info.path.key), input)
  return { id: randomUUID() }
}

/**
 * @param {{ input: Record<string, any> }} args
 * @param {ReturnType<typeof graphqlContext>} context
 * @param {import('graphql').GraphQLResolveInfo} info
 */
function resolveTrackEvent({ input }, context, info) {
  checkUid(context.tokenUid, input.accountUid)
  record(context, 'trackEvent', String(info.path.key), input)
  return { success: true }
}

/**
 * Acting on a User needs that User's token; a token alone (on Visitor data) is fine.
 * @param {string | null} tokenUid
 * @param {string | null | undefined} uid
 */
function checkUid(tokenUid, uid) {
  if (uid == null) return
  if (tokenUid === null) throw new GraphQLError('An Identity Token is required to act on a User')
  if (tokenUid !== uid) throw new GraphQLError('Incorrect Identity Token: uid mismatch')
}

/**
 * @param {ReturnType<typeof graphqlContext>} context
 * @param {'identifyAccount' | 'trackEvent'} operation
 * @param {string} alias
 * @param {Record<string, any>} input
 */
function record(context, operation, alias, input) {
  const { state } = context
  // graphql-js builds inputs on null prototypes; store plain objects that compare and print well.
  const plainInput = JSON.parse(JSON.stringify(input))

  const key = duplicateKey(operation, plainInput)
  const duplicate = state.seen.has(key)
  if (duplicate) state.duplicates += 1
  state.seen.add(key)

  state.received.push({
    operation,
    alias,
    input: plainInput,
    publicKey: context.publicKey,
    targetEnvironment: context.targetEnvironment,
    tokenUid: context.tokenUid,
    requestId: context.requestId,
    receivedAt: Date.now(),
    duplicate,
  })
}

/**
 * Same content means the same event or profile update sent twice (e.g. a retry that already
 * landed); systemContext is left out because it describes the sender, not the data.
 * @param {string} operation
 * @param {Record<string, any>} input
 */
function duplicateKey(operation, input) {
  if (operation === 'trackEvent') {
    const { accountUid, accountAnonymousUid, event, timestamp, data } = input
    const fields = [accountUid, accountAnonymousUid, event, timestamp, data]
    return stableJson([operation, ...fields.map((field) => field ?? null)])
  }

  const traits = { ...input }
  delete traits.systemContext
  return stableJson([operation, traits])
}

/** @param {unknown} value */
function stableJson(value) {
  return JSON.stringify(sortKeys(value))
}

/** @param {unknown} value @returns {unknown} */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (!isObject(value)) return value

  const keys = Object.keys(value).sort()
  return Object.fromEntries(keys.map((key) => [key, sortKeys(value[key])]))
}

/** @param {ReturnType<typeof createState>} state @param {Request} req */
function logRequest(state, req) {
  const entry = {
    requestId: state.nextRequestId++,
    at: Date.now(),
    status: /** @type {number | null} */ (null),
    origin: headerValue(req, 'origin'),
    headers: {
      'content-type': headerValue(req, 'content-type'),
      'x-public-key': headerValue(req, 'x-public-key'),
      'x-target-environment': headerValue(req, 'x-target-environment'),
      'x-identity-token': headerValue(req, 'x-identity-token'),
      customHeaders: Object.keys(req.headers).filter((name) => name.startsWith('x-')),
    },
    operations: 0,
    bytes: 0,
  }
  state.requests.push(entry)
  return entry
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function postFaults(env, req, res) {
  const value = await readJson(req)
  const faults = (Array.isArray(value) ? value : [value]).map(toFault)

  env.state.faults.push(...faults)
  send(req, res, 200, { pending: env.state.faults.length })
}

/** @param {unknown} value @returns {Fault} */
function toFault(value) {
  if (!isObject(value)) throw new HttpError(400, 'A fault must be an object')

  const { status, retryAfter, delayMs = 0, after = false, body, cutBody = false } = value
  if (status !== undefined && !(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw new HttpError(400, '"status" must be an integer from 200 to 599')
  }
  if (retryAfter !== undefined && !['string', 'number'].includes(typeof retryAfter)) {
    throw new HttpError(400, '"retryAfter" must be a string')
  }
  if (!(typeof delayMs === 'number' && delayMs >= 0 && delayMs <= MAX_FAULT_DELAY_MS)) {
    throw new HttpError(400, `"delayMs" must be a number from 0 to ${MAX_FAULT_DELAY_MS}`)
  }
  if (typeof after !== 'boolean') throw new HttpError(400, '"after" must be a boolean')
  if (typeof cutBody !== 'boolean') throw new HttpError(400, '"cutBody" must be a boolean')

  return {
    status: /** @type {number | undefined} */ (status),
    retryAfter: retryAfter === undefined ? undefined : String(retryAfter),
    delayMs,
    after,
    body,
    cutBody,
  }
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function deleteFaults(env, req, res) {
  env.state.faults.length = 0
  send(req, res, 204)
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function getReceived(env, req, res) {
  const { received, requests, duplicates } = env.state
  send(req, res, 200, { received, requests, duplicates })
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function deleteReceived(env, req, res) {
  clearState(env.state)
  send(req, res, 204)
}

/** @param {Env} env @param {Request} req @param {Response} res */
async function getConfig(env, req, res) {
  const { publicKey, crossOriginUrl } = env.options
  send(req, res, 200, { publicKey, crossOriginUrl })
}

/**
 * The demo app's login and refresh endpoints: both mint a User token for the given uid.
 * @param {Env} env
 * @param {Request} req
 * @param {Response} res
 */
async function postUserToken(env, req, res) {
  const { uid, lifetimeSeconds } = await readJsonObject(req)
  if (typeof uid !== 'string' || uid === '') {
    throw new HttpError(400, '"uid" must be a non-empty string')
  }

  const lifetime = toLifetime(lifetimeSeconds ?? env.options.tokenLifetimeSeconds)
  const iat = nowSeconds()
  const exp = iat + lifetime
  const token = await new SignJWT({ uid, kind: 'USER' })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(env.options.key)

  send(req, res, 200, { uid, token, expiresAt: exp * 1000 })
}

/**
 * Signs any payload, for tests that need odd tokens (numeric uid, wrong kind, other secret).
 * @param {Env} env
 * @param {Request} req
 * @param {Response} res
 */
async function postSign(env, req, res) {
  const { payload, lifetimeSeconds, secret, header = {} } = await readJsonObject(req)
  if (!isObject(payload)) throw new HttpError(400, '"payload" must be an object')
  if (!isObject(header)) throw new HttpError(400, '"header" must be an object')
  if (secret !== undefined && typeof secret !== 'string') {
    throw new HttpError(400, '"secret" must be a string')
  }

  const claims = { ...payload }
  if (claims.exp === undefined && lifetimeSeconds !== undefined) {
    claims.exp = nowSeconds() + toLifetime(lifetimeSeconds)
  }
  const key = secret === undefined ? env.options.key : encodeSecret(secret)

  send(req, res, 200, { token: await signClaims(claims, header, key) })
}

/**
 * @param {Record<string, unknown>} claims
 * @param {Record<string, unknown>} header
 * @param {Uint8Array} key
 */
async function signClaims(claims, header, key) {
  try {
    return await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
      .sign(key)
  } catch (error) {
    throw new HttpError(400, `Cannot sign: ${/** @type {Error} */ (error).message}`)
  }
}

/** @param {unknown} value */
function toLifetime(value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new HttpError(400, '"lifetimeSeconds" must be a number')
  }
  // Negative lifetimes are allowed on purpose: tests need tokens that are already expired.
  const capped = Math.max(-MAX_TOKEN_LIFETIME_SECONDS, Math.min(MAX_TOKEN_LIFETIME_SECONDS, value))
  return Math.round(capped)
}

/** @param {Request} req @param {Response} res */
function sendPreflight(req, res) {
  send(req, res, 204, undefined, {
    'Access-Control-Allow-Methods': ALLOWED_METHODS,
    'Access-Control-Allow-Headers': ALLOWED_HEADERS,
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
  })
}

/** @param {HttpError} error @returns {Reply} */
function graphqlFailure({ status, message, extensions }) {
  const error = extensions ? { message, extensions } : { message }
  return { status, body: { errors: [error] } }
}

/**
 * @param {Request} req
 * @param {Response} res
 * @param {unknown} error
 * @param {boolean} graphqlShape
 */
function sendError(req, res, error, graphqlShape) {
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (!(error instanceof HttpError)) console.error('dashx backend:', error)

  const status = error instanceof HttpError ? error.status : 500
  const message = error instanceof HttpError ? error.message : 'Internal error in the demo backend'
  send(req, res, status, graphqlShape ? { errors: [{ message }] } : { error: message })
}

/**
 * Writes a whole response. Strings go out as text (injected faults may imitate a proxy page);
 * anything else as JSON.
 * @param {Request} req
 * @param {Response} res
 * @param {number} status
 * @param {unknown} [body]
 * @param {Record<string, string>} [headers]
 */
function send(req, res, status, body, headers = {}) {
  if (res.headersSent || res.destroyed) return

  const { text, contentHeaders } = encodeBody(body)
  res.writeHead(status, {
    ...corsHeaders(req),
    'Cache-Control': 'no-store',
    ...contentHeaders,
    ...headers,
  })
  res.end(text)
}

/**
 * Sends the status, the headers and half of the body, then drops the connection.
 * @param {Request} req @param {Response} res @param {Reply} reply
 */
function sendCut(req, res, reply) {
  const { text, contentHeaders } = encodeBody(reply.body)
  res.writeHead(reply.status, { ...corsHeaders(req), ...contentHeaders, ...reply.headers })
  res.write(text.slice(0, Math.floor(text.length / 2)))
  setTimeout(() => res.destroy(), 20)
}

/** @param {unknown} body */
function encodeBody(body) {
  if (body === undefined) return { text: '', contentHeaders: {} }

  const isText = typeof body === 'string'
  const text = isText ? body : JSON.stringify(body)
  const type = isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
  return {
    text,
    contentHeaders: { 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(text)) },
  }
}

/**
 * Every backend answer is readable from any origin, the way the real API serves any site.
 * Retry-After is exposed because cross-origin pages could not read it otherwise.
 * @param {Request} req
 */
function corsHeaders(req) {
  const origin = headerValue(req, 'origin')
  if (origin === null) return { Vary: 'Origin' }
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': 'Retry-After',
    Vary: 'Origin',
  }
}

/**
 * Reads the whole body. Past the cap it keeps draining without storing, so the 413 still goes
 * out on a healthy connection.
 * @param {Request} req
 * @returns {Promise<{ body: Buffer | null, size: number }>}
 */
function readBody(req) {
  if (req.readableEnded) return Promise.reject(new Error('Request body was already consumed'))

  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = []
    let size = 0
    req.on('data', (/** @type {Buffer} */ chunk) => {
      size += chunk.length
      if (size <= MAX_BODY_BYTES) chunks.push(chunk)
    })
    req.on('end', () => {
      resolve({ body: size > MAX_BODY_BYTES ? null : Buffer.concat(chunks), size })
    })
    req.on('error', reject)
    req.on('close', () => reject(new Error('Request closed before its body ended')))
  })
}

/** @param {Request} req */
async function readJson(req) {
  const { body } = await readBody(req)
  if (body === null) throw new HttpError(413, 'Request body is larger than 1 MiB')
  return parseJson(body, 'Request body must be JSON')
}

/** @param {Request} req @returns {Promise<Record<string, any>>} */
async function readJsonObject(req) {
  const value = await readJson(req)
  if (!isObject(value)) throw new HttpError(400, 'Request body must be a JSON object')
  return value
}

/** @param {Buffer} body @param {string} message */
function parseJson(body, message) {
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw new HttpError(400, message)
  }
}

/** @param {Request} req @param {string} name */
function headerValue(req, name) {
  const value = req.headers[name]
  return value === undefined ? null : String(value)
}

/** @param {unknown} value @returns {value is Record<string, any>} */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** @param {string} secret */
function encodeSecret(secret) {
  return new TextEncoder().encode(secret)
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000)
}

/**
 * Vite's CORS middleware runs before any plugin's and answers every preflight itself, echoing
 * whatever headers the page asks for. That would hide an element sending a header the real API
 * refuses, so the backend does CORS for its routes. An explicit `cors` setting is kept.
 * @param {{ server?: { cors?: unknown }, preview?: { cors?: unknown } }} config
 */
function leaveCorsToBackend(config) {
  return {
    server: config.server?.cors === undefined ? { cors: false } : {},
    preview: config.preview?.cors === undefined ? { cors: false } : {},
  }
}

/** @param {ReturnType<typeof createBackend>} backend */
function connectMiddleware(backend) {
  /** @param {Request} req @param {Response} res @param {(error?: unknown) => void} next */
  return (req, res, next) => {
    backend.handle(req, res).then((answered) => {
      if (!answered) next()
    }, next)
  }
}

/** @param {ReturnType<typeof createBackend>} backend @param {Request} req @param {Response} res */
async function serveOrNotFound(backend, req, res) {
  if (await backend.handle(req, res)) return
  send(req, res, 404, { error: 'Not found' })
}

/** @param {http.Server} server @param {number} port */
function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(undefined))
  })
}

/** @param {http.Server} server */
function closeServer(server) {
  if (!server.listening) return Promise.resolve()

  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve(undefined)))
    // Keep-alive sockets and requests held by a delay fault would keep close() waiting.
    server.closeAllConnections()
  })
}
