/**
 * Reading a DashX Identity Token in the browser.
 *
 * The signature cannot be checked here (the key must never reach a page); the
 * server checks it. The element only decodes the payload to learn whose token
 * it is and when to ask for a new one.
 *
 * Client clocks are often wrong by minutes or hours. When the token says when
 * it was issued (`iat`), its life is measured from the moment the element
 * received it, which is when it was minted as far as this page can tell; the
 * server still refuses a token that really is dead, and the element then holds
 * its calls and asks for a new one.
 */
import { jwtDecode } from 'jwt-decode'

import type { DashxErrorCode } from './events.js'

export interface TokenInfo {
  uid: string
  /** Epoch milliseconds on this device's clock. */
  expiresAt: number
}

export type TokenCheck =
  | { ok: true; info: TokenInfo }
  | { ok: false; code: DashxErrorCode; message: string }

const MAX_EXP_SECONDS = 1e11

interface Claims {
  uid?: unknown
  kind?: unknown
  exp?: unknown
  iat?: unknown
}

/** Checks that `token` is a live USER token for `userId`; `now` is when it was received. */
export function checkToken(token: string, userId: string, now = Date.now()): TokenCheck {
  if (token.split('.').length !== 3) {
    return refuse('token-malformed', 'The token is not a JWT (three dot-separated parts).')
  }

  let claims: Claims
  try {
    claims = jwtDecode<Claims>(token)
  } catch (error) {
    return refuse('token-malformed', `The token is not a readable JWT (${messageOf(error)}).`)
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    return refuse('token-malformed', 'The token payload is not a JSON object.')
  }

  if (claims.kind !== 'USER') {
    return refuse(
      'token-kind',
      `The token's kind is ${JSON.stringify(claims.kind)}; expected "USER".`,
    )
  }

  const uid = uidOf(claims.uid)
  if (uid === null || uid !== userId) {
    const said = uid === null ? 'no uid' : `uid "${uid}"`
    return refuse('token-uid-mismatch', `The token has ${said} but user-id is "${userId}".`)
  }

  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    return refuse('token-malformed', 'The token has no numeric exp (expiry) claim.')
  }
  // Past the year 5000 in seconds: almost surely milliseconds, which JWTs never use.
  if (claims.exp > MAX_EXP_SECONDS) {
    return refuse('token-malformed', 'The token exp is not in seconds since 1970.')
  }

  const expiresAt = localExpiry(claims.exp, claims.iat, now)
  if (expiresAt <= now) {
    return refuse(
      'token-expired',
      'Incorrect Identity Token: Expired. Fetch a new token for this User.',
    )
  }
  return { ok: true, info: { uid, expiresAt } }
}

/** The expiry on this device's clock: from `iat` when the token has it, else `exp` as it is. */
function localExpiry(exp: number, iat: unknown, receivedAt: number): number {
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return exp * 1000
  return receivedAt + (exp - iat) * 1000
}

/** Backends may emit a numeric uid: 42 and "42" are the same User. */
function uidOf(uid: unknown): string | null {
  if (typeof uid === 'number' && Number.isFinite(uid)) return String(uid)
  if (typeof uid === 'string' && uid !== '') return uid
  return null
}

function refuse(code: DashxErrorCode, message: string): TokenCheck {
  return { ok: false, code, message }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Enough of a token to tell two apart in a log, never enough to use it. */
export function redact(token: string): string {
  return `…${token.slice(-6)}`
}
