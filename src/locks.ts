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
