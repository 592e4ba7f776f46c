/**
 * Routes request events (`dashx-identify`, `dashx-track`, `dashx-reset`) to
 * exactly one element: the nearest enclosing `<dashx-session>`, or else the
 * first one connected to the page.
 *
 * Each element listens on itself, so it hears events from its own subtree,
 * closed shadow roots included, and the innermost one hears them first. A
 * listener on window takes whatever no element took: events from elsewhere
 * in the page and events dispatched on window itself.
 */
import { takeEarlyRequests } from './early.js'
import { REQUEST_EVENTS } from './events.js'

/** Handles one request; `at` is when it was made, if not now. */
export type RequestHandler = (type: string, detail: unknown, at?: number) => void

/** Connected elements in the order they connected. */
const handlers = new Map<EventTarget, RequestHandler>()
const taken = new WeakSet<Event>()

function take(event: Event, handler: RequestHandler | undefined): void {
  if (!handler || taken.has(event) || !(event instanceof CustomEvent)) return
  taken.add(event)
  handler(event.type, event.detail)
}

function fromAnywhere(event: Event): void {
  take(event, first())
}

function first(): RequestHandler | undefined {
  return handlers.values().next().value
}

/** Requests kept by the early snippet go where they would have gone, oldest first. */
function replayEarlyRequests(): void {
  for (const { type, detail, at, path } of takeEarlyRequests()) {
    const nearest = path.find((node) => handlers.has(node))
    const handler = nearest ? handlers.get(nearest) : first()
    handler?.(type, detail, at)
  }
}

export function listenForRequests(element: HTMLElement, handler: RequestHandler): () => void {
  if (handlers.size === 0) {
    for (const type of REQUEST_EVENTS) window.addEventListener(type, fromAnywhere)
    // After every element already in the page has connected, so each finds its own.
    queueMicrotask(replayEarlyRequests)
  }
  handlers.set(element, handler)

  const fromInside = (event: Event) => take(event, handlers.get(element))
  for (const type of REQUEST_EVENTS) element.addEventListener(type, fromInside)

  return () => {
    for (const type of REQUEST_EVENTS) element.removeEventListener(type, fromInside)
    handlers.delete(element)
    if (handlers.size > 0) return
    for (const type of REQUEST_EVENTS) window.removeEventListener(type, fromAnywhere)
  }
}
