import { type PropertyValues, ReactiveElement } from '@lit/reactive-element'
import { nanoid } from 'nanoid'

import type { DashxErrorCode, DashxEventMap, DashxIdentity, DashxTraits } from './events.js'
import { type OperationName, Outbox, type SendConfig } from './outbox.js'
import { OutboxStore } from './outbox-store.js'
import {
  checkEventName,
  checkTraits,
  coerceData,
  isPlainObject,
  MAX_CALL_BYTES,
  oversize,
  prepareSystemContext,
  systemContext,
} from './payload.js'
import { listenForRequests } from './requests.js'
import type { StorageKind } from './storage.js'
import { UserIdentity } from './user-identity.js'
import { type Consent, VisitorIdentity } from './visitor.js'

export const DEFAULT_BASE_URI = 'https://api.dashx.com/graphql'

/** Events that mean the page may have slept or come back: the wall clock is read again. */
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
    /** Where identity is kept: `local` (default), `session`, `cookie` or `memory`. */
    storage: { attribute: 'storage', reflect: true },
    /** Domain for the Visitor cookie, e.g. `.example.com`, so `www.` and `app.` share one Visitor. */
    cookieDomain: { attribute: 'cookie-domain', reflect: true },
    /** `granted` (default), `pending` (memory only, nothing sent) or `denied` (nothing kept). */
    consent: { attribute: 'consent', reflect: true },
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
  declare storage: StorageKind
  declare cookieDomain: string | null
  declare consent: Consent
  declare debug: boolean

  #announced: DashxIdentity | null = null
  #waitingForConfig = false
  #badToken: unknown = null
  #toldDenied = false
  #badBaseUri: string | null = null
  #stopListening: (() => void) | null = null
  #outbox = new Outbox({
    config: () => this.#sendConfig(),
    tokenFor: (uid) => this.#user.tokenFor(uid),
    tokenExpired: (uid) => this.#user.serverSaysExpired(uid),
    report: (code, message) => this.#report(code, message),
    log: (message) => this.#log(message),
    sendTime: () => ({ systemContext: systemContext() }),
  })
  #visitor = new VisitorIdentity({
    relabel: (from, to) => this.#outbox.relabel(from, to),
    stopOutbox: () => this.#outbox.stop(),
    changed: () => this.#announceIdentity(),
    remember: () => !this.noRemember,
    log: (message) => this.#log(message),
  })
  #user = new UserIdentity({
    storage: () => this.#visitor.storage,
    remember: () => !this.noRemember,
    refreshBeforeSeconds: () => validSeconds(this.refreshBefore),
    newVisitor: () => this.#visitor.renew(),
    report: (code, message) => this.#report(code, message),
    notify: (type, detail) => this.#dispatch(type, detail),
    log: (message) => this.#log(message),
    tokenArrived: () => void this.#outbox.flush(),
  })
  #onWake = (event?: Event) => {
    this.#user.check()
    if (event?.type === 'online') this.#outbox.online()
    else if (event?.type === 'pageshow') this.#outbox.shown()
    else void this.#outbox.flush()
  }
  #onVisibility = () => {
    if (document.visibilityState === 'hidden') this.#outbox.flushOnHide()
    else this.#onWake()
  }
  #onPageHide = () => this.#outbox.flushOnHide(true)
  // After beforeunload the page may be gone at any moment: no new round of sending starts, and a
  // keepalive request that fails from here on is one the browser carries past the page. This
  // listener never asks the person to stay, so it does not keep the page from closing.
  #onBeforeUnload = () => this.#outbox.leaving()
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
    this.storage = 'local'
    this.cookieDomain = null
    this.consent = 'granted'
    this.debug = false
  }

  /** The Visitor id kept on this device. */
  get anonymousUid(): string {
    this.#ensureVisitor()
    return this.#visitor.anonymousUid
  }

  /** Who the element acts for now. A User counts once a valid token for it has arrived. */
  get identity(): DashxIdentity {
    this.#syncUser()
    const user = this.#user.active
    return {
      kind: user ? 'user' : 'visitor',
      uid: user?.uid ?? null,
      anonymousUid: this.anonymousUid,
    }
  }

  /** When the User's token expires (on this device's clock), or null for a Visitor. */
  get tokenExpiresAt(): Date | null {
    this.#syncUser()
    const user = this.#user.active
    return user ? new Date(user.expiresAt) : null
  }

  /** Switches to a User in one call; the same as setting `userId` and `token`. */
  setIdentity(uid: string, token: string): void {
    this.userId = uid
    this.token = token
    this.#syncUser()
  }

  /** Saves traits on the current Visitor or User. Resolves once the call is accepted for delivery. */
  identify(traits?: DashxTraits): Promise<void> {
    return this.#accept(() => {
      const checked = checkTraits(traits)
      if (!checked.ok) return this.#report('invalid-traits', checked.message)

      const uid = this.#currentUid()
      const input: Record<string, unknown> = {
        ...checked.value,
        anonymousUid: this.#visitor.anonymousUid,
      }
      if (uid !== null) input.uid = uid
      if (this.targetEnvironment) input.targetEnvironment = this.targetEnvironment
      return this.#enqueue('identifyAccount', input, uid)
    })
  }

  /** Records an event for the current Visitor or User. Resolves once the call is accepted for delivery. */
  track(event: string, data?: Record<string, unknown>): Promise<void> {
    return this.#track(event, data, Date.now())
  }

  /** `at` is when the call was made: now, or earlier for a call the early snippet kept. */
  #track(event: string, data: Record<string, unknown> | undefined, at: number): Promise<void> {
    const timestamp = new Date(at).toISOString()
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
      input.accountAnonymousUid = this.#visitor.anonymousUid
      input.timestamp = timestamp
      return this.#enqueue('trackEvent', input, uid)
    })
  }

  /** Logs out: a new Visitor id, and any User identity is cleared, here and in other tabs. */
  reset(): void {
    this.#ensureVisitor()
    this.#visitor.renew()
    this.#user.forget()
    this.userId = null
    this.token = null
    this.removeAttribute('token')
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
    this.#stopListening = listenForRequests(this, (type, detail, at) =>
      this.#onRequest(type, detail, at),
    )
    for (const type of WAKE_EVENTS) window.addEventListener(type, this.#onWake)
    document.addEventListener('visibilitychange', this.#onVisibility)
    window.addEventListener('pagehide', this.#onPageHide)
    window.addEventListener('beforeunload', this.#onBeforeUnload)
    window.addEventListener('storage', this.#onStorage)
    this.#ensureVisitor()
    // Added again after a removal: pick up where it was.
    if (this.hasUpdated) this.#resume()
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback()
    this.#stopListening?.()
    for (const type of WAKE_EVENTS) window.removeEventListener(type, this.#onWake)
    document.removeEventListener('visibilitychange', this.#onVisibility)
    window.removeEventListener('pagehide', this.#onPageHide)
    window.removeEventListener('beforeunload', this.#onBeforeUnload)
    window.removeEventListener('storage', this.#onStorage)
    this.#user.pause()
    this.#outbox.stop()
    this.#announced = null
  }

  // Property changes are applied before the update completes, so that setting
  // `token` and `user-id` together, in either order, is one switch.
  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#ensureVisitor()
    if (changed.has('consent')) this.#onConsentChange()
    // Removing the token of an active User returns to a Visitor.
    if (changed.has('token') && changed.get('token') && !this.token && this.#user.active)
      this.userId = null
    this.#syncUser()
    if (changed.has('refreshBefore') && this.hasUpdated) this.#user.resume()
    if (changed.has('debug') && this.debug)
      this.#log(`storage: ${this.#visitor.storage?.store.kind}`)
  }

  #onConsentChange(): void {
    const consent = this.#consent()
    if (consent !== 'denied') this.#toldDenied = false
    if (consent === 'denied') this.#forgetEverything()
    this.#log(`consent: ${consent}`)
  }

  protected override updated(): void {
    const first = this.#announced === null
    if (first) this.#announceReady()
    this.#announceIdentity()
    if (first) this.#resume()
    else void this.#outbox.flush()
  }

  #resume(): void {
    this.#user.resume()
    prepareSystemContext()
    void this.#outbox.flush()
  }

  /** Follows the attributes to where state lives; on a move, the outbox and the User follow. */
  #ensureVisitor(): void {
    if (typeof window === 'undefined' || !this.#visitor.follow(this)) return
    const { store, keys } = this.#visitor.storage!
    this.#outbox.attach(new OutboxStore(store, keys.outbox), keys.sendLock)
    this.#restoreUser()
  }

  #consent(): Consent {
    return VisitorIdentity.consentOf(this.consent)
  }

  /** A multi-page site stays the User across navigations; attributes on the page win. */
  #restoreUser(): void {
    if (this.userId || this.token) return
    const remembered = this.#user.restore()
    if (!remembered) return
    this.userId = remembered.uid
    this.token = remembered.token
    this.#syncUser()
  }

  /** Applies `user-id` and `token` at once if they changed, so a call right after setting them is the new User's. */
  #syncUser(fromOtherTab = false): void {
    const uid = this.userId === null || this.userId === '' ? null : String(this.userId)
    const token = this.#tokenInput()
    if (this.#user.differs(uid, token)) this.#user.apply(uid, token, fromOtherTab)
  }

  #tokenInput(): string | null {
    const token: unknown = this.token
    if (token === null || token === undefined || token === '') return null
    if (typeof token === 'string') return token
    if (this.#badToken !== token) {
      this.#badToken = token
      this.#report('token-malformed', `token must be a string, not a ${typeof token}.`)
    }
    return null
  }

  /** Another tab logged in or out, refreshed a token, or the page cleared storage. */
  #onStorageChange(event: StorageEvent): void {
    const keys = this.#visitor.storage?.keys
    if (!keys) return
    // Another tab queued or sent calls: this one may be the one to send the rest.
    if (event.key === null || event.key.startsWith(keys.outbox)) this.#outbox.changedElsewhere()
    if (event.key?.startsWith(keys.outbox)) return
    if (event.key !== null && event.key !== keys.anonymousUid && event.key !== keys.user) return

    this.#adoptDeviceState()
  }

  /**
   * Takes what the device holds over what this element remembers: another
   * tab or element may have reset, logged in, or the page cleared storage.
   */
  #adoptDeviceState(): void {
    const cleared = this.#visitor.readDevice()
    if (!this.noRemember || cleared) this.#adoptUser(this.#user.remembered())
    this.#announceIdentity()
  }

  /** Calls go out as the Visitor the device holds now, even if another element changed it. */
  #syncVisitor(): void {
    const storage = this.#visitor.storage
    if (!storage) return
    if (storage.store.get(storage.keys.anonymousUid) !== this.#visitor.anonymousUid) {
      this.#adoptDeviceState()
    }
  }

  /** Takes on the User another tab remembers, or becomes a Visitor if it remembers none. */
  #adoptUser(remembered: { uid: string; token: string } | null): void {
    this.userId = remembered?.uid ?? null
    this.token = remembered?.token ?? null
    if (!remembered) this.removeAttribute('token')
    this.#syncUser(true)
  }

  /** The User a call made now is for: the one named by `user-id`, whether its token is live or not. */
  #currentUid(): string | null {
    this.#ensureVisitor()
    this.#syncVisitor()
    this.#syncUser()
    return this.#user.uid
  }

  #sendConfig(): SendConfig | null {
    if (!this.publicKey || this.#consent() !== 'granted') return null
    try {
      const url = new URL(this.baseUri || DEFAULT_BASE_URI, document.baseURI).href
      return { url, publicKey: this.publicKey, targetEnvironment: this.targetEnvironment || null }
    } catch {
      if (this.#badBaseUri !== this.baseUri) {
        this.#badBaseUri = this.baseUri
        this.#report(
          'config',
          `base-uri "${this.baseUri}" is not a URL; calls are kept until it is.`,
        )
      }
      return null
    }
  }

  #enqueue(name: OperationName, input: Record<string, unknown>, uid: string | null): Promise<void> {
    if (this.#consent() === 'denied') return this.#refuseWithoutConsent()
    const bytes = oversize(input)
    if (bytes !== null) return this.#refuseOversize(name, bytes)
    const accepted = this.#outbox.add({ id: callId(), name, input, uid, createdAt: Date.now() })
    if (this.debug) this.#log(`${name} accepted for the ${uid === null ? 'Visitor' : 'User'}`)

    if (!this.publicKey && !this.#waitingForConfig) {
      this.#waitingForConfig = true
      this.#report('config', 'Set public-key to send; calls are kept until then.')
    }
    return accepted
  }

  #refuseWithoutConsent(): Promise<void> {
    if (!this.#toldDenied) {
      this.#toldDenied = true
      this.#report('consent-denied', 'consent is denied: calls are discarded until it changes.')
    }
    return Promise.resolve()
  }

  /** Consent was refused: forget the calls kept so far and everything stored on the device. */
  #forgetEverything(): void {
    this.#visitor.forgetEverything(this.cookieDomain)
    this.#user.forget()
    const storage = this.#visitor.storage
    if (!storage) return
    const { store, keys } = storage
    this.#outbox.attach(new OutboxStore(store, keys.outbox), keys.sendLock)
  }

  /** Runs a call without letting anything it throws reach the page. */
  #refuseOversize(name: OperationName, bytes: number): Promise<void> {
    const code = name === 'trackEvent' ? 'invalid-event' : 'invalid-traits'
    const limit = `${MAX_CALL_BYTES / 1024} KiB`
    this.#report(code, `The call is ${bytes} bytes as JSON; one call may be at most ${limit}.`)
    return Promise.resolve()
  }

  #accept(call: () => Promise<void> | void): Promise<void> {
    try {
      return call() ?? Promise.resolve()
    } catch (error) {
      this.#report('invalid-event', `The call could not be accepted: ${String(error)}`)
      return Promise.resolve()
    }
  }

  #onRequest(type: string, detail: unknown, at = Date.now()): void {
    if (type === 'dashx-reset') return this.reset()
    if (type === 'dashx-identify') return void this.identify(detail as DashxTraits)

    if (!isPlainObject(detail)) {
      return this.#report('invalid-event', 'dashx-track needs detail { event, data? }.')
    }
    void this.#track(detail.event as string, detail.data as Record<string, unknown>, at)
  }

  #announceReady(): void {
    this.#announced = { kind: 'visitor', uid: null, anonymousUid: this.anonymousUid }
    this.#dispatch('dashx-ready', { anonymousUid: this.anonymousUid })
  }

  /** Tells the page about a new identity, once per change. */
  #announceIdentity(): void {
    const before = this.#announced
    if (!this.isConnected || before === null) return
    const identity = this.identity
    const same =
      before.kind === identity.kind &&
      before.uid === identity.uid &&
      before.anonymousUid === identity.anonymousUid
    if (same) return

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

/** This page's name, once; with a counter it names every call, cheaper than a random id each. */
const page = nanoid(10)
let calls = 0

function callId(): string {
  calls += 1
  return `${page}.${calls.toString(36)}`
}

/** `refresh-before` as a usable number of seconds, or null for the default. */
function validSeconds(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}

declare global {
  interface HTMLElementTagNameMap {
    'dashx-session': DashxSessionElement
  }
}
