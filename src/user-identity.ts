/**
 * The User half of the element: which User it acts for, whether that User's
 * token is live, when to ask for a new one, and what is remembered on the
 * device so that other pages and tabs agree.
 *
 * A User is named by `user-id` and proven by `token`. Until a token for that
 * User is accepted the User is pending: calls made for it are held, never sent
 * as the Visitor. Tokens are kept per User, so calls made before a switch
 * still go out with their own User's token.
 */
import type { DashxErrorCode, DashxNotificationEventMap } from './events.js'
import { ifFree } from './locks.js'
import { isPlainObject } from './payload.js'
import { type KeyValueStore, readJson, type StorageKeys } from './storage.js'
import { checkToken, redact } from './token.js'
import { TokenSchedule } from './token-schedule.js'

/** Two tabs whose refresh timers fire within this long of each other ask once. */
const REFRESH_CLAIM_MS = 2000

export interface UserHost {
  /** Storage of the current project and environment, or null before it is known. */
  storage(): { store: KeyValueStore; keys: StorageKeys } | null
  remember(): boolean
  refreshBeforeSeconds(): number | null
  /** Starts a new Visitor, as a logout does. */
  newVisitor(): void
  report(code: DashxErrorCode, message: string): void
  notify(
    type: 'dashx-token-refresh' | 'dashx-token-expired',
    detail: DashxNotificationEventMap['dashx-token-refresh']['detail'],
  ): void
  log(message: string): void
  /** A token arrived: held calls may go now. */
  tokenArrived(): void
}

interface Remembered {
  uid: string
  token: string
  expiresAt: number
  receivedAt: number
}

interface Live {
  token: string
  expiresAt: number
  receivedAt: number
}

export class UserIdentity {
  #host: UserHost
  /** The User named by `user-id`, live or pending. */
  #uid: string | null = null
  /** The last token looked at, accepted or not, so each is judged once. */
  #checked: string | null = null
  /** A token accepted for `#uid`, even if it has expired since. */
  #current: Live | null = null
  #tokens = new Map<string, Live>()
  #schedule: TokenSchedule
  /** Timers run only while the element is connected and has announced itself. */
  #running = false

  constructor(host: UserHost) {
    this.#host = host
    this.#schedule = new TokenSchedule({
      refresh: () => this.#askForRefresh(),
      expired: () => this.#announceExpired(),
    })
  }

  /** The User the element acts for once a token was accepted, with that token's expiry. */
  get active(): { uid: string; expiresAt: number } | null {
    if (this.#uid === null || !this.#current) return null
    return { uid: this.#uid, expiresAt: this.#current.expiresAt }
  }

  /** The User a call made now is for, token or not. */
  get uid(): string | null {
    return this.#uid
  }

  /** Whether `uid`/`token` differ from what was last applied. */
  differs(uid: string | null, token: string | null): boolean {
    return uid !== this.#uid || (token !== null && token !== this.#checked)
  }

  /**
   * Applies `user-id` and `token`. `fromOtherTab` is set when another tab made
   * the change: it has already started a new Visitor if one was due.
   */
  apply(uid: string | null, token: string | null, fromOtherTab = false): void {
    if (uid === null) return this.#toVisitor(fromOtherTab)

    const previous = this.#uid ?? this.#remembered()?.uid ?? null
    if (previous !== null && previous !== uid && !fromOtherTab) this.#host.newVisitor()
    if (uid !== this.#uid) {
      this.#current = null
      this.#schedule.stop()
    }
    this.#uid = uid
    if (token === null || token === this.#checked) return

    this.#checked = token
    const live = this.#accept(uid, token)
    if (!live) return
    this.#current = live
    this.#startSchedule()
    this.#host.tokenArrived()
  }

  /** The User remembered on this device, for a page that names none itself. */
  restore(): { uid: string; token: string } | null {
    const remembered = this.#remembered()
    if (!remembered || !this.#host.remember()) return null
    return { uid: remembered.uid, token: remembered.token }
  }

  /** Forgets the User here and on the device. */
  forget(): void {
    this.#uid = null
    this.#checked = null
    this.#current = null
    this.#schedule.stop()
    this.#withStorage(({ store, keys }) => store.remove(keys.user))
  }

  /** The live token for this User, or null while it is pending or expired. */
  tokenFor(uid: string): string | null {
    const live = this.#tokens.get(uid)
    return live && live.expiresAt > Date.now() ? live.token : null
  }

  /** The server refused the token as expired: hold this User's calls and ask for a new one once. */
  serverSaysExpired(uid: string): void {
    const live = this.#tokens.get(uid)
    if (!live) return
    this.#tokens.delete(uid)
    this.#report(
      'token-expired',
      'Incorrect Identity Token: Expired. Calls are held for a new token.',
    )
    if (uid === this.#uid) this.#askForRefresh()
  }

  /** Reads the wall clock again and fires what is due. */
  check(): void {
    this.#schedule.check()
  }

  /** Plans the refresh (connected, `refresh-before` changed); `pause()` stops it (disconnected). */
  resume(): void {
    this.#running = true
    this.#startSchedule()
  }

  pause(): void {
    this.#running = false
    this.#schedule.stop()
  }

  /** What another tab left on the device: the User it remembers, or none. */
  remembered(): { uid: string; token: string } | null {
    const remembered = this.#remembered()
    return remembered && { uid: remembered.uid, token: remembered.token }
  }

  #toVisitor(fromOtherTab: boolean): void {
    // A User who goes away without reset() is logged out all the same: the
    // next User must not inherit this Visitor's history.
    if (this.#current && !fromOtherTab) this.#host.newVisitor()
    if (this.#uid !== null) this.forget()
  }

  /** Checks a token; returns it with its expiry if it is live, or reports why not. */
  #accept(uid: string, token: string): Live | null {
    const remembered = this.#remembered()
    if (remembered?.uid === uid && remembered.token === token) {
      // The same token again (a reload, another tab): its life was measured when it first arrived.
      this.#tokens.set(uid, remembered)
      return remembered
    }

    const receivedAt = Date.now()
    const checked = checkToken(token, uid, receivedAt)
    if (!checked.ok) {
      this.#report(checked.code, checked.message)
      return null
    }

    const live = { token, expiresAt: checked.info.expiresAt, receivedAt }
    this.#tokens.set(uid, live)
    this.#withStorage(({ store, keys }) => {
      if (this.#host.remember()) store.set(keys.user, JSON.stringify({ uid, ...live }))
      else store.remove(keys.user)
    })
    this.#host.log(`user: token ${redact(token)} accepted`)
    return live
  }

  #startSchedule(): void {
    const live = this.#current
    if (!live || !this.#running) return this.#schedule.stop()
    this.#schedule.start(live.expiresAt, live.receivedAt, this.#host.refreshBeforeSeconds())
  }

  /**
   * Asks the app for a new token. Tabs that share the token ask once between
   * them: a Web Lock lets one tab at a time look at and leave a claim.
   */
  #askForRefresh(): void {
    const uid = this.#uid
    const live = this.#current
    if (uid === null || !live) return
    const detail = { uid, expiresAt: live.expiresAt }
    const storage = this.#host.storage()
    if (!storage || !this.#host.remember()) return this.#refreshNow(detail)

    ifFree(storage.keys.refresh, REFRESH_CLAIM_MS / 2, () => {
      if (this.#claimed(detail.expiresAt)) return
      const claim = JSON.stringify({ expiresAt: detail.expiresAt, at: Date.now() })
      storage.store.set(storage.keys.refresh, claim)
      this.#refreshNow(detail)
    })
  }

  #claimed(expiresAt: number): boolean {
    const storage = this.#host.storage()
    if (!storage) return false
    const claim = readJson(storage.store, storage.keys.refresh, validClaim, null)
    return (
      claim !== null && claim.expiresAt === expiresAt && Date.now() - claim.at < REFRESH_CLAIM_MS
    )
  }

  #refreshNow(detail: { uid: string; expiresAt: number }): void {
    this.#host.log('user: asking for a new token')
    this.#host.notify('dashx-token-refresh', detail)
  }

  #announceExpired(): void {
    const uid = this.#uid
    const live = this.#current
    if (uid === null || !live) return
    this.#host.log('user: token expired, holding calls')
    this.#host.notify('dashx-token-expired', { uid, expiresAt: live.expiresAt })
  }

  #remembered(): Remembered | null {
    const storage = this.#host.storage()
    if (!storage) return null
    return readJson(storage.store, storage.keys.user, validRemembered, null)
  }

  #withStorage(use: (storage: { store: KeyValueStore; keys: StorageKeys }) => void): void {
    const storage = this.#host.storage()
    if (storage) use(storage)
  }

  #report(code: DashxErrorCode, message: string): void {
    this.#host.report(code, message)
  }
}

/** A remembered User is trusted only if its token still reads as that User's. */
function validRemembered(value: unknown): Remembered | null {
  if (!isPlainObject(value)) return null
  const { uid, token, expiresAt, receivedAt } = value
  if (typeof uid !== 'string' || typeof token !== 'string') return null
  if (typeof expiresAt !== 'number' || typeof receivedAt !== 'number') return null
  if (!checkToken(token, uid, receivedAt).ok) return null
  return { uid, token, expiresAt, receivedAt }
}

function validClaim(value: unknown): { expiresAt: number; at: number } | null {
  if (
    !isPlainObject(value) ||
    typeof value.expiresAt !== 'number' ||
    typeof value.at !== 'number'
  ) {
    return null
  }
  return { expiresAt: value.expiresAt, at: value.at }
}
