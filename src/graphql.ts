/**
 * DashX's GraphQL API as the outbox uses it: the request for a batch of
 * operations, and what the answer means for each of them.
 */
import type { Operation, OperationName, SendConfig } from './outbox.js'

/** After this long without an answer the page is told; the request still gets its answer… */
export const SLOW_REQUEST_MS = 10_000
/** …until this long, when it is given up and its calls are tried again. */
export const REQUEST_TIMEOUT_MS = 45_000

const DOCUMENTS: Record<OperationName, { type: string; selection: string; operation: string }> = {
  identifyAccount: {
    type: 'IdentifyAccountInput',
    selection: '{ id }',
    operation: 'IdentifyAccount',
  },
  trackEvent: { type: 'TrackEventInput', selection: '{ success }', operation: 'TrackEvent' },
}

const EXPIRED = 'Incorrect Identity Token: Expired'

/** What an answer means for the batch that was sent. */
export type Verdict =
  /** Delivered, except the operations named here, which the server refused for good. */
  | { kind: 'delivered'; refused: Map<string, string> }
  /**
   * Try again later (408, 429, 5xx); `waitMs` from Retry-After if the server gave one. `paced`:
   * the server asked its clients to slow down (429, or a Retry-After) rather than failed.
   */
  | { kind: 'retry'; waitMs: number | null; paced: boolean; message: string }
  /** The User's token has expired: hold the calls and ask for a new token. */
  | { kind: 'expired' }
  /**
   * The whole request was refused (a 4xx, or a GraphQL error for the whole document).
   * `unauthorized`: for its credentials (401, 403), so no call of it would fare better alone.
   */
  | { kind: 'refused'; unauthorized: boolean; message: string }

/** What became of a request: the server's verdict, or no answer at all. */
export type Outcome = Verdict | { kind: 'network'; message: string }

export interface GraphqlRequest {
  config: SendConfig
  operations: Operation[]
  body: string
  token: string | null
  keepalive: boolean
}

/**
 * Posts one batch and judges the answer. It never throws: a request that
 * fails or times out is a `network` outcome.
 */
export async function postGraphql(
  { config, operations, body, token, keepalive }: GraphqlRequest,
  onSlow: (message: string) => void,
): Promise<Outcome> {
  const abort = new AbortController()
  // A slow answer is still awaited: the server may have stored the calls, and
  // sending them again would count them twice.
  const slow = setTimeout(() => {
    onSlow(`No answer from ${config.url} in ${SLOW_REQUEST_MS / 1000} s; still waiting.`)
  }, SLOW_REQUEST_MS)
  const timeout = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS)
  try {
    const response = await fetch(config.url, {
      method: 'POST',
      headers: graphqlHeaders(config, token),
      body,
      keepalive,
      credentials: 'omit',
      signal: abort.signal,
    })
    return await judge(operations, response)
  } catch (error) {
    return { kind: 'network', message: `Could not reach ${config.url}: ${String(error)}` }
  } finally {
    clearTimeout(slow)
    clearTimeout(timeout)
  }
}

/** One operation goes in DashX's own document; several as aliased fields of one mutation. */
export function graphqlBody(batch: Operation[], extra: Record<string, unknown>): string {
  if (batch.length === 1) {
    const [{ name, input }] = batch
    const { type, selection, operation } = DOCUMENTS[name]
    const query = `mutation ${operation}($input: ${type}!) { ${name}(input: $input) ${selection} }`
    return JSON.stringify({
      query,
      variables: { input: { ...input, ...extra } },
      operationName: operation,
    })
  }

  const variables: Record<string, unknown> = {}
  const declarations: string[] = []
  const fields: string[] = []
  for (const [index, { name, input }] of batch.entries()) {
    const { type, selection } = DOCUMENTS[name]
    variables[`input${index}`] = { ...input, ...extra }
    declarations.push(`$input${index}: ${type}!`)
    fields.push(`op${index}: ${name}(input: $input${index}) ${selection}`)
  }
  const query = `mutation Batch(${declarations.join(', ')}) { ${fields.join(' ')} }`
  return JSON.stringify({ query, variables, operationName: 'Batch' })
}

/** Exactly DashX's headers: its CORS policy allows no other. */
function graphqlHeaders(config: SendConfig, token: string | null): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'X-Public-Key': config.publicKey,
  }
  if (config.targetEnvironment) headers['X-Target-Environment'] = config.targetEnvironment
  if (token) headers['X-Identity-Token'] = token
  return headers
}

async function judge(batch: Operation[], response: Response): Promise<Verdict> {
  const body = await readJson(response)
  // A 2xx status goes out after the document ran: the calls were stored, and only the answer
  // was lost on its way (a dropped connection, or a page unloading as it arrived).
  if (body === 'cut' && response.ok) return { kind: 'delivered', refused: new Map() }
  const json = body === 'cut' ? null : body
  const errors: { message?: string; path?: unknown[] }[] = Array.isArray(json?.errors)
    ? json.errors
    : []
  const message = errors.map((error) => error.message).join('; ') || response.statusText

  if (message.includes(EXPIRED)) return { kind: 'expired' }
  if (isRetryable(response.status)) {
    const waitMs = retryAfterMs(response)
    const paced = response.status === 429 || waitMs !== null
    return { kind: 'retry', waitMs, paced, message: `${response.status} ${message}` }
  }
  if (!response.ok || !json?.data)
    return {
      kind: 'refused',
      unauthorized: response.status === 401 || response.status === 403,
      message: `${response.status} ${message}`,
    }

  const refused = new Map<string, string>()
  for (const [index, operation] of batch.entries()) {
    const alias = batch.length === 1 ? operation.name : `op${index}`
    const error = errors.find((candidate) => candidate.path?.[0] === alias)
    if (error) refused.set(operation.id, error.message ?? 'refused')
  }
  return { kind: 'delivered', refused }
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds from now. */
function retryAfterMs(response: Response): number | null {
  const header = response.headers.get('Retry-After')
  if (!header) return null

  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now())
}

/** The answer as JSON; null when it is not JSON, 'cut' when it could not be read to the end. */
async function readJson(
  response: Response,
): Promise<{ data?: unknown; errors?: unknown } | null | 'cut'> {
  let text: string
  try {
    text = await response.text()
  } catch {
    return 'cut'
  }
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}
