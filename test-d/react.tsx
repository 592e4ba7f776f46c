// React 19 JSX typing of <dashx-session>. Checked by `tsc -p test-d`; never run.

import type { DashxIdentity, DashxSessionElement } from 'dashx-session'
import type {} from 'dashx-session/react'
import type { RefObject } from 'react'

export function Session(props: { token: string; ref: RefObject<DashxSessionElement | null> }) {
  return (
    <dashx-session
      ref={props.ref}
      public-key="key"
      base-uri="/graphql"
      user-id="user-1"
      token={props.token}
      refresh-before={60}
      no-remember
      ondashx-identity-change={(event) => {
        const identity: DashxIdentity = event.detail
        return identity.kind
      }}
      ondashx-token-refresh={(event) => event.detail.expiresAt.toFixed()}
      ondashx-error={(event) => event.detail.code}
    >
      <p>Children render as usual.</p>
    </dashx-session>
  )
}

// TypeScript lets any dashed attribute name through (data-*, aria-*), so a misspelt
// `public-kee` cannot be caught; the values of the known ones are checked.
export function Wrong() {
  return (
    <>
      {/* @ts-expect-error refresh-before is a number */}
      <dashx-session refresh-before="soon" />
      {/* @ts-expect-error the detail of dashx-error has no uid */}
      <dashx-session ondashx-error={(event) => event.detail.uid} />
      {/* @ts-expect-error a token is a string */}
      <dashx-session token={42} />
    </>
  )
}
