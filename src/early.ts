/**
 * Request events a page dispatched before the element's module loaded.
 *
 * The README's inline snippet (`src/dashx-early.js`, shipped in dist/) listens
 * on window and keeps each request event in `window.dashxEarly` as
 * `[type, detail, timestamp, path]` until `<dashx-session>` is defined. When
 * the first element connects, the router replays them in order, each with
 * the time it was made.
 */

export interface EarlyRequest {
  type: string
  detail: unknown
  /** Epoch milliseconds, when the page dispatched it. */
  at: number
  /** The event's composed path then, to find the nearest element. */
  path: EventTarget[]
}

declare global {
  interface Window {
    dashxEarly?: unknown[]
  }
}

/** Takes what the snippet kept, oldest first, and leaves nothing behind to replay twice. */
export function takeEarlyRequests(): EarlyRequest[] {
  const kept = window.dashxEarly
  if (!Array.isArray(kept)) return []
  window.dashxEarly = []

  return kept.flatMap((entry) => {
    if (!Array.isArray(entry)) return []
    const [type, detail, at, path] = entry
    if (typeof type !== 'string' || typeof at !== 'number') return []
    return [{ type, detail, at, path: Array.isArray(path) ? path : [] }]
  })
}
