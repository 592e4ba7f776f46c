/**
 * Where the element keeps its state on the device.
 *
 * Every key lives under one prefix and is namespaced by public key and target
 * environment, so two DashX projects on one origin never share a Visitor.
 * localStorage can throw on any access (disabled storage, sandboxed iframes,
 * a zero quota); the first throw switches this page to memory for good.
 */
import { nanoid } from 'nanoid'

const PREFIX = 'dashx'

/** nanoid's alphabet; 16 to 64 characters also admits UUIDs made by other DashX SDKs. */
const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/

export interface KeyValueStore {
  readonly kind: 'local' | 'memory'
  get(key: string): string | null
  /** False when the value did not fit (a full quota); the store keeps working. */
  set(key: string, value: string): boolean
  remove(key: string): void
  /** Every key that starts with `prefix`. */
  keys(prefix: string): string[]
}

/** Shared by every element on the page, so they agree even without storage. */
const memory = new Map<string, string>()

const memoryStore: KeyValueStore = {
  kind: 'memory',
  get: (key) => memory.get(key) ?? null,
  set: (key, value) => Boolean(memory.set(key, value)),
  remove: (key) => void memory.delete(key),
  keys: (prefix) => [...memory.keys()].filter((key) => key.startsWith(prefix)),
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22)
}

function localKeys(storage: Storage, prefix: string): string[] {
  const keys: string[] = []
  for (let index = 0; index < storage.length; index++) {
    const key = storage.key(index)
    if (key?.startsWith(prefix)) keys.push(key)
  }
  return keys
}

let fallenBack = false

function local(): Storage {
  if (fallenBack) throw new Error('storage unavailable')
  return window.localStorage
}

/**
 * localStorage while it works, memory after it first throws. `onFallback` is
 * told once, so the element can mention it under `debug`.
 */
export function deviceStore(onFallback: (error: unknown) => void): KeyValueStore {
  const attempt = <T>(use: (storage: Storage) => T, instead: () => T): T => {
    try {
      return use(local())
    } catch (error) {
      if (!fallenBack) onFallback(error)
      fallenBack = true
      return instead()
    }
  }

  return {
    get kind() {
      return fallenBack ? 'memory' : 'local'
    },
    get: (key) => attempt((s) => s.getItem(key), () => memoryStore.get(key)),
    set: (key, value) => {
      try {
        local().setItem(key, value)
      } catch (error) {
        // A full quota is not broken storage: the write is refused, the rest keeps working.
        if (isQuotaError(error)) return false
        return attempt(() => false, () => memoryStore.set(key, value))
      }
      memoryStore.set(key, value)
      return true
    },
    remove: (key) => {
      memoryStore.remove(key)
      attempt((s) => s.removeItem(key), () => undefined)
    },
    keys: (prefix) => attempt((s) => localKeys(s, prefix), () => memoryStore.keys(prefix)),
  }
}

/** Keys of one DashX project and environment. */
export function storageKeys(publicKey: string, targetEnvironment: string) {
  const namespace = `${PREFIX}:${publicKey}:${targetEnvironment}`
  return {
    namespace,
    anonymousUid: `${namespace}:anonymous_uid`,
    /** The remembered User: `{ uid, token, expiresAt }`. */
    user: `${namespace}:user`,
    /** Calls accepted and not yet delivered, in chunks under `outbox:…`. */
    outbox: `${namespace}:outbox`,
    /** The calls one tab is sending right now. */
    sending: `${namespace}:sending`,
    /** The Web Lock that lets one tab send at a time. */
    sendLock: `${namespace}:send`,
    /** The last refresh request any tab made, so tabs sharing a token ask once. */
    refresh: `${namespace}:refresh`,
  }
}

export type StorageKeys = ReturnType<typeof storageKeys>

/** Parses stored JSON, or gives `fallback` for anything missing, damaged or of the wrong shape. */
export function readJson<T>(store: KeyValueStore, key: string, valid: (value: unknown) => T | null, fallback: T): T {
  const text = store.get(key)
  if (text === null) return fallback
  try {
    return valid(JSON.parse(text)) ?? fallback
  } catch {
    return fallback
  }
}

export function isVisitorId(value: unknown): value is string {
  return typeof value === 'string' && VISITOR_ID.test(value)
}

export function newVisitorId(): string {
  return nanoid()
}

/** Reads the stored Visitor id, or makes and stores a new one if it is missing or damaged. */
export function loadVisitorId(store: KeyValueStore, key: string): string {
  const stored = store.get(key)
  if (isVisitorId(stored)) return stored

  const fresh = newVisitorId()
  store.set(key, fresh)
  return fresh
}
