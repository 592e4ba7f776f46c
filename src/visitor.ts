/**
 * The Visitor half of the element: where its state lives (which store, under
 * which keys) and which Visitor id it holds.
 *
 * The place follows the element's attributes: public key and environment
 * name the keys, `storage` and `cookie-domain` the store, and `consent` keeps
 * everything in memory until it is granted. When the place changes, what
 * belongs to the Visitor moves along: calls made before the public key was
 * known, and what was kept in memory while consent was pending.
 */
import { withLock } from './locks.js'
import type { Operation } from './outbox.js'
import { OutboxStore } from './outbox-store.js'
import {
  consentPendingStore,
  deviceStore,
  eraseEverywhere,
  isVisitorId,
  type KeyValueStore,
  loadVisitorId,
  newVisitorId,
  type StorageKeys,
  type StorageKind,
  storageKeys,
} from './storage.js'

export type Consent = 'granted' | 'pending' | 'denied'

/** The element's attributes that decide where state lives. */
export interface Settings {
  publicKey: string | null
  targetEnvironment: string | null
  consent: Consent
  storage: StorageKind
  cookieDomain: string | null
}

export interface VisitorHost {
  /** Queued calls made as one Visitor now belong to another. */
  relabel(from: string, to: string): void
  /** Stop writing to the old place: it is about to be emptied. */
  stopOutbox(): void
  /** The Visitor id changed without a call asking for it (tabs settled on one). */
  changed(): void
  remember(): boolean
  log(message: string): void
}

const STORAGE_KINDS: StorageKind[] = ['local', 'session', 'cookie', 'memory']

export class VisitorIdentity {
  #host: VisitorHost
  #store: KeyValueStore | null = null
  #keys: StorageKeys | null = null
  /** The two above together, made once per move: every call reads it. */
  #storage: { store: KeyValueStore; keys: StorageKeys } | null = null
  #place = ''
  #seen: Settings | null = null
  #anonymousUid = ''
  /** A Visitor id this page made and has not yet seen settled among tabs. */
  #tentative: string | null = null

  constructor(host: VisitorHost) {
    this.#host = host
  }

  get anonymousUid(): string {
    return this.#anonymousUid
  }

  /** The store and keys in use, once `follow` has run. */
  get storage(): { store: KeyValueStore; keys: StorageKeys } | null {
    return this.#storage
  }

  /** Consent as the element acts on it: anything but `pending` or `denied` is granted. */
  static consentOf(value: unknown): Consent {
    return value === 'pending' || value === 'denied' ? value : 'granted'
  }

  /**
   * Moves to the place `settings` name, if it is not the current one. True
   * when it moved, so the element can attach its outbox and restore the User.
   */
  follow(settings: Settings): boolean {
    // Called on every track(): the common case is a few comparisons.
    const seen = this.#seen
    if (
      seen &&
      seen.publicKey === settings.publicKey &&
      seen.targetEnvironment === settings.targetEnvironment &&
      seen.consent === settings.consent &&
      seen.storage === settings.storage &&
      seen.cookieDomain === settings.cookieDomain
    ) {
      return false
    }
    this.#seen = { ...settings }

    const publicKey = settings.publicKey ?? ''
    const environment = settings.targetEnvironment ?? ''
    const consent = VisitorIdentity.consentOf(settings.consent)
    const kind = STORAGE_KINDS.includes(settings.storage) ? settings.storage : 'local'
    const place = `${publicKey}|${environment}|${consent}|${kind}|${settings.cookieDomain ?? ''}`
    if (this.#keys && place === this.#place) return false

    const before = this.storage
    const early = publicKey && this.#place.startsWith('|') ? this.#takeCallsMadeWithoutKey() : []
    this.#place = place
    this.#store =
      consent === 'granted' ? this.#deviceStore(kind, settings.cookieDomain) : consentPendingStore()
    this.#keys = storageKeys(publicKey, environment)
    this.#storage = { store: this.#store, keys: this.#keys }
    scrub(this.#store, this.#keys)
    this.#load(before)
    if (before && before.store !== this.#store && consent === 'granted') this.#carryOver(before)
    if (early.length > 0)
      this.#outbox().append(early.map((call) => withVisitor(call, this.#anonymousUid)))
    return true
  }

  /** A new Visitor id, as a logout makes; a second User must not inherit the first one's history. */
  renew(): void {
    // This page chose the id itself: nothing left to settle with other tabs.
    this.#tentative = null
    this.#anonymousUid = newVisitorId()
    this.#store?.set(this.#keys!.anonymousUid, this.#anonymousUid)
  }

  /**
   * Takes the Visitor id the device holds now, making one if the page
   * cleared it. True when it differs from the one this element had.
   */
  readDevice(): boolean {
    const { store, keys } = this.storage ?? {}
    if (!store || !keys) return false
    const stored = store.get(keys.anonymousUid)
    if (stored === this.#anonymousUid) return false
    this.#anonymousUid = isVisitorId(stored) ? stored : loadVisitorId(store, keys.anonymousUid)
    return true
  }

  /** Consent was refused: everything stored goes, and only the Visitor id stays, in memory. */
  forgetEverything(cookieDomain: string | null): void {
    const { store, keys } = this.storage ?? {}
    if (!store || !keys) return
    this.#host.stopOutbox()
    eraseEverywhere(`${keys.namespace}:`, cookieDomain)
    store.set(keys.anonymousUid, this.#anonymousUid)
  }

  #deviceStore(kind: StorageKind, cookieDomain: string | null): KeyValueStore {
    return deviceStore(kind, cookieDomain || null, (from, error) => {
      this.#host.log(`${from} storage unavailable, falling back: ${String(error)}`)
    })
  }

  #outbox(): OutboxStore {
    return new OutboxStore(this.#store!, this.#keys!.outbox)
  }

  /**
   * Calls made before `public-key` was set belong to the project the key
   * names, so they move there, with that project's Visitor id.
   */
  #takeCallsMadeWithoutKey(): Operation[] {
    if (!this.storage) return []
    this.#host.stopOutbox()
    const outbox = this.#outbox()
    const early = outbox.read()
    outbox.clear()
    this.#store!.remove(this.#keys!.anonymousUid)
    return early
  }

  /**
   * The Visitor id of the new place. Moving from memory to the device (consent
   * given), a Visitor id already on the device wins: it is a returning Visitor.
   */
  #load(before: { store: KeyValueStore; keys: StorageKeys } | null): void {
    const store = this.#store!
    const key = this.#keys!.anonymousUid
    const stored = store.get(key)
    const carried = before?.keys.namespace === this.#keys!.namespace ? this.#anonymousUid : null

    if (isVisitorId(stored)) {
      if (carried && carried !== stored) this.#host.relabel(carried, stored)
      this.#anonymousUid = stored
    } else if (carried) {
      store.set(key, carried)
    } else {
      this.#anonymousUid = loadVisitorId(store, key)
      this.#settleFirstVisit()
    }
  }

  /** What was kept in memory while consent was pending goes to the device once it is given. */
  #carryOver(before: { store: KeyValueStore; keys: StorageKeys }): void {
    if (before.keys.namespace !== this.#keys!.namespace || before.store.kind !== 'memory') return
    const kept = new OutboxStore(before.store, before.keys.outbox)
    const calls = kept.read()
    kept.clear()
    if (calls.length > 0) this.#outbox().append(calls)

    const user = before.store.get(before.keys.user)
    before.store.remove(before.keys.user)
    if (user !== null && this.#host.remember()) this.#store!.set(this.#keys!.user, user)
  }

  /**
   * Two tabs opened at once both find no Visitor id and both make one. Under
   * a Web Lock each looks again once both have written: the id in storage then
   * is the one both keep, and calls already queued with the other are relabelled.
   */
  #settleFirstVisit(): void {
    const { store, keys } = this.storage!
    const mine = this.#anonymousUid
    this.#tentative = mine
    void withLock(keys.visitorLock, () => {
      if (this.#keys !== keys || this.#tentative !== mine) return
      this.#tentative = null
      const settled = store.get(keys.anonymousUid)
      if (!isVisitorId(settled) || settled === mine) return
      this.#host.relabel(mine, settled)
      this.#anonymousUid = settled
      this.#host.changed()
    })
  }
}

function withVisitor(call: Operation, anonymousUid: string): Operation {
  const field = call.name === 'trackEvent' ? 'accountAnonymousUid' : 'anonymousUid'
  return { ...call, input: { ...call.input, [field]: anonymousUid } }
}

/**
 * Start-up never fails on what is stored: a record that is not even JSON
 * (hand-edited, truncated by a crash) is removed; one of the wrong shape is
 * ignored where it is read, and replaced on the next write.
 */
function scrub(store: KeyValueStore, keys: StorageKeys): void {
  for (const key of store.keys(`${keys.namespace}:`)) {
    // The Visitor id is not JSON; queued chunks are checked as the outbox reads them.
    if (key === keys.anonymousUid || key.startsWith(`${keys.outbox}:`)) continue
    try {
      JSON.parse(store.get(key) ?? 'null')
    } catch {
      store.remove(key)
    }
  }
}
