/**
 * The demo page's own script. It drives `<dashx-session>` only the way a static site can
 * (attributes, request events, notification events, read-only properties), plays the app's
 * backend for login and token refresh, and shows what the local DashX backend received.
 * Everything on screen is written with textContent: the data comes from users and servers.
 */

interface Identity {
  kind: 'visitor' | 'user'
  uid: string | null
  anonymousUid: string
}

/** The part of the element this page reads; the rest goes through attributes and events. */
interface SessionView extends HTMLElement {
  readonly identity?: Identity
  readonly tokenExpiresAt?: Date | null
  userId: string | null
  token: string | null
}

interface TokenGrant {
  uid: string
  token: string
  expiresAt: number
}

interface ReceivedEntry {
  operation: string
  alias: string
  input: Record<string, unknown>
  tokenUid: string | null
  requestId: number
  receivedAt: number
  duplicate: boolean
}

interface ReceivedReport {
  received: ReceivedEntry[]
  duplicates: number
}

const POLL_INTERVAL_MS = 1000
const EVENT_LOG_LIMIT = 100

const NOTIFICATIONS = [
  'dashx-ready',
  'dashx-identity-change',
  'dashx-error',
  'dashx-token-refresh',
  'dashx-token-expired',
]

const session = find<SessionView>('dashx-session')
let shownReport = ''

function find<T extends Element>(selector: string): T {
  const element = document.querySelector<T>(selector)
  if (!element) throw new Error(`demo: ${selector} is missing from index.html`)
  return element
}

function setText(selector: string, text: string): void {
  find(selector).textContent = text
}

function clock(at: number | Date = Date.now()): string {
  return new Date(at).toLocaleTimeString()
}

/** Request events bubble and are composed, as the element's interface asks. */
function sendRequest(type: string, detail?: unknown): void {
  session.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
}

async function postJson<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const result = await response.json()
  if (!response.ok) throw new Error(result.error ?? `${path} answered ${response.status}`)
  return result as T
}

function renderIdentity(): void {
  const identity = session.identity
  if (!identity) return

  setText('#identity-kind', identity.kind === 'user' ? 'User' : 'Visitor')
  setText('#identity-anonymous-uid', identity.anonymousUid)
  setText('#identity-uid', identity.uid ?? '—')
  renderExpiry()
}

/** Redrawn every second, so the countdown runs without any event. */
function renderExpiry(): void {
  const output = find('#identity-expiry')
  const expiresAt = session.tokenExpiresAt ?? null
  const secondsLeft = expiresAt ? Math.round((expiresAt.getTime() - Date.now()) / 1000) : 0

  output.classList.toggle('is-expired', expiresAt !== null && secondsLeft <= 0)
  if (!expiresAt) {
    output.textContent = '—'
    return
  }
  output.textContent =
    secondsLeft > 0
      ? `in ${duration(secondsLeft)} (at ${clock(expiresAt)})`
      : `expired ${duration(-secondsLeft)} ago`
}

function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60)
  return minutes > 0 ? `${minutes}m ${seconds % 60}s` : `${seconds}s`
}

function logEvent(title: string, text: string, isError = false): void {
  const item = document.createElement('li')
  const heading = document.createElement('strong')
  heading.textContent = `${clock()} ${title}`
  item.append(heading, ` ${text}`)
  item.classList.toggle('is-error', isError)

  const log = find('#event-log')
  log.prepend(item)
  while (log.children.length > EVENT_LOG_LIMIT) log.lastElementChild?.remove()
}

function describeDetail(type: string, detail: unknown): string {
  if (type === 'dashx-error') {
    const { code, message } = detail as { code: string; message: string }
    return `${code}: ${message}`
  }
  if (type === 'dashx-token-refresh' || type === 'dashx-token-expired') {
    const { uid, expiresAt } = detail as { uid: string; expiresAt: number }
    return `uid ${uid}, token expires ${clock(expiresAt)}`
  }
  return JSON.stringify(detail)
}

function onNotification(event: Event): void {
  const { type, detail } = event as CustomEvent<unknown>
  logEvent(type, describeDetail(type, detail), type === 'dashx-error')

  if (type === 'dashx-token-refresh') void refreshToken(detail as { uid: string })
  renderIdentity()
}

/** Plays the app: its backend mints a new token, and the page hands it to the element. */
async function refreshToken({ uid }: { uid: string }): Promise<void> {
  try {
    const grant = await postJson<TokenGrant>('/demo/refresh', { uid })
    // A property, not an attribute: the token stays out of the DOM.
    session.token = grant.token
    logEvent('refresh answered', `new token for ${uid} expires ${clock(grant.expiresAt)}`)
  } catch (error) {
    logEvent('refresh failed', String(error), true)
  }
  renderIdentity()
}

async function onLogin(event: SubmitEvent): Promise<void> {
  event.preventDefault()
  const form = event.currentTarget as HTMLFormElement
  const uid = String(new FormData(form).get('uid') ?? '').trim()
  if (!uid) return

  try {
    const grant = await postJson<TokenGrant>('/demo/login', { uid })
    session.userId = grant.uid
    session.token = grant.token
    setText('#login-status', `Logged in as ${grant.uid}.`)
  } catch (error) {
    setText('#login-status', `Login failed: ${String(error)}`)
  }
  renderIdentity()
}

function onLogout(): void {
  // reset() clears user-id and token on the element itself.
  sendRequest('dashx-reset')
  setText('#login-status', 'Logged out.')
  renderIdentity()
}

function onIdentify(event: SubmitEvent): void {
  event.preventDefault()
  const form = event.currentTarget as HTMLFormElement

  const traits: Record<string, string> = {}
  for (const [name, value] of new FormData(form)) {
    if (typeof value === 'string' && value.trim() !== '') traits[name] = value.trim()
  }
  sendRequest('dashx-identify', traits)
}

function onTrack(event: SubmitEvent): void {
  event.preventDefault()
  const form = event.currentTarget as HTMLFormElement
  const fields = new FormData(form)
  const name = String(fields.get('event') ?? '').trim()

  const data = parseData(String(fields.get('data') ?? ''))
  if (data === false) {
    setText('#track-status', 'Data must be a JSON object, e.g. {"plan": "pro"}.')
    return
  }

  setText('#track-status', '')
  sendRequest('dashx-track', data === undefined ? { event: name } : { event: name, data })
}

/** Returns the object, undefined for an empty field, or false when it is not a JSON object. */
function parseData(text: string): Record<string, unknown> | undefined | false {
  if (text.trim() === '') return undefined
  try {
    const value: unknown = JSON.parse(text)
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value)
    return isObject ? (value as Record<string, unknown>) : false
  } catch {
    return false
  }
}

function renderReceived(report: ReceivedReport): void {
  const { received, duplicates } = report
  const signature = `${received.length}:${duplicates}:${received.at(-1)?.requestId ?? 0}`
  if (signature === shownReport) return
  shownReport = signature

  const count = received.length === 1 ? '1 operation' : `${received.length} operations`
  setText('#received-summary', `${count}, ${duplicates} duplicate(s).`)
  find('#received-list').replaceChildren(...[...received].reverse().map(receivedItem))
}

function receivedItem(entry: ReceivedEntry): HTMLLIElement {
  const item = document.createElement('li')
  const heading = document.createElement('strong')
  const token = entry.tokenUid === null ? 'no token' : `token for ${entry.tokenUid}`
  heading.textContent =
    `${clock(entry.receivedAt)} #${entry.requestId} ${entry.operation} ` +
    `(${entry.alias}), ${token}${entry.duplicate ? ', DUPLICATE' : ''}`

  // systemContext is the same on every call and would drown the interesting fields.
  const { systemContext, ...fields } = entry.input
  const body = document.createElement('pre')
  body.textContent = JSON.stringify(fields, null, 2) + (systemContext ? '\n+ systemContext' : '')

  item.append(heading, body)
  item.classList.toggle('is-error', entry.duplicate)
  return item
}

/** Polls one request at a time, so a slow answer never piles up requests. */
async function pollReceived(): Promise<void> {
  try {
    const response = await fetch('/__dashx/received')
    if (!response.ok) throw new Error(`answered ${response.status}`)
    renderReceived(await response.json())
  } catch (error) {
    shownReport = ''
    setText('#received-summary', `The backend could not be read: ${String(error)}`)
  }
  setTimeout(pollReceived, POLL_INTERVAL_MS)
}

function start(): void {
  for (const type of NOTIFICATIONS) session.addEventListener(type, onNotification)
  find<HTMLFormElement>('#login-form').addEventListener('submit', onLogin)
  find('#logout').addEventListener('click', onLogout)
  find<HTMLFormElement>('#identify-form').addEventListener('submit', onIdentify)
  find<HTMLFormElement>('#track-form').addEventListener('submit', onTrack)

  void customElements.whenDefined('dashx-session').then(renderIdentity)
  setInterval(renderExpiry, 1000)
  void pollReceived()
}

start()
