/**
 * The outbox as it is kept on the device, shared by every tab of the origin.
 *
 * Calls are written in small chunks, each under its own key, so that a burst
 * of thousands is saved a slice at a time instead of in one long write, and so
 * that tabs never write the same key at once: a tab only ever creates chunks,
 * and only the tab that holds the send lock edits or deletes them.
 *
 * When the device has no room for a chunk (the page's own data filled it),
 * the chunk stays in this page's memory and is sent from there like any other;
 * it is lost only if the page closes before it goes.
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
  /**
   * The chunks as this tab last saw them. Its own writes keep it current.
   * Every write by any tab also leaves a new mark under `#markKey`; a read
   * that finds a mark it did not leave scans storage again. Reading the whole
   * queue on every send would copy megabytes each time.
   */
  #view: Map<string, Chunk> | null = null
  #markKey: string
  #mark: string | null = null
  #pauseKey: string
  #pausedUntil = 0
  /** Chunks the device had no room for. */
  #memory = new Map<string, Chunk>()

  /** Chunks live under `prefix:…`. */
  constructor(store: KeyValueStore, prefix: string) {
    this.#store = store
    this.#prefix = `${prefix}:`
    this.#markKey = `${prefix}-mark`
    this.#pauseKey = `${prefix}-paused`
  }

  /** No tab sends before `at` (epoch ms): a server asked to wait, or kept failing. */
  pauseUntil(at: number): void {
    this.#pausedUntil = at
    if (at === 0) this.#store.remove(this.#pauseKey)
    else this.#store.set(this.#pauseKey, JSON.stringify(at))
  }

  /**
   * No pause is ever set for longer than `maxMs`: one further off was set while the clock was
   * ahead, or is damaged, and is dropped rather than stall sending in every tab.
   */
  pausedUntil(maxMs: number): number {
    const stored = Number(this.#store.get(this.#pauseKey) ?? 0)
    const until = Number.isFinite(stored) ? Math.max(stored, this.#pausedUntil) : this.#pausedUntil
    if (until <= Date.now() + maxMs) return until
    this.pauseUntil(0)
    return 0
  }

  /** Writes new operations as one chunk. False if the device had no room: they stay in memory. */
  append(operations: Operation[]): boolean {
    if (operations.length === 0) return true
    const stamp = `${Date.now().toString(36).padStart(9, '0')}.${writer}.${sequence++}`
    const key = this.#prefix + stamp
    const text = JSON.stringify(operations)
    const chunk = { key, operations, chars: text.length }
    if (!this.#store.set(key, text)) {
      this.#memory.set(key, chunk)
      return false
    }
    this.#view?.set(key, chunk)
    this.#leaveMark()
    return true
  }

  /** Another tab changed the stored queue: read it afresh next time. */
  invalidate(): void {
    this.#view = null
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
    const drop = new Set<string>()

    for (const operation of chunks.flatMap((chunk) => chunk.operations)) {
      if (count <= maxCount && chars <= maxChars) break
      drop.add(operation.id)
      count -= 1
      // About this call's share of its chunk's characters.
      chars -= JSON.stringify(operation).length + 1
    }
    if (drop.size > 0) this.remove(drop)
    return drop.size
  }

  clear(): void {
    for (const chunk of this.#chunks()) this.#delete(chunk.key)
  }

  #delete(key: string): void {
    if (this.#memory.delete(key)) return
    this.#store.remove(key)
    this.#view?.delete(key)
    this.#leaveMark()
  }

  #leaveMark(): void {
    const fresh = this.#store.get(this.#markKey) === this.#mark
    // JSON like every other record, so a check of stored state finds nothing odd.
    this.#mark = JSON.stringify(nanoid(8))
    this.#store.set(this.#markKey, this.#mark)
    if (!fresh) this.#view = null
  }

  #rewrite(change: (operation: Operation) => Operation | null): void {
    for (const chunk of this.#chunks()) {
      const kept = chunk.operations.map(change).filter((operation) => operation !== null)
      const same =
        kept.length === chunk.operations.length && kept.every((op, i) => op === chunk.operations[i])
      if (same) continue
      if (kept.length === 0) {
        this.#delete(chunk.key)
        continue
      }
      const text = JSON.stringify(kept)
      const changed = { key: chunk.key, operations: kept, chars: text.length }
      if (this.#memory.has(chunk.key)) {
        this.#memory.set(chunk.key, changed)
        continue
      }
      this.#store.set(chunk.key, text)
      this.#view?.set(chunk.key, changed)
      this.#leaveMark()
    }
  }

  #chunks(): Chunk[] {
    if (this.#store.get(this.#markKey) !== this.#mark) this.#view = null
    if (!this.#view) {
      this.#mark = this.#store.get(this.#markKey)
      this.#view = new Map()
      for (const key of this.#store.keys(this.#prefix)) {
        const text = this.#store.get(key) ?? '[]'
        const operations = parseOperations(text)
        // Not even JSON (a crash mid-write, a hand edit): nothing in it can be sent.
        if (operations === null) this.#store.remove(key)
        else this.#view.set(key, { key, operations, chars: text.length })
      }
    }
    const chunks = [...this.#view.values(), ...this.#memory.values()]
    return chunks.sort((a, b) => (a.key < b.key ? -1 : 1))
  }
}

function parseOperations(text: string): Operation[] | null {
  try {
    return validOperations(JSON.parse(text))
  } catch {
    return null
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
