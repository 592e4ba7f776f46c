/**
 * Web Locks, where the page may use them. They are missing in old browsers
 * and refused in opaque origins (a sandboxed iframe); then `fn` runs without
 * one, which is safe for a single tab and documented for several.
 */
export async function withLock<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  if (!locks) return fn()

  let ran = false
  try {
    return await locks.request(name, () => {
      ran = true
      return fn()
    })
  } catch (error) {
    // The lock was refused (a SecurityError); a failure inside `fn` is the caller's.
    if (ran) throw error
    return fn()
  }
}

const heldHere = new Set<string>()

/**
 * Runs `fn` only if no other tab holds `name` right now, and keeps holding it
 * for `holdMs` afterwards. A write to localStorage reaches other tabs a moment
 * after it is made, so a tab that asks just after this one must still find
 * the lock taken rather than read a storage that has not caught up.
 */
export function ifFree(name: string, holdMs: number, fn: () => void): void {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  // This page holds it already: it is the one that may go on.
  if (!locks || heldHere.has(name)) return fn()

  const held = locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return
    heldHere.add(name)
    try {
      fn()
      // Not setTimeout: the hold is about other tabs, on the real clock, whatever the page does to timers.
      await new Promise((resolve) => AbortSignal.timeout(holdMs).addEventListener('abort', resolve))
    } finally {
      heldHere.delete(name)
    }
  })
  // Refused (an opaque origin): this tab is alone as far as it can tell.
  held.catch(() => fn())
}

/**
 * How many requests for `name` are held or waiting right now, in every tab of
 * the origin; null where the browser cannot tell.
 */
export async function lockRequests(name: string): Promise<number | null> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks
  if (!locks) return null

  try {
    const { held = [], pending = [] } = await locks.query()
    return [...held, ...pending].filter((lock) => lock.name === name).length
  } catch {
    return null
  }
}
