/**
 * Where the element keeps its state on the device.
 *
 * Every key lives under one prefix and is namespaced by public key and target
 * environment, so two DashX projects on one origin never share a Visitor.
 *
 * Storage is hostile in practice: localStorage throws in sandboxed iframes,
 * with storage disabled, or with a zero quota; cookies are blocked; private
 * modes throw on write. `local` therefore falls back to a first-party cookie,
 * then to memory, at the first throw, and stays there for the page's life.
 * A cookie holds only the Visitor id: it is small, travels with every request
 * to the site, and must never carry a token.
 */
import { nanoid } from 'nanoid'

const PREFIX = 'dashx'

/** nanoid's alphabet; 16 to 64 characters also admits UUIDs made by other DashX SDKs. */
const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/

/** How long the Visitor cookie lives: a year, renewed on every visit. */
export const COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60

/** A write this small that fails for want of room means the store cannot be used at all. */
const SMALL_WRITE = 1024

export type StorageKind = 'local' | 'session' | 'cookie' | 'memory'

export interface KeyValueStore {
  /** The store in use now; `local` may have fallen back to `cookie` or `memory`. */
  readonly kind: StorageKind
  get(key: string): string | null
  /** False when a large value did not fit (a full quota); the store keeps working. */
  set(key: string, value: string): boolean
  remove(key: string): void
  /** Every key that starts with `prefix`. */
  keys(prefix: string): string[]
}

/** One place to keep strings. Its methods throw when the place cannot be used. */
interface Layer {
  kind: StorageKind
  get(key: string): string | null
  set(key: string, value: string): void
  remove(key: string): void
  keys(prefix: string): string[]
}

export function memoryLayer(map = new Map<string, string>()): Layer {
  return {
    kind: 'memory',
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
    keys: (prefix) => [...map.keys()].filter((key) => key.startsWith(prefix)),
  }
}

/** Shared by every element on the page, so they agree even without storage. */
const pageMemory = memoryLayer()

/** While consent is pending: nothing reaches the device, and the page's elements still agree. */
const pendingMemory = memoryLayer()

/** A store that keeps everything in this page's memory until consent is given. */
export function consentPendingStore(): KeyValueStore {
  return {
    kind: 'memory',
    get: (key) => pendingMemory.get(key),
    set: (key, value) => {
      pendingMemory.set(key, value)
      return true
    },
    remove: (key) => pendingMemory.remove(key),
    keys: (prefix) => pendingMemory.keys(prefix),
  }
}

function webStorageLayer(kind: 'local' | 'session'): Layer {
  const storage = () => (kind === 'local' ? window.localStorage : window.sessionStorage)
  return {
    kind,
    get: (key) => storage().getItem(key),
    set: (key, value) => storage().setItem(key, value),
    remove: (key) => storage().removeItem(key),
    keys: (prefix) => {
      const found: string[] = []
      const store = storage()
      for (let index = 0; index < store.length; index++) {
        const key = store.key(index)
        if (key?.startsWith(prefix)) found.push(key)
      }
      return found
    },
  }
}

/** First-party cookies for Visitor ids; everything else stays in memory. */
function cookieLayer(domain: string | null): Layer {
  const name = (key: string) => encodeURIComponent(key)
  // Only the element's own cookies are read: another cookie of the site may not be valid
  // percent-encoding, and must not make this store look broken.
  const read = () => {
    const jar = new Map<string, string>()
    for (const pair of document.cookie.split('; ')) {
      const at = pair.indexOf('=')
      if (at < 1 || !pair.startsWith(`${PREFIX}%3A`)) continue
      try {
        jar.set(decodeURIComponent(pair.slice(0, at)), decodeURIComponent(pair.slice(at + 1)))
      } catch {
        // A damaged cookie of ours reads as missing, and is written afresh.
      }
    }
    return jar
  }
  const write = (key: string, value: string, maxAge: number) => {
    const secure = location.protocol === 'https:' ? '; Secure' : ''
    const scope = domain ? `; Domain=${domain}` : ''
    const encoded = encodeURIComponent(value)
    // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Firefox and Safari.
    document.cookie = `${name(key)}=${encoded}; Path=/; Max-Age=${maxAge}; SameSite=Lax${scope}${secure}`
  }

  return {
    kind: 'cookie',
    get: (key) => (isVisitorKey(key) ? (read().get(key) ?? null) : pageMemory.get(key)),
    set: (key, value) => {
      if (!isVisitorKey(key)) return pageMemory.set(key, value)
      write(key, value, COOKIE_MAX_AGE_SECONDS)
      // A blocked cookie is dropped without a word: read it back.
      if (read().get(key) !== value) throw new Error('cookies are blocked')
    },
    remove: (key) => {
      if (isVisitorKey(key)) write(key, '', 0)
      pageMemory.remove(key)
    },
    keys: (prefix) => [
      ...[...read().keys()].filter((key) => key.startsWith(prefix)),
      ...pageMemory.keys(prefix),
    ],
  }
}

function isVisitorKey(key: string): boolean {
  return key.endsWith(':anonymous_uid')
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22)
}

/** Layers that threw once on this page, by kind; they are not tried again. */
const broken = new Set<StorageKind>()

/**
 * The store for a `storage` attribute value. `onFallback` is told each time
 * a layer is given up, so the element can mention it under `debug`.
 */
export function deviceStore(
  kind: StorageKind,
  cookieDomain: string | null,
  onFallback: (from: StorageKind, error: unknown) => void,
): KeyValueStore {
  const chain: Layer[] = []
  if (kind === 'local' || kind === 'session') chain.push(webStorageLayer(kind))
  if (kind === 'local' || kind === 'cookie') chain.push(cookieLayer(cookieDomain))
  chain.push(pageMemory)

  const layer = () => chain.find((candidate) => !broken.has(candidate.kind)) ?? pageMemory
  const attempt = <T>(use: (layer: Layer) => T): T => {
    for (;;) {
      const current = layer()
      try {
        return use(current)
      } catch (error) {
        if (current === pageMemory) throw error
        broken.add(current.kind)
        onFallback(current.kind, error)
      }
    }
  }

  // A Visitor id a failing store could not keep may be in the cookie below it;
  // found there, it goes back up to the store in use.
  const below = (key: string) => {
    const current = layer()
    for (const place of chain.slice(chain.indexOf(current) + 1)) {
      if (place.kind === 'memory') break
      let value: string | null = null
      try {
        value = place.get(key)
      } catch {
        // Not usable either; the element carries on with what it has.
      }
      if (!isVisitorId(value)) continue
      try {
        current.set(key, value)
      } catch {
        // The store in use cannot keep it: the cookie goes on keeping it.
      }
      return value
    }
    return null
  }

  return {
    get kind() {
      return layer().kind
    },
    get: (key) => attempt((current) => current.get(key)) ?? (isVisitorKey(key) ? below(key) : null),
    set: (key, value) =>
      attempt((current) => {
        try {
          current.set(key, value)
          return true
        } catch (error) {
          // A full quota refuses a large write; the store still works for small ones.
          if (isQuotaError(error) && value.length > SMALL_WRITE) return false
          throw error
        }
      }),
    remove: (key) => attempt((current) => current.remove(key)),
    keys: (prefix) => attempt((current) => current.keys(prefix)),
  }
}

/** Removes every key under `prefix` from every place the element may have used. */
export function eraseEverywhere(prefix: string, cookieDomain: string | null): void {
  const places = [webStorageLayer('local'), webStorageLayer('session'), cookieLayer(cookieDomain)]
  for (const place of [...places, pageMemory, pendingMemory]) {
    try {
      for (const key of place.keys(prefix)) place.remove(key)
    } catch {
      // A place this page cannot use holds nothing of ours.
    }
  }
}

/** Keys of one DashX project and environment. */
export function storageKeys(publicKey: string, targetEnvironment: string) {
  const namespace = `${PREFIX}:${publicKey}:${targetEnvironment}`
  return {
    namespace,
    anonymousUid: `${namespace}:anonymous_uid`,
    /** The remembered User: `{ uid, token, expiresAt, receivedAt }`. */
    user: `${namespace}:user`,
    /** Calls accepted and not yet delivered, in chunks under `outbox:…`. */
    outbox: `${namespace}:outbox`,
    /** The Web Lock that lets one tab send at a time. */
    sendLock: `${namespace}:send`,
    /** The last refresh request any tab made, so tabs sharing a token ask once. */
    refresh: `${namespace}:refresh`,
    /** The Web Lock under which a first visit settles on one Visitor id. */
    visitorLock: `${namespace}:visitor`,
  }
}

export type StorageKeys = ReturnType<typeof storageKeys>

/** Parses stored JSON, or gives `fallback` for anything missing, damaged or of the wrong shape. */
export function readJson<T>(
  store: KeyValueStore,
  key: string,
  valid: (value: unknown) => T | null,
  fallback: T,
): T {
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
