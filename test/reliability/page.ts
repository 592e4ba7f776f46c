// The page the reliability scenarios drive: the element, and a record of every
// fetch it makes, so a scenario can check keepalive bodies and when they started.
import '../../src/index.js'

interface Sent {
  keepalive: boolean
  bytes: number
  startedAt: number
  endedAt: number | null
  /** Started while a test's event handler was still running. */
  inHandler: boolean
}

const sent: Sent[] = []
let handling = false
const originalFetch = window.fetch.bind(window)

window.fetch = (input, init) => {
  const bytes = typeof init?.body === 'string' ? new TextEncoder().encode(init.body).length : 0
  const record: Sent = {
    keepalive: init?.keepalive === true,
    bytes,
    startedAt: performance.now(),
    endedAt: null,
    inHandler: handling,
  }
  sent.push(record)
  const finish = () => (record.endedAt = performance.now())
  const request = originalFetch(input, init)
  request.then(finish, finish)
  return request
}

/** Runs `dispatch` as an event handler would, marking fetches that start inside it. */
function inHandler(dispatch: () => void): void {
  handling = true
  try {
    dispatch()
  } finally {
    handling = false
  }
}

/** Makes the page look hidden and tells it so, as a tab switch or a closing tab would. */
function hide(): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
  inHandler(() => document.dispatchEvent(new Event('visibilitychange')))
}

function show(): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' })
  document.dispatchEvent(new Event('visibilitychange'))
}

Object.assign(window, {
  sent,
  inHandler,
  hide,
  show,
  session: document.querySelector('dashx-session'),
})
