/**
 * `<dashx-session>` in a React 19 app. React renders the element like any tag: attributes as
 * attributes, `token` as a property, and `ondashx-…` props as listeners for those events (see
 * src/react.ts). The app talks to the element only through events.
 */
import 'dashx-session'

import type { DashxIdentity } from 'dashx-session'
import type {} from 'dashx-session/react'
import { type MouseEvent, StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'

interface Login {
  uid: string
  token: string
}

function App() {
  const [identity, setIdentity] = useState<DashxIdentity | null>(null)
  const [login, setLogin] = useState<Login | null>(null)
  const [status, setStatus] = useState('')

  async function logIn(uid: string) {
    try {
      setLogin(await postLogin(uid))
      setStatus(`Logged in as ${uid}.`)
    } catch (error) {
      setStatus(`Login failed: ${String(error)}`)
    }
  }

  function logOut(event: MouseEvent) {
    // reset() forgets the User and starts a new Visitor; the app forgets its login too.
    event.currentTarget.dispatchEvent(
      new CustomEvent('dashx-reset', { bubbles: true, composed: true }),
    )
    setLogin(null)
    setStatus('Logged out.')
  }

  return (
    <dashx-session
      public-key="demo-public-key"
      base-uri="/graphql"
      target-environment="demo"
      user-id={login?.uid}
      token={login?.token}
      ondashx-ready={(event) => setIdentity(visitor(event.detail.anonymousUid))}
      ondashx-identity-change={(event) => setIdentity(event.detail)}
    >
      <main className="layout">
        <section className="panel">
          <h1>React 19</h1>
          <IdentityView identity={identity} />
        </section>
        <section className="panel">
          <h2>Log in and out</h2>
          <div className="actions">
            <button type="button" onClick={() => logIn('react-user')}>
              Log in
            </button>
            <button type="button" onClick={logOut}>
              Log out
            </button>
          </div>
          <p id="login-status" className="status" role="status">
            {status}
          </p>
        </section>
        <section className="panel">
          <h2>Track</h2>
          <TrackButton event="React Button Clicked" />
        </section>
      </main>
    </dashx-session>
  )
}

/** Knows nothing of the element: it only dispatches a request event that bubbles up to it. */
function TrackButton({ event }: { event: string }) {
  function track(click: MouseEvent<HTMLButtonElement>) {
    const detail = { event, data: { framework: 'react' } }
    click.currentTarget.dispatchEvent(
      new CustomEvent('dashx-track', { detail, bubbles: true, composed: true }),
    )
  }
  return (
    <button type="button" onClick={track}>
      Track
    </button>
  )
}

function IdentityView({ identity }: { identity: DashxIdentity | null }) {
  return (
    <dl className="facts">
      <dt>Kind</dt>
      <dd id="identity-kind">{identity ? kindName(identity) : 'Loading…'}</dd>
      <dt>anonymous_uid</dt>
      <dd>
        <code id="identity-anonymous-uid">{identity?.anonymousUid}</code>
      </dd>
      <dt>uid</dt>
      <dd>
        <code id="identity-uid">{identity?.uid ?? '—'}</code>
      </dd>
    </dl>
  )
}

function visitor(anonymousUid: string): DashxIdentity {
  return { kind: 'visitor', uid: null, anonymousUid }
}

function kindName(identity: DashxIdentity): string {
  return identity.kind === 'user' ? 'User' : 'Visitor'
}

/** Plays the app's backend: the local DashX stand-in mints a token for the demo. */
async function postLogin(uid: string): Promise<Login> {
  const response = await fetch('/demo/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ uid }),
  })
  if (!response.ok) throw new Error(`/demo/login answered ${response.status}`)
  return response.json()
}

const root = document.getElementById('root')
if (!root) throw new Error('demo: #root is missing from index.html')
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
