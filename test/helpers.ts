import '../src/index.js'
import type { DashxSessionElement } from '../src/index.js'

export const PUBLIC_KEY = 'demo-public-key'

export interface ReceivedOperation {
  operation: 'identifyAccount' | 'trackEvent'
  input: Record<string, any>
  publicKey: string
  targetEnvironment: string | null
  tokenUid: string | null
  duplicate: boolean
}

export interface ReceivedRequest {
  status: number
  origin: string | null
  operations: number
  headers: Record<string, string | string[] | undefined> & { customHeaders: string[] }
}

export interface Received {
  received: ReceivedOperation[]
  requests: ReceivedRequest[]
  duplicates: number
}

/** What the local DashX backend has accepted so far. */
export async function received(base = ''): Promise<Received> {
  const response = await fetch(`${base}/__dashx/received`)
  return response.json()
}

export async function clearBackend(base = ''): Promise<void> {
  await fetch(`${base}/__dashx/received`, { method: 'DELETE' })
}

export async function backendConfig(): Promise<{ publicKey: string; crossOriginUrl: string }> {
  return (await fetch('/__dashx/config')).json()
}

export async function login(uid: string, lifetimeSeconds?: number) {
  const response = await fetch('/demo/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ uid, lifetimeSeconds }),
  })
  return (await response.json()) as { uid: string; token: string; expiresAt: number }
}

export async function sign(payload: Record<string, unknown>, lifetimeSeconds?: number) {
  const response = await fetch('/__dashx/sign', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ payload, lifetimeSeconds }),
  })
  return ((await response.json()) as { token: string }).token
}

/**
 * Appends `<dashx-session>` with these attributes and waits for its first
 * update. `base-uri` defaults to the local backend, never the real API.
 */
export async function mount(
  attributes: Record<string, string> = { 'public-key': PUBLIC_KEY },
  parent: Node = document.body,
): Promise<DashxSessionElement> {
  const element = document.createElement('dashx-session')
  const all = { 'base-uri': '/graphql', ...attributes }
  for (const [name, value] of Object.entries(all)) element.setAttribute(name, value)
  parent.appendChild(element)
  await element.updateComplete
  return element
}

/** Collects the events of one type that reach `target`. */
export function collect<T = unknown>(target: EventTarget, type: string): CustomEvent<T>[] {
  const events: CustomEvent<T>[] = []
  target.addEventListener(type, (event) => events.push(event as CustomEvent<T>))
  return events
}

// Kept before any test fakes the clock.
const realSetTimeout = window.setTimeout.bind(window)
export const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms))

/** Polls `probe` until it returns something other than null, undefined or false. */
export async function waitFor<T>(
  probe: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 4000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`waitFor timed out: ${probe}`)
    await sleep(25)
  }
}

export function dispatch(target: EventTarget, type: string, detail?: unknown): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
}

/** Lets every element finish sending, so nothing of this test reaches the next one's backend. */
export async function cleanUp(): Promise<void> {
  const elements = [...document.querySelectorAll('dashx-session')]
  await Promise.all(elements.map((element) => element.flush()))
  for (const element of elements) element.remove()
  // Some browsers' test pages share one profile: leave no Visitor cookie to the next file.
  for (const pair of document.cookie.split('; ')) {
    const name = pair.split('=')[0]
    if (decodeURIComponent(name).startsWith('dashx:'))
      document.cookie = `${name}=; Max-Age=0; Path=/`
  }
  document.body.replaceChildren()
  localStorage.clear()
}

export interface FakeClock {
  /** Every delay given to setTimeout while the clock was installed. */
  delays: number[]
  /** Moves time on, running the timers that fall due, in order. */
  tick(ms: number): void
  /** Moves the wall clock on without running timers, as a sleeping laptop does. */
  jump(ms: number): void
  /** Timers still waiting. */
  pending(): number
  restore(): void
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1

/** Replaces Date.now, setTimeout and clearTimeout with a clock the test drives. */
export function fakeClock(): FakeClock {
  const real = { now: Date.now, setTimeout: window.setTimeout, clearTimeout: window.clearTimeout }
  const timers = new Map<number, { at: number; run: () => void }>()
  const delays: number[] = []
  let now = Date.now()
  let nextId = 1

  Date.now = () => now
  window.setTimeout = ((run: () => void, delay = 0) => {
    delays.push(delay)
    // Like browsers: a delay above the 32-bit limit overflows and fires at once.
    const wait = delay > MAX_TIMEOUT_MS ? 0 : Math.max(0, delay)
    timers.set(nextId, { at: now + wait, run })
    return nextId++
  }) as typeof window.setTimeout
  window.clearTimeout = ((id: number) => void timers.delete(id)) as typeof window.clearTimeout

  const due = (end: number) =>
    [...timers.entries()]
      .filter(([, timer]) => timer.at <= end)
      .sort((a, b) => a[1].at - b[1].at)[0]

  return {
    delays,
    tick(ms) {
      const end = now + ms
      for (let next = due(end); next; next = due(end)) {
        const [id, timer] = next
        timers.delete(id)
        now = Math.max(now, timer.at)
        timer.run()
      }
      now = end
    },
    jump(ms) {
      now += ms
    },
    pending: () => timers.size,
    restore() {
      Object.assign(Date, { now: real.now })
      Object.assign(window, { setTimeout: real.setTimeout, clearTimeout: real.clearTimeout })
    },
  }
}
