import { expect } from '@esm-bundle/chai'

import type { DashxSessionElement } from '../src/index.js'
import { clearBackend, login, PUBLIC_KEY, received, sleep, waitFor } from './helpers.js'

const VISITOR_KEY = `dashx:${PUBLIC_KEY}::anonymous_uid`

type FrameWindow = Window & { session?: DashxSessionElement; refreshes?: number }

/** A same-origin frame with its own copy of the element, as a second tab would have. */
async function frame(name: string): Promise<FrameWindow> {
  const element = document.createElement('iframe')
  element.name = name
  element.srcdoc = `
    <dashx-session public-key="${PUBLIC_KEY}" base-uri="/graphql"></dashx-session>
    <script type="module">
      import '/src/index.ts'
      window.refreshes = 0
      window.session = document.querySelector('dashx-session')
      window.session.addEventListener('dashx-token-refresh', () => window.refreshes++)
    </script>`
  document.body.append(element)
  const view = element.contentWindow as FrameWindow
  await waitFor(() => view.session?.hasUpdated)
  return view
}

async function twoFramesWithAUser(lifetimeSeconds: number) {
  const a = await frame('a')
  const b = await frame('b')
  const { token } = await login('framed', lifetimeSeconds)
  a.session!.setIdentity('framed', token)
  await waitFor(() => b.session!.identity.kind === 'user')
  return { a, b }
}

describe('frames of one origin', () => {
  beforeEach(() => clearBackend())
  afterEach(() => {
    for (const element of document.querySelectorAll('iframe')) element.remove()
    localStorage.clear()
  })

  it('a reset in one frame makes the other the same new Visitor, with no token and no refresh', async () => {
    const { a, b } = await twoFramesWithAUser(4)

    a.session!.reset()
    const fresh = a.session!.anonymousUid
    await waitFor(() => b.session!.anonymousUid === fresh)
    await b.session!.track('After Reset')
    await b.session!.flush()
    await sleep(2500)

    const { received: sent, requests } = await received()
    expect(sent.map((operation) => operation.input.accountAnonymousUid)).to.deep.equal([fresh])
    expect(sent[0].input).to.not.have.property('accountUid')
    expect(requests[0].headers['x-identity-token'] ?? null).to.equal(null)
    expect(b.refreshes).to.equal(0)
  })

  it('the page clearing storage makes both frames one new Visitor, with no token', async () => {
    const { a, b } = await twoFramesWithAUser(600)
    const before = a.session!.anonymousUid

    localStorage.clear()
    await waitFor(
      () => b.session!.identity.kind === 'visitor' && a.session!.identity.kind === 'visitor',
    )
    await sleep(100)
    await b.session!.track('After Clear')
    await b.session!.flush()

    const { received: sent } = await received()
    expect(sent[0].input.accountAnonymousUid).to.not.equal(before)
    expect(sent[0].input.accountAnonymousUid).to.equal(localStorage.getItem(VISITOR_KEY))
    expect(a.session!.anonymousUid).to.equal(b.session!.anonymousUid)
    expect(sent[0].input).to.not.have.property('accountUid')
  })
})

describe('a sandboxed frame without allow-same-origin', () => {
  beforeEach(() => clearBackend())

  it('connects, tracks twice with one id, and the page’s later scripts still run', async () => {
    const response = await fetch('/dist/dashx-session.classic.js')
    expect(response.ok, 'the classic build exists (npm run build)').to.equal(true)
    const embed = (await response.text()).replaceAll('</script', '<\\/script')
    const element = document.createElement('iframe')
    element.setAttribute('sandbox', 'allow-scripts')
    element.srcdoc = `
      <dashx-session public-key="${PUBLIC_KEY}" base-uri="${location.origin}/graphql"></dashx-session>
      <script>${embed}</script>
      <script>
        const session = document.querySelector('dashx-session')
        Promise.all([session.track('Sandboxed 1'), session.track('Sandboxed 2')])
          .then(() => session.flush())
          .then(() => parent.postMessage({ id: session.anonymousUid, later: window.later }, '*'))
      </script>
      <script>window.later = 'ran'</script>`
    const reply = new Promise<{ id: string; later: string }>((resolve) => {
      window.addEventListener('message', (event) => resolve(event.data), { once: true })
    })
    document.body.append(element)

    const { id, later } = await reply
    const { received: sent } = await received()
    element.remove()

    expect(later).to.equal('ran')
    expect(id).to.match(/^[A-Za-z0-9_-]{21}$/)
    expect(sent.map((operation) => operation.input.accountAnonymousUid)).to.deep.equal([id, id])
  })
})
