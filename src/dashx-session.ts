import { ReactiveElement, type PropertyValues } from '@lit/reactive-element'
import { nanoid } from 'nanoid'

import type { DashxErrorCode, DashxEventMap, DashxIdentity, DashxTraits } from './events.js'
import { OutboxStore } from './outbox-store.js'
import { Outbox, type Operation, type OperationName, type SendConfig } from './outbox.js'
import { checkEventName, checkTraits, coerceData, isPlainObject, systemContext } from './payload.js'
import { listenForRequests, stopListeningForRequests } from './requests.js'
import {
  deviceStore,
  isVisitorId,
  loadVisitorId,
  newVisitorId,
  readJson,
  storageKeys,
  type KeyValueStore,
  type StorageKeys,
} from './storage.js'
import { TokenSchedule } from './token-schedule.js'
import { checkToken, redact } from './token.js'

export const DEFAULT_BASE_URI = 'https://api.dashx.com/graphql'

/** A User and the token the element holds for it; `expiresAt` is null until a token is accepted. */
interface User {
  uid: string
  token: string | null
  expiresAt: number | null
  /** When the token arrived on this device; the refresh time is planned from it. */
  receivedAt?: number
  /** The last token looked at for this User, accepted or not, so it is judged once. */
  checked?: string
}

/** Events that mean the page may have slept: the wall clock is read again on each. */
const WAKE_EVENTS = ['pageshow', 'focus', 'online'] as const

/**
 * `<dashx-session>` gives the page a DashX identity: a Visitor from the first
 * load, a User once the app sets `user-id` and `token`, and a fresh Visitor
 * after `reset()`. It renders nothing; its children render as usual.
 *
 * @fires dashx-ready - The Visitor id is known. Detail: `{ anonymousUid }`.
 * @fires dashx-identity-change - The identity changed. Detail: the new `identity`.
 * @fires dashx-error - Something was refused or failed. Detail: `{ code, message }`.
 * @fires dashx-token-refresh - Time to fetch a new token. Detail: `{ uid, expiresAt }`.
 * @fires dashx-token-expired - The token is dead; calls are held. Detail: `{ uid, expiresAt }`.
 * @listens dashx-identify - Detail: traits. Same as `identify(traits)`.
 * @listens dashx-track - Detail: `{ event, data? }`. Same as `track(event, data)`.
 * @listens dashx-reset - Same as `reset()`.
 */
export class DashxSessionElement extends ReactiveElement {
  static override properties = {
    /** DashX public key, sent as `X-Public-Key`. Nothing is sent until it is set. */
    publicKey: { attribute: 'public-key', reflect: true },
    /** GraphQL endpoint; a relative value is resolved against the page. */
    baseUri: { attribute: 'base-uri', reflect: true },
    /** Sent as `X-Target-Environment`. */
    targetEnvironment: { attribute: 'target-environment', reflect: true },
    /** The User's id; with a valid `token`, the element acts for that User. */
    userId: { attribute: 'user-id', reflect: true },
    /** The User's DashX Identity Token. Not reflected, so a refreshed token stays out of the DOM. */
    token: { attribute: 'token' },
    /** Seconds before expiry to fire `dashx-token-refresh`. Default: 300, at most half the token's life. */
    refreshBefore: { attribute: 'refresh-before', type: Number, reflect: true },
    /** Do not remember the User on this device; each page load must set it again. */
    noRemember: { attribute: 'no-remember', type: Boolean, reflect: true },
    /** Log what the element does to the console, tokens redacted. */
    debug: { type: Boolean, reflect: true },
  }

  declare publicKey: string | null
  declare baseUri: string | null
  declare targetEnvironment: string | null
  declare userId: string | null
  declare token: string | null
  declare refreshBefore: number | null
  declare noRemember: boolean
  declare debug: boolean

  #store: KeyValueStore | null = null
  #keys: StorageKeys | null = null
  #keysFor: [string, string] = ['', '']
  #anonymousUid = ''
  #user: User | null = null
  /** Live tokens by User, so calls made before a switch still go out with their own token. */
  #tokens = new Map<string, { token: string; expiresAt: number }>()
  #announced: DashxIdentity | null = null
  #waitingForConfig = false
  #schedule = new TokenSchedule({
    refresh: () => this.#askForRefresh(),
    expired: () => this.#announceExpired(),
  })
  #outbox = new Outbox({
    config: () => this.#sendConfig(),
    tokenFor: (uid) => this.#tokenFor(uid),
    tokenExpired: (uid) => this.#serverSaysExpired(uid),
    report: (code, message) => this.#report(code, message),
    log: (message) => this.#log(message),
    sendTime: () => ({ systemContext: systemContext() }),
  })
  #onWake = () => {
    this.#schedule.check()
    void this.#outbox.flush()
  }
  #onVisibility = () => {
    if (document.visibilityState === 'hidden') this.#outbox.flushOnHide()
    else this.#onWake()
  }
  #onPageHide = () => this.#outbox.flushOnHide()
  #onStorage = (event: StorageEvent) => this.#onStorageChange(event)

  constructor() {
    super()
    this.publicKey = null
    this.baseUri = null
    this.targetEnvironment = null
    this.userId = null
    this.token = null
    this.refreshBefore = null
    this.noRemember = false
    this.debug = false
  }

  /** The Visitor id kept on this device. */
  get anonymousUid(): string {
    this.#ensureVisitor()
    return this.#anonymousUid
  }

  /** Who the element acts for now. A User counts once a valid token for it has arrived. */
  get identity(): DashxIdentity {
    const user = this.#user?.expiresAt ? this.#user : null
    return { kind: user ? 'user' : 'visitor', uid: user?.uid ?? null, anonymousUid: this.anonymousUid }
  }

  /** When the User's token expires, or null for a Visitor. */
  get tokenExpiresAt(): Date | null {
    const expiresAt = this.#user?.expiresAt
    return expiresAt ? new Date(expiresAt) : null
  }

  /** Switches to a User in one call; the same as setting `userId` and `token`. */
  setIdentity(uid: string, token: string): void {
    this.userId = uid
    this.token = token
    this.#applyUser()
  }

  /** Saves traits on the current Visitor or User. Resolves once the call is accepted for delivery. */
  identify(traits?: DashxTraits): Promise<void> {
    return this.#accept(() => {
      const checked = checkTraits(traits)
      if (!checked.ok) return this.#report('invalid-traits', checked.message)

      const uid = this.#currentUid()
      const input: Record<string, unknown> = { ...checked.value, anonymousUid: this.anonymousUid }
      if (uid !== null) input.uid = uid
      if (this.targetEnvironment) input.targetEnvironment = this.targetEnvironment
      return this.#enqueue('identifyAccount', input, uid)
    })
  }

  /** Records an event for the current Visitor or User. Resolves once the call is accepted for delivery. */
  track(event: string, data?: Record<string, unknown>): Promise<void> {
    const timestamp = new Date().toISOString()
    return this.#accept(() => {
      const name = checkEventName(event)
      if (!name.ok) return this.#report('invalid-event', name.message)
      const coerced = coerceData(data)
      if (!coerced.ok) return this.#report('invalid-event', coerced.message)

      const changed = coerced.value?.changed ?? []
      if (changed.length > 0) {
        this.#report('data-coerced', `Changed to fit JSON: ${changed.join(', ')}.`)
      }

      const uid = this.#currentUid()
      const input: Record<string, unknown> = { event: name.value }
      if (coerced.value) input.data = coerced.value.value
      if (uid !== null) input.accountUid = uid
      input.accountAnonymousUid = this.anonymousUid
      input.timestamp = timestamp
      return this.#enqueue('trackEvent', input, uid)
    })
  }

  /** Logs out: a new Visitor id, and any User identity is cleared, here and in other tabs. */
  reset(): void {
    this.#ensureVisitor()
    this.#newVisitor()
    this.#forgetUser()
    this.#log('reset: new Visitor')
    this.#announceIdentity()
  }

  /** Sends every queued call that can go now; settles when the rest must wait. */
  flush(): Promise<void> {
    return this.#outbox.flush()
  }

  // The element shows nothing, so it needs no shadow root; children render as usual.
  protected override createRenderRoot(): HTMLElement {
    return this
  }

  override connectedCallback(): void {
    super.connectedCallback()
    listenForRequests(this, (event) => this.#onRequest(event))
    for (const type of WAKE_EVENTS) window.addEventListener(type, this.#onWake)
    document.addEventListener('visibilitychange', this.#onVisibility)
    window.addEventListener('pagehide', this.#onPageHide)
    window.addEventListener('storage', this.#onStorage)
    this.#ensureVisitor()
    this.#startTokenSchedule()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    stopListeningForRequests(this)
    for (const type of WAKE_EVENTS) window.removeEventListener(type, this.#onWake)
    document.removeEventListener('visibilitychange', this.#onVisibility)
    window.removeEventListener('pagehide', this.#onPageHide)
    window.removeEventListener('storage', this.#onStorage)
    this.#schedule.stop()
    this.#outbox.stop()
    this.#announced = null
  }

  // Property changes are applied before the update completes, so that setting
  // `token` and `user-id` together, in either order, is one switch.
  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('publicKey') || changed.has('targetEnvironment')) this.#ensureVisitor()
    // Removing the token of an active User returns to a Visitor.
    if (changed.has('token') && changed.get('token') && !this.token) this.userId = null
    if (changed.has('userId') || changed.has('token')) this.#applyUser()
    if (changed.has('refreshBefore')) this.#startTokenSchedule()
    if (changed.has('debug') && this.debug) this.#log(`storage: ${this.#store?.kind}`)
  }

  protected override updated(): void {
    if (this.#announced === null) this.#announceReady()
    this.#announceIdentity()
    if (this.#sendConfig()) void this.#outbox.flush()
  }

  /** Loads the Visitor and remembered User of the current public key and environment. */
  #ensureVisitor(): void {
    if (typeof window === 'undefined') return
    const publicKey = this.publicKey ?? ''
    const environment = this.targetEnvironment ?? ''
    // Called on every track(): the common case is one comparison.
    if (this.#keys && this.#keysFor[0] === publicKey && this.#keysFor[1] === environment) return
    this.#store ??= deviceStore((error) => this.#log(`storage unavailable, using memory: ${error}`))

    const keys = storageKeys(publicKey, environment)
    this.#keysFor = [publicKey, environment]
    if (keys.namespace === this.#keys?.namespace) return
    const early = this.#takeCallsMadeWithoutKey()
    this.#keys = keys
    this.#anonymousUid = loadVisitorId(this.#store, keys.anonymousUid)
    const outbox = new OutboxStore(this.#store, keys.outbox, keys.sending)
    this.#outbox.attach(outbox, keys.sendLock)
    if (!this.userId && !this.token) this.#restoreUser()
    if (early.length > 0) outbox.append(early.map((call) => withVisitor(call, this.#anonymousUid)))
  }

  /**
   * Calls made before `public-key` was set belong to the project the key
   * names, so they move there, with that project's Visitor id.
   */
  #takeCallsMadeWithoutKey(): Operation[] {
    if (!this.#keys || this.#keys.namespace !== storageKeys('', '').namespace) return []
    this.#outbox.stop()
    const outbox = new OutboxStore(this.#store!, this.#keys.outbox, this.#keys.sending)
    const early = outbox.read()
    outbox.clear()
    this.#store!.remove(this.#keys.anonymousUid)
    return early
  }

  /** A multi-page site stays the User across navigations, unless `no-remember` is set. */
  #restoreUser(): void {
    const stored = this.#storedUser()
    if (!stored || this.noRemember) return
    this.#user = { ...stored, checked: stored.token! }
    this.#tokens.set(stored.uid, { token: stored.token!, expiresAt: stored.expiresAt! })
    this.userId = stored.uid
    this.token = stored.token
  }

  #storedUser(): User | null {
    if (!this.#keys || !this.#store) return null
    return readJson(this.#store, this.#keys.user, validUser, null)
  }

  #applyUser(): void {
    const uid = this.userId || null
    const token = this.token || null
    if (uid === null) return this.#clearUser()

    if (this.#user && this.#user.uid !== uid) this.#newVisitor()
    if (token === null) {
      this.#user = { uid, token: null, expiresAt: null }
      return this.#log('user: waiting for a token')
    }
    if (this.#user?.uid === uid && this.#user.checked === token) return

    const accepted = this.#acceptToken(uid, token)
    const expiresAt = accepted?.expiresAt ?? null
    this.#user = { uid, token: accepted ? token : null, expiresAt, checked: token, ...accepted }
    this.#startTokenSchedule()
    if (expiresAt) void this.#outbox.flush()
  }

  /** Checks a token; returns when it arrived and expires if it is live, or reports why not. */
  #acceptToken(uid: string, token: string): { expiresAt: number; receivedAt: number } | null {
    const remembered = this.#storedUser()
    if (remembered?.uid === uid && remembered.token === token) {
      // The same token again (a reload, another tab): its life was measured when it first arrived.
      const { expiresAt, receivedAt } = remembered as { expiresAt: number; receivedAt: number }
      this.#tokens.set(uid, { token, expiresAt })
      return { expiresAt, receivedAt }
    }

    const receivedAt = Date.now()
    const checked = checkToken(token, uid, receivedAt)
    if (!checked.ok) {
      this.#report(checked.code, checked.message)
      return null
    }

    const { expiresAt } = checked.info
    this.#tokens.set(uid, { token, expiresAt })
    if (!this.noRemember) {
      const record = JSON.stringify({ uid, token, expiresAt, receivedAt })
      this.#store?.set(this.#keys!.user, record)
    }
    this.#log(`user: token ${redact(token)} accepted`)
    return { expiresAt, receivedAt }
  }

  #clearUser(): void {
    if (this.#user === null) return
    this.#user = null
    this.#schedule.stop()
    if (this.#keys) this.#store?.remove(this.#keys.user)
  }

  #forgetUser(): void {
    this.#clearUser()
    this.userId = null
    this.token = null
    this.removeAttribute('token')
  }

  /** A new Visitor id, as a logout makes; a second User must not inherit the first one's history. */
  #newVisitor(): void {
    this.#anonymousUid = newVisitorId()
    if (this.#keys) this.#store?.set(this.#keys.anonymousUid, this.#anonymousUid)
  }

  #startTokenSchedule(): void {
    const user = this.#user
    if (!this.isConnected || !user?.expiresAt) return this.#schedule.stop()
    this.#schedule.start(user.expiresAt, user.receivedAt ?? Date.now(), this.refreshBefore ?? null)
  }

  /** Asks the app for a new token, once across all tabs that share this one. */
  #askForRefresh(): void {
    const user = this.#user
    if (!user?.expiresAt || !this.#keys || !this.#store) return

    const detail = { uid: user.uid, expiresAt: user.expiresAt }
    const claim = readJson(this.#store, this.#keys.refresh, validClaim, null)
    if (claim && claim.expiresAt === user.expiresAt && Date.now() - claim.at < 1000) return
    this.#store.set(this.#keys.refresh, JSON.stringify({ expiresAt: user.expiresAt, at: Date.now() }))

    this.#log('user: asking for a new token')
    this.#dispatch('dashx-token-refresh', detail)
  }

  #announceExpired(): void {
    const user = this.#user
    if (!user?.expiresAt) return
    this.#log('user: token expired, holding calls')
    this.#dispatch('dashx-token-expired', { uid: user.uid, expiresAt: user.expiresAt })
  }

  /** The server refused the token as expired: hold this User's calls and ask for a new one once. */
  #serverSaysExpired(uid: string): void {
    this.#tokens.delete(uid)
    if (this.#user?.uid !== uid || !this.#user.token) return
    this.#user.token = null
    this.#report('token-expired', 'Incorrect Identity Token: Expired. Calls are held for a new token.')
    this.#askForRefresh()
  }

  /** Another tab logged in, refreshed, reset, or the page cleared storage. */
  #onStorageChange(event: StorageEvent): void {
    const keys = this.#keys
    if (!keys || !this.#store || (event.key !== null && !event.key.startsWith(keys.namespace))) return

    const stored = this.#store.get(keys.anonymousUid)
    if (stored !== this.#anonymousUid) {
      this.#anonymousUid = isVisitorId(stored) ? stored : loadVisitorId(this.#store, keys.anonymousUid)
      this.#user = null
      this.#schedule.stop()
      this.userId = null
      this.token = null
      this.#announceIdentity()
      return
    }

    const user = this.#storedUser()
    if (user && user.uid === this.#user?.uid && user.token !== this.#user.token) this.token = user.token
    // Another tab queued calls: this one may be the one to send them.
    if (event.key?.startsWith(keys.outbox)) this.#outbox.flush()
  }

  /** The User a call made now is for: the one named by `user-id`, whether its token is live or not. */
  #currentUid(): string | null {
    return this.userId || null
  }

  #tokenFor(uid: string): string | null {
    const live = this.#tokens.get(uid)
    if (live && live.expiresAt > Date.now()) return live.token
    return null
  }

  #sendConfig(): SendConfig | null {
    if (!this.publicKey) return null
    const url = new URL(this.baseUri || DEFAULT_BASE_URI, document.baseURI).href
    return { url, publicKey: this.publicKey, targetEnvironment: this.targetEnvironment || null }
  }

  #enqueue(name: OperationName, input: Record<string, unknown>, uid: string | null): Promise<void> {
    const accepted = this.#outbox.add({ id: nanoid(), name, input, uid, createdAt: Date.now() })
    if (this.debug) this.#log(`${name} accepted for the ${uid === null ? 'Visitor' : 'User'}`)

    if (!this.publicKey && !this.#waitingForConfig) {
      this.#waitingForConfig = true
      this.#report('config', 'Set public-key to send; calls are kept until then.')
    }
    return accepted
  }

  /** Runs a call without letting anything it throws reach the page. */
  #accept(call: () => Promise<void> | void): Promise<void> {
    try {
      return call() ?? Promise.resolve()
    } catch (error) {
      this.#report('invalid-event', `The call could not be accepted: ${String(error)}`)
      return Promise.resolve()
    }
  }

  #onRequest(event: CustomEvent): void {
    const detail: unknown = event.detail
    if (event.type === 'dashx-reset') return this.reset()
    if (event.type === 'dashx-identify') return void this.identify(detail as DashxTraits)

    if (!isPlainObject(detail)) {
      return this.#report('invalid-event', 'dashx-track needs detail { event, data? }.')
    }
    void this.track(detail.event as string, detail.data as Record<string, unknown>)
  }

  #announceReady(): void {
    this.#announced = { kind: 'visitor', uid: null, anonymousUid: this.anonymousUid }
    this.#dispatch('dashx-ready', { anonymousUid: this.anonymousUid })
  }

  /** Tells the page about a new identity, once per change. */
  #announceIdentity(): void {
    const identity = this.identity
    const before = this.#announced
    if (!this.isConnected || before === null) return
    if (before.kind === identity.kind && before.uid === identity.uid && before.anonymousUid === identity.anonymousUid) {
      return
    }
    this.#announced = identity
    this.#log(`identity: ${identity.kind}`)
    this.#dispatch('dashx-identity-change', identity)
  }

  #report(code: DashxErrorCode, message: string): void {
    this.#log(`error ${code}`)
    this.#dispatch('dashx-error', { code, message })
  }

  #dispatch<K extends keyof DashxEventMap>(type: K, detail: DashxEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }

  #log(message: string): void {
    if (this.debug) console.debug(`[dashx-session] ${message}`)
  }
}

function withVisitor(call: Operation, anonymousUid: string): Operation {
  const field = call.name === 'trackEvent' ? 'accountAnonymousUid' : 'anonymousUid'
  return { ...call, input: { ...call.input, [field]: anonymousUid } }
}

function validUser(value: unknown): User | null {
  if (!isPlainObject(value)) return null
  const { uid, token, expiresAt, receivedAt } = value
  if (typeof uid !== 'string' || typeof token !== 'string' || typeof expiresAt !== 'number') return null
  const arrived = typeof receivedAt === 'number' ? receivedAt : Date.now()
  return { uid, token, expiresAt, receivedAt: arrived }
}

function validClaim(value: unknown): { expiresAt: number; at: number } | null {
  if (!isPlainObject(value) || typeof value.expiresAt !== 'number' || typeof value.at !== 'number') {
    return null
  }
  return { expiresAt: value.expiresAt, at: value.at }
}

declare global {
  interface HTMLElementTagNameMap {
    'dashx-session': DashxSessionElement
  }
}
