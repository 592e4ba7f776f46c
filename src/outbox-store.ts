/**
 * The outbox as it is kept on the device, shared by every tab of the origin.
 *
 * Calls are written in small chunks, each under its own key, so that a burst
 * of thousands is saved a slice at a time instead of in one long write, and so
 * that tabs never write the same key at once: a tab only ever creates chunks,
 * and only the tab that holds the send lock edits or deletes them.
 */
import { nanoid } from 'nanoid'

import type { Operation } from './outbox.js'
import type { KeyValueStore } from './storage.js'

/** Operations per chunk: small enough to write in well under a millisecond. */
export const CHUNK_SIZE = 250

/** The queue never holds more than this many calls… */
export const MAX_QUEUED = 10_000
/** …or this many characters, leaving most of the origin's 5 MB for the page itself. */
export const MAX_QUEUED_CHARS = 3_000_000

interface Chunk {
  key: string
  operations: Operation[]
  chars: number
}

/** This page's name in chunk keys; chunks sort by the time they were written. */
const writer = nanoid(6)
let sequence = 0

export class OutboxStore {
  #store: KeyValueStore
  #prefix: string
  #claimKey: string
  /** Parsed chunks by key, reused while the stored text is unchanged. */
  #parsed = new Map<string, { text: string; operations: Operation[] }>()

  /** Chunks live under `prefix:…`; the claim of the tab that is sending under `claimKey`. */
  constructor(store: KeyValueStore, prefix: string, claimKey: string) {
    this.#store = store
    this.#prefix = `${prefix}:`
    this.#claimKey = claimKey
  }

  /** Marks calls as being sent by this tab until `until`; `claim([], 0)` lifts the claim. */
  claim(ids: string[], until: number): void {
    if (ids.length === 0) this.#store.remove(this.#claimKey)
    else this.#store.set(this.#claimKey, JSON.stringify({ ids, until }))
  }

  /** Calls some tab is sending right now. */
  claimed(): Set<string> {
    try {
      const claim = JSON.parse(this.#store.get(this.#claimKey) ?? 'null')
      const live = claim && claim.until > Date.now() && Array.isArray(claim.ids)
      return new Set(live ? claim.ids : [])
    } catch {
      return new Set()
    }
  }

  /** Writes new operations as one chunk. False if the device refused it (quota). */
  append(operations: Operation[]): boolean {
    if (operations.length === 0) return true
    const stamp = `${Date.now().toString(36).padStart(9, '0')}.${writer}.${sequence++}`
    return this.#store.set(this.#prefix + stamp, JSON.stringify(operations))
  }

  /** Every stored operation, oldest first. */
  read(): Operation[] {
    return this.#chunks().flatMap((chunk) => chunk.operations)
  }

  /** Deletes these operations wherever they are stored. */
  remove(ids: Set<string>): void {
    this.#rewrite((operation) => (ids.has(operation.id) ? null : operation))
  }

  /** Replaces stored operations by id, e.g. to mark them. */
  update(changed: Map<string, Operation>): void {
    this.#rewrite((operation) => changed.get(operation.id) ?? operation)
  }

  /** Drops the oldest operations beyond the bounds; returns how many went. */
  trim(maxCount = MAX_QUEUED, maxChars = MAX_QUEUED_CHARS): number {
    const chunks = this.#chunks()
    let count = chunks.reduce((sum, chunk) => sum + chunk.operations.length, 0)
    let chars = chunks.reduce((sum, chunk) => sum + chunk.chars, 0)
    let dropped = 0

    for (const chunk of chunks) {
      if (count <= maxCount && chars <= maxChars) break
      this.#store.remove(chunk.key)
      count -= chunk.operations.length
      chars -= chunk.chars
      dropped += chunk.operations.length
    }
    return dropped
  }

  clear(): void {
    for (const chunk of this.#chunks()) this.#store.remove(chunk.key)
  }

  #rewrite(change: (operation: Operation) => Operation | null): void {
    for (const chunk of this.#chunks()) {
      const kept = chunk.operations.map(change).filter((operation) => operation !== null)
      const same = kept.length === chunk.operations.length && kept.every((op, i) => op === chunk.operations[i])
      if (same) continue
      if (kept.length === 0) this.#store.remove(chunk.key)
      else this.#store.set(chunk.key, JSON.stringify(kept))
    }
  }

  #chunks(): Chunk[] {
    const keys = this.#store.keys(this.#prefix).sort()
    const chunks = keys.map((key) => {
      const text = this.#store.get(key) ?? '[]'
      const known = this.#parsed.get(key)
      const operations = known?.text === text ? known.operations : parseOperations(text)
      this.#parsed.set(key, { text, operations })
      return { key, operations, chars: text.length }
    })
    for (const key of this.#parsed.keys()) if (!keys.includes(key)) this.#parsed.delete(key)
    return chunks
  }
}

function parseOperations(text: string): Operation[] {
  try {
    return validOperations(JSON.parse(text))
  } catch {
    return []
  }
}

/** Keeps the well-formed operations of a stored chunk and drops the rest. */
export function validOperations(value: unknown): Operation[] {
  if (!Array.isArray(value)) return []
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
