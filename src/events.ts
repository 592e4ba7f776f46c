/**
 * The events `<dashx-session>` listens for and dispatches, with their detail
 * types. Every event bubbles and is composed, so it crosses shadow roots.
 */

/** Who the element acts for: a Visitor (before login) or a User. */
export interface DashxIdentity {
  kind: 'visitor' | 'user'
  /** The User's id, or `null` for a Visitor. */
  uid: string | null
  /** The Visitor id kept on this device. */
  anonymousUid: string
}

/** Profile fields `identify` accepts (the fields of DashX's `IdentifyAccountInput`). */
export interface DashxTraits {
  email?: string
  phone?: string
  name?: string
  firstName?: string
  lastName?: string
  /** Alias of `firstName`. */
  first_name?: string
  /** Alias of `lastName`. */
  last_name?: string
}

/** Detail of the `dashx-track` request event. */
export interface DashxTrackDetail {
  event: string
  data?: Record<string, unknown>
}

/** Detail of `dashx-ready`. */
export interface DashxReadyDetail {
  anonymousUid: string
}

/** Detail of `dashx-token-refresh` and `dashx-token-expired`; `expiresAt` is epoch milliseconds. */
export interface DashxTokenDetail {
  uid: string
  expiresAt: number
}

/** Every code a `dashx-error` event may carry. The README explains each one. */
export type DashxErrorCode =
  | 'config'
  | 'invalid-traits'
  | 'invalid-event'
  | 'data-coerced'
  | 'network'
  | 'server'
  | 'rejected'
  | 'queue-full'
  | 'consent-denied'
  | 'token-malformed'
  | 'token-kind'
  | 'token-uid-mismatch'
  | 'token-expired'
  | 'events-dropped'

/** Detail of `dashx-error`. */
export interface DashxErrorDetail {
  code: DashxErrorCode
  message: string
}

/** Events a page sends to the element. */
export interface DashxRequestEventMap {
  'dashx-identify': CustomEvent<DashxTraits | undefined>
  'dashx-track': CustomEvent<DashxTrackDetail>
  'dashx-reset': CustomEvent<undefined>
}

/** Events the element sends to the page. */
export interface DashxNotificationEventMap {
  'dashx-ready': CustomEvent<DashxReadyDetail>
  'dashx-identity-change': CustomEvent<DashxIdentity>
  'dashx-error': CustomEvent<DashxErrorDetail>
  'dashx-token-refresh': CustomEvent<DashxTokenDetail>
  'dashx-token-expired': CustomEvent<DashxTokenDetail>
}

export type DashxEventMap = DashxRequestEventMap & DashxNotificationEventMap

export type DashxRequestEvent = CustomEvent<DashxTraits | DashxTrackDetail | undefined>
export type DashxReadyEvent = DashxNotificationEventMap['dashx-ready']
export type DashxIdentityChangeEvent = DashxNotificationEventMap['dashx-identity-change']
export type DashxErrorEvent = DashxNotificationEventMap['dashx-error']
export type DashxTokenRefreshEvent = DashxNotificationEventMap['dashx-token-refresh']
export type DashxTokenExpiredEvent = DashxNotificationEventMap['dashx-token-expired']

export const REQUEST_EVENTS = ['dashx-identify', 'dashx-track', 'dashx-reset'] as const

declare global {
  // Lets `addEventListener('dashx-error', e => e.detail.code)` type-check on
  // any element, on document and on window.
  interface HTMLElementEventMap extends DashxEventMap {}
  interface DocumentEventMap extends DashxEventMap {}
  interface WindowEventMap extends DashxEventMap {}
}
