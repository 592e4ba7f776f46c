/**
 * The sending path: accepted calls are kept on the device (see
 * outbox-store.ts) until they can go, then travel in batches, several
 * operations as aliased fields of one GraphQL mutation.
 *
 * An operation remembers the User it was made for, never a token: the token is
 * looked up when it is sent, so a call made while a token is pending or
 * expired waits for the next valid token of that same User.
 *
 * One tab sends at a time (a Web Lock per drain), so no call is sent by two
 * tabs. A page that hides cannot wait for that lock, so on its way out it
 * sends only when no other tab is sending or waiting to send; otherwise its
 * calls stay for that tab.
 *
 * Every request is a keepalive request, so a page that closes never cuts one
 * off halfway: calls leave the store when their request starts, and go back
 * in if it fails while the page is still there to see it.
 */
import type { DashxErrorCode } from './events.js'
import { graphqlBody, type Outcome, postGraphql, type Verdict } from './graphql.js'
import { lockRequests, withLock } from './locks.js'
import { CHUNK_SIZE, type OutboxStore } from './outbox-store.js'

export type OperationName = 'identifyAccount' | 'trackEvent'

export interface Operation {
  /** Made on the device; lets the outbox tell operations apart. */
  id: string
  name: OperationName
  input: Record<string, unknown>
  /** The User the call was made for, or null for a Visitor. */
  uid: string | null
  createdAt: number
  /** Failed attempts so far. */
  attempts?: number
  /** Set after the server refused a batch as a whole, to find the culprit. */
  solo?: boolean
}

export interface SendConfig {
  url: string
  publicKey: string
  targetEnvironment: string | null
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
export const MAX_BATCH_BYTES = 30 * 1024
export const RETRY_BASE_MS = 1000
export const RETRY_CEILING_MS = 60_000
/** A call that failed this many times (server errors, timeouts) is given up and reported. */
export const MAX_ATTEMPTS = 10
/**
 * Keepalive request bodies in flight, all together, stay under this. Chromium
 * allows 64 KiB of them per page; Firefox refuses any one over 32 KiB, and
 * some of several that add up to less than 64 KiB.
 */
export const KEEPALIVE_BUDGET_BYTES = 30 * 1024
/**
 * Another tab that wrote to the queue this recently may be sending, from a view
 * of storage this tab has not caught up with yet (writes reach other tabs a
 * moment after they are made).
 */
export const OTHERS_ACTIVE_MS = 1000
/** A page still here this long after beforeunload was not closed after all. */
export const STAY_MS = 3000
/** Calls held for a User with no live token wait at most this long, and this many. */
export const HELD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000
export const HELD_MAX_COUNT = 500

const encoder = new TextEncoder()

/**
 * The page's keepalive room is one, whatever the number of elements on it:
 * requests in flight and their body bytes, so a send can wait for room, and
 * the bytes of requests the browser carries past a page that was leaving.
 */
const keepalive = { pending: new Map<Promise<void>, number>(), carriedBytes: 0 }

export class Outbox {
  #host: OutboxHost
  #store: OutboxStore | null = null
  #lockName = ''
  /** Accepted and not yet written to the store, oldest first. */
  #unsaved: Operation[] = []
  #saved: Promise<void> | null = null
  #markSaved: () => void = () => {}
  #timer: ReturnType<typeof setTimeout> | undefined
  #timerAt = Infinity
  #draining: Promise<void> | null = null
  #again: Promise<void> | null = null
  #failures = 0
  #lastFailure: 'network' | 'server' | null = null
  /** Ids this page is sending right now. */
  #inFlight = new Set<string>()
  /** Set on pagehide, cleared on pageshow: the document may be going away. */
  #leaving = false
  /** This page's requests for the send lock, held or waiting. */
  #lockRequests = 0
  #holdsLock = false
  /** When another tab was last seen sending, or about to. */
  #othersActiveAt = 0

  constructor(host: OutboxHost) {
    this.#host = host
  }

  /** Uses the store of one project and environment; calls not yet saved go there too. */
  attach(store: OutboxStore, lockName: string): void {
    this.#store = store
    this.#lockName = lockName
  }

  /** Queues an operation; resolves once it is written to the device. */
  add(operation: Operation): Promise<void> {
    this.#unsaved.push(operation)
    if (!this.#saved) {
      this.#saved = new Promise((resolve) => (this.#markSaved = resolve))
      // Saved a slice at a time after the caller's task, not one write per call.
      queueMicrotask(() => this.#saveSlice())
    }
    this.#schedule(this.#unsaved.length >= MAX_BATCH_OPERATIONS ? 0 : FLUSH_DELAY_MS)
    return this.#saved
  }

  /** Sends all that can go now; settles when the queue is empty or the rest must wait. */
  flush(): Promise<void> {
    this.#cancelTimer()
    // A flush asked for mid-drain runs again afterwards, for calls the drain had already passed.
    if (this.#draining) {
      this.#again ??= this.#draining.then(() => this.#rerun())
      return this.#again
    }

    this.#draining = this.#drain().finally(() => {
      this.#draining = null
      if (Date.now() < this.#retryAt()) this.#schedule(0)
    })
    return this.#draining
  }

  /**
   * The page is going away, or may be: hand what can go to keepalive requests
   * now, inside this event handler, and leave the rest saved for later.
   */
  flushOnHide(leaving = false): void {
    this.#leaving ||= leaving
    this.#cancelTimer()
    this.#saveAll()
    const config = this.#host.config()
    // After a failure, a keepalive request may fail unseen once the page is gone: keep the calls.
    if (!config || !this.#store || !this.#canSend() || this.#failures > 0) return
    // Another tab may be sending these very calls: they stay queued for it.
    if (!this.#holdsLock && Date.now() - this.#othersActiveAt < OTHERS_ACTIVE_MS) return

    let queue = this.#store.read()
    for (;;) {
      const batch = this.#nextBatch(queue, this.#room(), true)
      const request = batch && this.#fit(batch, this.#room())
      if (!request || request.bytes > this.#room()) return
      queue = queue.filter((operation) => !request.operations.includes(operation))
      void this.#start(config, request)
    }
  }

  /** Another tab changed the stored queue. */
  changedElsewhere(): void {
    this.#othersActiveAt = Date.now()
    this.#store?.invalidate()
    // Coalesced: a busy tab writes many times a second.
    this.#schedule(FLUSH_DELAY_MS)
  }

  /**
   * The page has started to close or navigate. If it stays after all (another
   * handler cancelled), it is not leaving a moment later.
   */
  leaving(): void {
    this.#leaving = true
    // A tab waiting for the send lock takes over as soon as this one lets go, and may not
    // see what this page sends on its way out: asked now, known by pagehide.
    void lockRequests(this.#lockName).then((count) => {
      if (count !== null && count > this.#lockRequests) this.#othersActiveAt = Date.now()
    })
    AbortSignal.timeout(STAY_MS).addEventListener('abort', () => {
      this.#leaving = false
      void this.flush()
    })
  }

  /** The page is shown again (back from the back/forward cache, or never left). */
  shown(): void {
    this.#leaving = false
    // What the browser carried for the page has long arrived.
    keepalive.carriedBytes = 0
    void this.flush()
  }

  /** The connection is back: what waited for it goes now, not after the backoff. */
  online(): void {
    if (this.#lastFailure === 'network') this.#store?.pauseUntil(0)
    void this.flush()
  }

  /** Gives queued calls made as one Visitor to another, e.g. when tabs settle on one id. */
  relabel(from: string, to: string): void {
    this.#saveAll()
    const changed = new Map<string, Operation>()
    for (const operation of this.#store?.read() ?? []) {
      const field = operation.name === 'trackEvent' ? 'accountAnonymousUid' : 'anonymousUid'
      if (operation.input[field] !== from) continue
      changed.set(operation.id, { ...operation, input: { ...operation.input, [field]: to } })
    }
    if (changed.size > 0) this.#store?.update(changed)
  }

  /** Stops the timers; queued operations stay and go on the next flush. */
  stop(): void {
    this.#cancelTimer()
    this.#saveAll()
  }

  #rerun(): Promise<void> {
    this.#again = null
    return this.flush()
  }

  #saveSlice(): void {
    this.#append(this.#unsaved.splice(0, CHUNK_SIZE))
    if (this.#unsaved.length > 0) {
      setTimeout(() => this.#saveSlice(), 0)
      return
    }
    this.#markSaved()
    this.#saved = null
    this.#trim()
    this.#schedule(0)
  }

  #saveAll(): void {
    while (this.#unsaved.length > 0) this.#append(this.#unsaved.splice(0, CHUNK_SIZE))
    this.#markSaved()
    this.#saved = null
    this.#trim()
  }

  #append(operations: Operation[]): void {
    if (this.#store?.append(operations) === false) {
      this.#host.log(`no room on the device: ${operations.length} call(s) kept in memory`)
    }
  }

  /** Trims the queue to its bound and tells the page, once per burst, how many calls went. */
  #trim(): void {
    const dropped = this.#store?.trim() ?? 0
    if (dropped === 0) return
    this.#host.report('queue-full', `The queue was full: ${dropped} oldest call(s) dropped.`)
  }

  #schedule(delay: number): void {
    const at = Math.max(Date.now() + delay, this.#retryAt())
    if (at >= this.#timerAt) return
    this.#cancelTimer()
    this.#timerAt = at
    this.#timer = setTimeout(() => {
      this.#cancelTimer()
      void this.flush()
    }, at - Date.now())
  }

  #cancelTimer(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Infinity
  }

  #canSend(): boolean {
    return navigator.onLine !== false && Date.now() >= this.#retryAt()
  }

  /** When sending may resume; kept with the queue, so every tab and the next load wait too. */
  #retryAt(): number {
    return this.#store?.pausedUntil(RETRY_CEILING_MS) ?? 0
  }

  /** One tab at a time, where the browser has Web Locks; see the README for the rest. */
  async #drain(): Promise<void> {
    this.#lockRequests += 1
    try {
      await withLock(this.#lockName, () => this.#drainLocked())
    } catch (error) {
      // Nothing a drain meets may escape to the page; the calls stay queued.
      this.#host.log(`sending stopped: ${String(error)}`)
    } finally {
      this.#lockRequests -= 1
    }
  }

  // Sends what is saved; calls still being saved a slice at a time follow in later rounds.
  // A page on its way out sends only from its hide handlers, where it can see the keepalive room.
  async #drainLocked(): Promise<void> {
    this.#holdsLock = true
    try {
      this.#dropStaleHeld()
      while (navigator.onLine !== false && !this.#leaving) {
        // Paused after a failure: come back when the pause ends, however short it is.
        if (Date.now() < this.#retryAt()) return this.#schedule(0)
        const config = this.#host.config()
        const store = this.#store
        const batch = config && store && this.#nextBatch(store.read(), MAX_BATCH_BYTES)
        if (!config || !batch) return
        await this.#send(config, batch)
      }
    } finally {
      this.#holdsLock = false
    }
  }

  /** Held calls past the age or count bound go, and the page is told how many. */
  #dropStaleHeld(): void {
    const store = this.#store
    if (!store) return
    const oldest = Date.now() - HELD_MAX_AGE_MS
    const held = store
      .read()
      .filter((op) => op.uid !== null && this.#host.tokenFor(op.uid) === null)
    const excess = held.length - HELD_MAX_COUNT
    const stale = held.filter((op, index) => index < excess || op.createdAt < oldest)
    if (stale.length === 0) return

    store.remove(new Set(stale.map((op) => op.id)))
    this.#host.report(
      'events-dropped',
      `${stale.length} call(s) waited too long for a User's token.`,
    )
  }

  /**
   * The oldest sendable operation and those after it that share its identity,
   * within `maxBytes`; a first operation bigger than that goes alone unless `strict`.
   */
  #nextBatch(queue: Operation[], maxBytes: number, strict = false): Batch | null {
    for (const first of queue) {
      if (this.#inFlight.has(first.id)) continue
      const token = first.uid === null ? null : this.#host.tokenFor(first.uid)
      if (first.uid !== null && token === null) continue

      const operations = this.#gather(queue, first, maxBytes, strict)
      return operations.length > 0 ? { operations, token } : null
    }
    return null
  }

  #gather(queue: Operation[], first: Operation, maxBytes: number, strict: boolean): Operation[] {
    const extra = JSON.stringify(this.#host.sendTime()).length + 120
    const batch: Operation[] = []
    let bytes = 200
    for (const operation of first.solo ? [first] : queue) {
      if (operation.uid !== first.uid || operation.solo !== first.solo) continue
      if (this.#inFlight.has(operation.id)) continue
      bytes += encoder.encode(JSON.stringify(operation.input)).length + extra
      const full = bytes > maxBytes && (strict || batch.length > 0)
      if (full || batch.length === MAX_BATCH_OPERATIONS) break
      batch.push(operation)
    }
    return batch
  }

  /**
   * Sends one batch as a keepalive request, cut down until it fits the
   * keepalive budget, once requests in flight leave room for it.
   */
  async #send(config: SendConfig, batch: Batch): Promise<void> {
    let request = this.#fit(batch, KEEPALIVE_BUDGET_BYTES)
    if (request.bytes > KEEPALIVE_BUDGET_BYTES) return this.#tooLarge(request)

    while (request.bytes > this.#room()) {
      // Nothing in flight will make room, or the page is leaving: the calls wait, saved.
      if (keepalive.pending.size === 0 || this.#leaving) return
      await Promise.race(keepalive.pending.keys())
      request = this.#fit(batch, KEEPALIVE_BUDGET_BYTES)
    }
    await this.#start(config, request)
  }

  /** A call saved before calls had a size limit, or grown since, can never be sent. */
  #tooLarge({ operations: [operation], bytes }: Request): void {
    this.#store?.remove(new Set([operation.id]))
    this.#host.report('rejected', `A call of ${bytes} bytes is too large to send; it was dropped.`)
  }

  /** The first calls of `batch` whose request body fits `maxBytes`, or just the first call. */
  #fit(batch: Batch, maxBytes: number): Request {
    let operations = batch.operations
    for (;;) {
      const body = graphqlBody(operations, this.#host.sendTime())
      const bytes = encoder.encode(body).length
      if (bytes <= maxBytes || operations.length === 1) return { ...batch, operations, body, bytes }
      operations = operations.slice(0, Math.ceil(operations.length / 2))
    }
  }

  #room(): number {
    let used = keepalive.carriedBytes
    for (const bytes of keepalive.pending.values()) used += bytes
    return KEEPALIVE_BUDGET_BYTES - used
  }

  async #start(config: SendConfig, request: Request): Promise<void> {
    const { operations, token, body, bytes } = request
    const ids = operations.map((operation) => operation.id)
    for (const id of ids) this.#inFlight.add(id)
    this.#store?.remove(new Set(ids))
    this.#host.log(`sending ${operations.length} call(s), ${bytes} bytes`)

    const posting = postGraphql({ config, operations, body, token, keepalive: true }, (message) =>
      this.#host.report('network', message),
    )
    const settled = posting.then(() => undefined)
    keepalive.pending.set(settled, bytes)
    const outcome = await posting
    keepalive.pending.delete(settled)
    for (const id of ids) this.#inFlight.delete(id)

    // After pagehide, a failing keepalive fetch is one the browser carries on past the
    // document: queueing it again would send it twice from the next load, and its bytes
    // still count against the browser's keepalive limit.
    if (outcome.kind === 'network' && this.#leaving) {
      keepalive.carriedBytes += bytes
      return
    }
    this.#apply(operations, outcome)
  }

  /** Acts on the answer. The calls left the store when their request started: what must be tried again goes back in. */
  #apply(operations: Operation[], outcome: Outcome): void {
    if (outcome.kind === 'delivered') {
      this.#failures = 0
      if (this.#lastFailure) this.#store?.pauseUntil(0)
      this.#lastFailure = null
      for (const [, message] of outcome.refused)
        this.#host.report('rejected', `DashX refused a call: ${message}`)
      return
    }
    if (outcome.kind === 'expired') return this.#expired(operations)
    if (outcome.kind === 'refused') return this.#refuse(operations, outcome)
    this.#retryLater(operations, outcome)
  }

  /** The User's calls wait for a new token. A Visitor's carry none: that answer is a failure. */
  #expired(operations: Operation[]): void {
    const uid = operations[0].uid
    if (uid === null) {
      const message = 'Incorrect Identity Token: Expired, for calls sent without a token'
      return this.#retryLater(operations, { kind: 'retry', waitMs: null, paced: false, message })
    }
    this.#store?.append(operations)
    this.#host.tokenExpired(uid)
  }

  /**
   * A request refused as a whole: alone, the call is the culprit; otherwise each
   * goes alone to find it, unless the credentials were refused, which no call
   * would change.
   */
  #refuse(operations: Operation[], { unauthorized, message }: Verdict & { kind: 'refused' }): void {
    if (operations.length === 1 || unauthorized) {
      const count = operations.length === 1 ? 'a call' : `${operations.length} calls`
      this.#host.report('rejected', `DashX refused ${count}: ${message}`)
      return
    }
    this.#store?.append(operations.map((operation) => ({ ...operation, solo: true })))
  }

  #retryLater(operations: Operation[], outcome: Outcome & { kind: 'retry' | 'network' }): void {
    this.#failures += 1
    // Exponential backoff with full jitter, so many clients do not retry in step.
    const ceiling = Math.min(RETRY_CEILING_MS, RETRY_BASE_MS * 2 ** (this.#failures - 1))
    const waitMs = outcome.kind === 'retry' ? (outcome.waitMs ?? 0) : 0
    // Retry-After is a floor over the backoff: a server that keeps saying 0 still gets one.
    const delay = Math.max(Math.random() * ceiling, Math.min(waitMs, RETRY_CEILING_MS))
    this.#store?.pauseUntil(Date.now() + delay)
    this.#lastFailure = outcome.kind === 'retry' ? 'server' : 'network'
    this.#host.report(this.#lastFailure, outcome.message)
    this.#host.log(`retrying in ${Math.round(delay)} ms`)

    // Going offline, or a server pacing its clients, is not the call's fault: only real
    // failures count as attempts, so a long rate limit delays calls but never drops them.
    const paced = outcome.kind === 'retry' && outcome.paced
    const counted = navigator.onLine === false || paced ? 0 : 1
    const tried = operations.map((op) => ({ ...op, attempts: (op.attempts ?? 0) + counted }))
    this.#store?.append(tried.filter((op) => op.attempts < MAX_ATTEMPTS))
    const givenUp = tried.filter((op) => op.attempts >= MAX_ATTEMPTS).length
    if (givenUp === 0) return

    this.#host.report(
      'events-dropped',
      `${givenUp} call(s) failed ${MAX_ATTEMPTS} times and were given up.`,
    )
  }
}

type Batch = { operations: Operation[]; token: string | null }
type Request = Batch & { body: string; bytes: number }
