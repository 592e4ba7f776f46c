// The static pages' script: plain JavaScript as a site without a build step writes it, a
// classic script so that it also runs on pages that cannot use modules. It works the element
// only through attributes and events, so it runs before or after the element is defined.
;(() => {
  const session = document.querySelector('dashx-session')
  const show = (selector, text) => {
    document.querySelector(selector).textContent = text
  }

  function showIdentity({ kind, uid, anonymousUid }) {
    show('#identity-kind', kind === 'user' ? 'User' : 'Visitor')
    show('#identity-anonymous-uid', anonymousUid)
    show('#identity-uid', uid ?? '—')
  }

  async function logIn() {
    const response = await fetch('/demo/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uid: 'static-user' }),
    })
    if (!response.ok) return show('#login-status', `Login failed: ${response.status}`)

    const { uid, token } = await response.json()
    session.setAttribute('user-id', uid)
    session.setAttribute('token', token)
    show('#login-status', `Logged in as ${uid}.`)
  }

  function request(from, type, detail) {
    from.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }

  session.addEventListener('dashx-ready', (event) => {
    showIdentity({ kind: 'visitor', uid: null, anonymousUid: event.detail.anonymousUid })
  })
  session.addEventListener('dashx-identity-change', (event) => showIdentity(event.detail))
  // Had the element been defined first, dashx-ready would be gone: read the identity then.
  customElements.whenDefined('dashx-session').then(() => showIdentity(session.identity))
  document.querySelector('#log-in').addEventListener('click', logIn)
  document.querySelector('#log-out').addEventListener('click', (event) => {
    request(event.currentTarget, 'dashx-reset')
    show('#login-status', 'Logged out.')
  })
  document.querySelector('#track').addEventListener('click', (event) => {
    const detail = { event: document.body.dataset.trackEvent, data: { page: 'static' } }
    request(event.currentTarget, 'dashx-track', detail)
  })
})()
