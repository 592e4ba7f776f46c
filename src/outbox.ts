/**
 * The sending path: accepted calls wait here until they can go, then travel
 * in batches, several operations as aliased fields of one GraphQL mutation.
 *
 * An operation remembers the User it was made for, never a token: the token is
 * looked up when it is sent, so a call made while a token is pending or
 * expired waits for the next valid token of that same User.
 */
import type { DashxErrorCode } from './events.js'

export type OperationName = 'identifyAccount' | 'trackEvent'

export interface Operation {
  /** Made on the device; lets the outbox tell operations apart. */
  id: string
  name: OperationName
  input: Record<string, unknown>
  /** The User the call was made for, or null for a Visitor. */
  uid: string | null
  createdAt: number
  /** Set after the server refused a batch as a whole, to find the culprit. */
  solo?: boolean
}

export interface SendConfig {
  url: string
  publicKey: string
  targetEnvironment: string | null
}

/** Where queued operations are kept between page loads. */
export interface OutboxStore {
  read(): Operation[]
  write(operations: Operation[]): void
}

export interface OutboxHost {
  /** Where and how to send, or null while the element cannot send yet. */
  config(): SendConfig | null
  /** The live token for this User, or null while it is pending or expired. */
  tokenFor(uid: string): string | null
  /** The server said this User's token has expired. */
  tokenExpired(uid: string): void
  report(code: DashxErrorCode, message: string): void
  log(message: string): void
  /** Fields added to every input when it is sent, such as the system context. */
  sendTime(): Record<string, unknown>
}

/** Send this long after the first call of a burst, so a burst travels together. */
export const FLUSH_DELAY_MS = 200
export const MAX_BATCH_OPERATIONS = 100
export const MAX_BATCH_BYTES = 60 * 1024
export const REQUEST_TIMEOUT_MS = 10_000
export const RETRY_BASE_MS = 1000
export const RETRY_CEILING_MS = 60_000
/** Calls held for a User with no live token wait at most this long, and this many. */
export const HELD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000
export const HELD_MAX_COUNT = 500

const EXPIRED = 'Incorrect Identity Token: Expired'

const DOCUMENTS: Record<OperationName, { type: string; selection: string; operation: string }> = {
  identifyAccount: { type: 'IdentifyAccountInput', selection: '{ id }', operation: 'IdentifyAccount' },
  trackEvent: { type: 'TrackEventInput', selection: '{ success }', operation: 'TrackEvent' },
}

interface GraphQLError {
  message?: string
  path?: unknown[]
}

export class Outbox {
  #host: OutboxHost
  #store: OutboxStore
  /** Accepted in this task and not yet written to the store. */
  #unsaved: Operation[] = []
  #saving: Promise<void> | null = null
  #timer: ReturnType<typeof setTimeout> | undefined
  #draining: Promise<void> | null = null
  #again: Promise<void> | null = null
  #failures = 0
  #retryAt = 0

  constructor(host: OutboxHost, store: OutboxStore) {
    this.#host = host
    this.#store = store
  }

  /** Every operation waiting, in the order they were accepted. */
  get queue(): Operation[] {
    this.save()
    return this.#store.read()
  }

  /** Queues an operation; resolves once it is written to the store. */
  add(operation: Operation): Promise<void> {
    this.#unsaved.push(operation)
    // One write per burst of calls, not one per call.
    this.#saving ??= Promise.resolve().then(() => this.save())
    this.#schedule(FLUSH_DELAY_MS)
    return this.#saving
  }

  /** Takes over operations queued elsewhere, ahead of anything queued since. */
  adopt(operations: Operation[]): void {
    this.save()
    this.#store.write([...operations, ...this.#store.read()])
  }

  /** Writes what was accepted since the last save. */
  save(): void {
    this.#saving = null
    if (this.#unsaved.length === 0) return
    this.#store.write([...this.#store.read(), ...this.#unsaved])
    this.#unsaved = []
  }

  /** Sends all that can go now; settles when the queue is empty or the rest must wait. */
  flush(): Promise<void> {
    this.#cancelTimer()
    // A flush asked for mid-drain runs again afterwards, for calls the drain had already passed.
    if (this.#draining) return (this.#again ??= this.#draining.then(() => this.#rerun()))

    this.#draining = this.#drain().finally(() => {
      this.#draining = null
      if (Date.now() < this.#retryAt) this.#schedule(0)
    })
    return this.#draining
  }

  #rerun(): Promise<void> {
    this.#again = null
    return this.flush()
  }

  /** Stops the timers; queued operations stay and go on the next flush. */
  stop(): void {
    this.#cancelTimer()
  }

  #schedule(delay: number): void {
    if (this.#timer !== undefined) return
    const wait = Math.max(delay, this.#retryAt - Date.now())
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      void this.flush()
    }, wait)
  }

  #cancelTimer(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  async #drain(): Promise<void> {
    this.#dropStaleHeld()
    while (Date.now() >= this.#retryAt) {
      const config = this.#host.config()
      const batch = config && this.#nextBatch()
      if (!config || !batch) return

      await this.#send(config, batch.operations, batch.token)
    }
  }

  /** Held calls past the age or count bound go, and the page is told how many. */
  #dropStaleHeld(): void {
    const queue = this.queue
    const oldest = Date.now() - HELD_MAX_AGE_MS
    const held = queue.filter((op) => op.uid !== null && this.#host.tokenFor(op.uid) === null)
    const excess = new Set(held.slice(0, Math.max(0, held.length - HELD_MAX_COUNT)))
    const stale = new Set(held.filter((op) => excess.has(op) || op.createdAt < oldest))
    if (stale.size === 0) return

    this.#store.write(queue.filter((op) => !stale.has(op)))
    this.#host.report('events-dropped', `${stale.size} call(s) waited too long for a User's token.`)
  }

  /** The oldest sendable operation and those after it that share its identity. */
  #nextBatch(): { operations: Operation[]; token: string | null } | null {
    const queue = this.queue
    for (const first of queue) {
      const token = first.uid === null ? null : this.#host.tokenFor(first.uid)
      if (first.uid !== null && token === null) continue
      return { operations: this.#gather(queue, first), token }
    }
    return null
  }

  #gather(queue: Operation[], first: Operation): Operation[] {
    if (first.solo) return [first]

    const batch: Operation[] = []
    let bytes = 0
    for (const operation of queue) {
      if (operation.uid !== first.uid || operation.solo) continue
      bytes += JSON.stringify(operation.input).length
      if (batch.length > 0 && bytes > MAX_BATCH_BYTES) break
      batch.push(operation)
      if (batch.length === MAX_BATCH_OPERATIONS) break
    }
    return batch
  }

  async #send(config: SendConfig, batch: Operation[], token: string | null): Promise<void> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'X-Public-Key': config.publicKey,
    }
    if (config.targetEnvironment) headers['X-Target-Environment'] = config.targetEnvironment
    if (token) headers['X-Identity-Token'] = token

    this.#host.log(`sending ${batch.length} operation(s) to ${config.url}`)
    let response: Response
    try {
      response = await fetch(config.url, {
        method: 'POST',
        headers,
        body: JSON.stringify(graphqlRequest(batch, this.#host.sendTime())),
        credentials: 'omit',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
    } catch (error) {
      return this.#retryLater(null, 'network', `Could not reach ${config.url}: ${String(error)}`)
    }
    return this.#settle(batch, response)
  }

  async #settle(batch: Operation[], response: Response): Promise<void> {
    const body = await readJson(response)
    const errors: GraphQLError[] = Array.isArray(body?.errors) ? body.errors : []
    const message = errors.map((error) => error.message).join('; ') || response.statusText
    const uid = batch[0].uid

    if (uid !== null && message.includes(EXPIRED)) {
      this.#host.tokenExpired(uid)
      return
    }
    if (isRetryable(response.status)) {
      const wait = retryAfterMs(response)
      return this.#retryLater(wait, 'server', `DashX answered ${response.status}: ${message}`)
    }

    this.#failures = 0
    if (!response.ok || !body?.data) return this.#refuseWhole(batch, response.status, message)

    this.#remove(batch)
    for (const [index, operation] of batch.entries()) {
      const alias = aliasOf(batch, index)
      const refusal = errors.find((error) => error.path?.[0] === alias)
      if (refusal) this.#host.report('rejected', `DashX refused ${operation.name}: ${refusal.message}`)
    }
  }

  /** A whole batch refused: alone it is the culprit, otherwise send each alone to find it. */
  #refuseWhole(batch: Operation[], status: number, message: string): void {
    if (batch.length > 1) {
      const ids = new Set(batch.map((operation) => operation.id))
      const marked = this.queue.map((operation) =>
        ids.has(operation.id) ? { ...operation, solo: true } : operation,
      )
      this.#store.write(marked)
      return
    }
    this.#remove(batch)
    this.#host.report('rejected', `DashX refused ${batch[0].name} (${status}): ${message}`)
  }

  #retryLater(wait: number | null, code: DashxErrorCode, message: string): void {
    this.#failures += 1
    // Exponential backoff with full jitter, so many clients do not retry in step.
    const ceiling = Math.min(RETRY_CEILING_MS, RETRY_BASE_MS * 2 ** (this.#failures - 1))
    const delay = wait === null ? Math.random() * ceiling : Math.min(wait, RETRY_CEILING_MS)
    this.#retryAt = Date.now() + delay
    this.#host.report(code, message)
    this.#host.log(`retrying in ${Math.round(delay)} ms`)
  }

  #remove(batch: Operation[]): void {
    const sent = new Set(batch.map((operation) => operation.id))
    this.#store.write(this.queue.filter((operation) => !sent.has(operation.id)))
  }
}

function aliasOf(batch: Operation[], index: number): string {
  return batch.length === 1 ? batch[0].name : `op${index}`
}

/** One operation goes in DashX's own document; several as aliased fields of one mutation. */
export function graphqlRequest(batch: Operation[], extra: Record<string, unknown> = {}) {
  if (batch.length === 1) {
    const [{ name }] = batch
    const input = { ...batch[0].input, ...extra }
    const { type, selection, operation } = DOCUMENTS[name]
    const query = `mutation ${operation}($input: ${type}!) { ${name}(input: $input) ${selection} }`
    return { query, variables: { input }, operationName: operation }
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
  return { query, variables, operationName: 'Batch' }
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

async function readJson(response: Response): Promise<{ data?: unknown; errors?: unknown } | null> {
  try {
    return await response.json()
  } catch {
    return null
  }
}

/** Keeps the well-formed operations of a stored queue and drops the rest. */
export function validOperations(value: unknown): Operation[] | null {
  if (!Array.isArray(value)) return null
  return value.filter(
    (item): item is Operation =>
      item !== null &&
      typeof item === 'object' &&
      typeof item.id === 'string' &&
      (item.name === 'identifyAccount' || item.name === 'trackEvent') &&
      item.input !== null &&
      typeof item.input === 'object' &&
      (item.uid === null || typeof item.uid === 'string') &&
      typeof item.createdAt === 'number',
  )
}
