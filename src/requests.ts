/**
 * Routes request events (`dashx-identify`, `dashx-track`, `dashx-reset`) to
 * exactly one element: the nearest enclosing `<dashx-session>` in the event's
 * composed path, or else the first one connected to the page.
 *
 * One capturing listener on window sees every such event first, wherever it
 * was dispatched (in the document, inside shadow roots, or on window itself),
 * so no event can reach two elements.
 */
import { REQUEST_EVENTS } from './events.js'

export type RequestHandler = (event: CustomEvent) => void

/** Connected elements in the order they connected. */
const handlers = new Map<EventTarget, RequestHandler>()

function route(event: Event): void {
  if (!(event instanceof CustomEvent)) return

  const nearest = event.composedPath().find((node) => handlers.has(node))
  const handler = nearest ? handlers.get(nearest) : handlers.values().next().value
  handler?.(event)
}

export function listenForRequests(element: EventTarget, handler: RequestHandler): void {
  if (handlers.size === 0) {
    for (const type of REQUEST_EVENTS) window.addEventListener(type, route, { capture: true })
  }
  handlers.set(element, handler)
}

export function stopListeningForRequests(element: EventTarget): void {
  handlers.delete(element)
  if (handlers.size > 0) return
  for (const type of REQUEST_EVENTS) window.removeEventListener(type, route, { capture: true })
}
