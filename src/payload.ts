/**
 * Turns what a page passes to `identify` and `track` into DashX inputs, or
 * explains precisely why it cannot. Nothing here throws.
 */
import type { DashxTraits } from './events.js'

export const LIBRARY = { name: 'dashx-session', version: '0.1.0' }

/** Trait keys `identify` takes, mapped to their `IdentifyAccountInput` field. */
const TRAIT_FIELDS: Record<string, keyof DashxTraits> = {
  email: 'email',
  phone: 'phone',
  name: 'name',
  firstName: 'firstName',
  lastName: 'lastName',
  first_name: 'firstName',
  last_name: 'lastName',
}

/** Fields the element fills in itself from its identity and attributes. */
const IDENTITY_FIELDS = new Set(['uid', 'anonymousUid', 'targetEnvironment', 'systemContext'])

/**
 * One call's input, as UTF-8 JSON, at most: every request is a keepalive
 * request, kept under 30 KiB (see outbox.ts), and the request adds the
 * document and the system context around the call.
 */
export const MAX_CALL_BYTES = 28 * 1024

const encoder = new TextEncoder()

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string }

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

export function checkTraits(traits: unknown): Checked<Record<string, string>> {
  if (traits === undefined || traits === null) return { ok: true, value: {} }
  if (!isPlainObject(traits)) {
    return { ok: false, message: 'identify() takes a plain object of traits, e.g. { email }.' }
  }

  const fields: Record<string, string> = {}
  for (const [key, value] of Object.entries(traits)) {
    // A form field left empty often arrives as undefined: it is simply not sent.
    if (value === undefined) continue
    const field = TRAIT_FIELDS[key]
    if (IDENTITY_FIELDS.has(key)) {
      return { ok: false, message: `Trait "${key}" is set by the element; use user-id and token.` }
    }
    if (!field) {
      const allowed = Object.keys(TRAIT_FIELDS).join(', ')
      return { ok: false, message: `Unknown trait "${key}". Allowed: ${allowed}.` }
    }
    if (typeof value !== 'string') {
      return { ok: false, message: `Trait "${key}" must be a string, not ${describe(value)}.` }
    }
    if (field in fields && fields[field] !== value) {
      return { ok: false, message: `Trait "${key}" conflicts with "${field}".` }
    }
    fields[field] = value
  }
  return { ok: true, value: fields }
}

export function checkEventName(event: unknown): Checked<string> {
  if (typeof event !== 'string' || event.trim() === '') {
    return { ok: false, message: `track() needs a non-empty event name, not ${describe(event)}.` }
  }
  return { ok: true, value: event }
}

/** Result of making `data` safe for JSON: the copy, and the paths that had to change. */
export interface Coerced {
  value: Record<string, unknown>
  changed: string[]
}

export function coerceData(data: unknown): Checked<Coerced | undefined> {
  if (data === undefined || data === null) return { ok: true, value: undefined }
  if (!isPlainObject(data)) {
    return { ok: false, message: `track() data must be a plain object, not ${describe(data)}.` }
  }

  const changed: string[] = []
  const value = toJsonObject(data, 'data', new WeakSet(), changed)
  return { ok: true, value: { value, changed } }
}

const OMIT = Symbol('omit')

function toJsonObject(
  source: object,
  path: string,
  seen: WeakSet<object>,
  changed: string[],
): Record<string, unknown> {
  seen.add(source)
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(source)) {
    const safe = toJson(value, `${path}.${key}`, seen, changed)
    if (safe !== OMIT) copy[key] = safe
  }
  seen.delete(source)
  return copy
}

/**
 * One value, the way JSON would carry it, except that nothing is lost
 * silently: each change is named in `changed`. Arrays keep their length, so a
 * value JSON cannot carry becomes null there instead of being left out.
 */
function toJson(value: unknown, path: string, seen: WeakSet<object>, changed: string[]): unknown {
  if (value === undefined) return OMIT
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value

  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value
    changed.push(path)
    return null
  }
  if (typeof value === 'bigint') {
    changed.push(path)
    return value.toString()
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    changed.push(path)
    return OMIT
  }
  return objectToJson(value as object, path, seen, changed)
}

function objectToJson(value: object, path: string, seen: WeakSet<object>, changed: string[]) {
  if (seen.has(value)) {
    changed.push(path)
    return '[Circular]'
  }
  if (value instanceof Date) {
    changed.push(path)
    return Number.isNaN(value.getTime()) ? null : value.toISOString()
  }
  if (value instanceof Error) {
    changed.push(path)
    return { name: value.name, message: value.message }
  }
  if (ArrayBuffer.isView(value)) {
    changed.push(path)
    return Array.from(value as unknown as ArrayLike<number>, Number)
  }
  if (typeof Node !== 'undefined' && value instanceof Node) {
    changed.push(path)
    return OMIT
  }
  if (Array.isArray(value)) {
    seen.add(value)
    const items = value.map((item, index) => {
      const safe = toJson(item, `${path}[${index}]`, seen, changed)
      return safe === OMIT ? null : safe
    })
    seen.delete(value)
    return items
  }
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return toJson((value as { toJSON(): unknown }).toJSON(), path, seen, changed)
  }
  if (value instanceof Map) {
    changed.push(path)
    return toJsonObject(Object.fromEntries(value), path, seen, changed)
  }
  if (value instanceof Set) {
    changed.push(path)
    return toJson([...value], path, seen, changed)
  }
  return toJsonObject(value, path, seen, changed)
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (value === undefined) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : 'a string'
  if (typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'unknown'}`
  return typeof value === 'object' ? 'an object' : `a value of type ${typeof value}`
}

/** The call's size when it is over MAX_CALL_BYTES, else null. */
export function oversize(input: Record<string, unknown>): number | null {
  const json = JSON.stringify(input)
  // A UTF-16 code unit is at most 3 bytes of UTF-8: most calls need no encoding to be measured.
  if (json.length * 3 <= MAX_CALL_BYTES) return null
  const bytes = encoder.encode(json).length
  return bytes > MAX_CALL_BYTES ? bytes : null
}

let context: ReturnType<typeof readSystemContext> | null = null

/**
 * What DashX's `SystemContextInput` asks for, as far as a browser can know it.
 * Read once per page: resolving the time zone is slow, and it goes into every batch.
 */
export function systemContext() {
  context ??= readSystemContext()
  return context
}

/** Reads the system context while the page is idle, so that the first send does not wait for it. */
export function prepareSystemContext(): void {
  if (context) return
  // Safari has no requestIdleCallback.
  const whenIdle = window.requestIdleCallback ?? ((read: () => void) => setTimeout(read, 50))
  whenIdle(() => systemContext())
}

function readSystemContext() {
  return {
    // A page cannot see its public address; DashX fills it in from the request.
    ipV4: 'NA',
    userAgent: navigator.userAgent,
    locale: navigator.language,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: {
      width: window.screen.width,
      height: window.screen.height,
      density: Math.round(window.devicePixelRatio || 1),
    },
    library: LIBRARY,
  }
}
