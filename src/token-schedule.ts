/**
 * When to ask the app for a new token, on the wall clock.
 *
 * Timers are the wrong clock for this: setTimeout overflows above 2^31−1 ms
 * and fires at once, background tabs throttle it, and a sleeping laptop
 * pauses it. So a timer here is only a hint to look at the clock; `check()`
 * decides from `Date.now()` alone, and the element also calls it whenever the
 * page wakes (visibilitychange, pageshow, focus, online).
 */

/** The longest delay setTimeout honours. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1

/**
 * Ask this long before expiry by default, but never earlier than halfway
 * through the token's life: a 2-minute token is refreshed after 1 minute, a
 * 1-week token 5 minutes before it ends.
 */
export const DEFAULT_REFRESH_BEFORE_SECONDS = 300

/** Unanswered refresh requests are repeated after 5 s, 10 s, 20 s… until expiry. */
export const FIRST_REPEAT_GAP_MS = 5000

export interface ScheduleHost {
  refresh(): void
  expired(): void
}

export class TokenSchedule {
  #host: ScheduleHost
  #timer: ReturnType<typeof setTimeout> | undefined
  #expiresAt = Infinity
  #nextRefreshAt = Infinity
  #gapMs = FIRST_REPEAT_GAP_MS
  #refreshed = false
  #expired = false
  /** Bumped by start(), so a handler that sets a new token mid-check wins over the old plan. */
  #generation = 0

  constructor(host: ScheduleHost) {
    this.#host = host
  }

  /** Plans the refresh of a token received at `receivedAt` that ends at `expiresAt`. */
  start(expiresAt: number, receivedAt: number, refreshBeforeSeconds: number | null): void {
    const lifetime = expiresAt - receivedAt
    const lead =
      refreshBeforeSeconds === null
        ? Math.min(DEFAULT_REFRESH_BEFORE_SECONDS * 1000, lifetime / 2)
        : refreshBeforeSeconds * 1000

    this.#generation += 1
    this.#expiresAt = expiresAt
    this.#nextRefreshAt = expiresAt - lead
    this.#gapMs = FIRST_REPEAT_GAP_MS
    this.#refreshed = false
    this.#expired = false
    this.check()
  }

  stop(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    this.#expiresAt = Infinity
    this.#nextRefreshAt = Infinity
  }

  /** Fires whatever is due by the wall clock, then waits for the next thing. */
  check(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (this.#expiresAt === Infinity || this.#expired) return

    const now = Date.now()
    const generation = this.#generation
    if (now >= this.#expiresAt) return this.#expire(generation)
    if (now >= this.#nextRefreshAt) this.#refresh(now)
    if (generation === this.#generation) this.#wake(Math.min(this.#nextRefreshAt, this.#expiresAt))
  }

  #refresh(now: number): void {
    this.#refreshed = true
    this.#nextRefreshAt = now + this.#gapMs
    this.#gapMs *= 2
    this.#host.refresh()
  }

  /** A page that slept through the refresh time still gets one refresh request, then the expiry. */
  #expire(generation: number): void {
    this.#expired = true
    if (!this.#refreshed) this.#host.refresh()
    if (generation === this.#generation) this.#host.expired()
  }

  #wake(at: number): void {
    clearTimeout(this.#timer)
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMEOUT_MS)
    this.#timer = setTimeout(() => this.check(), delay)
  }
}
