import { expect } from '@esm-bundle/chai'

import type { DashxErrorDetail } from '../src/index.js'
import {
  cleanUp,
  clearBackend,
  collect,
  dispatch,
  fakeClock,
  login,
  mount,
  PUBLIC_KEY,
  received,
  sleep,
  waitFor,
} from './helpers.js'

async function operations(count: number) {
  return waitFor(async () => {
    const all = (await received()).received
    return all.length >= count ? all : null
  })
}

describe('switching Users', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('a call made right after setting another User is that User’s, with a new Visitor id', async () => {
    const element = await mount({
      'public-key': PUBLIC_KEY,
      'user-id': 'A',
      token: (await login('A', 600)).token,
    })
    const visitorOfA = element.anonymousUid
    const tokenOfB = (await login('B', 600)).token

    element.userId = 'B'
    element.token = tokenOfB
    await element.track('Right Away')
    const [operation] = await operations(1)

    expect(operation.input.accountUid).to.equal('B')
    expect(operation.input.accountAnonymousUid).to.not.equal(visitorOfA)
  })

  it('a User who leaves without reset() hands the next User a new Visitor', async () => {
    const element = await mount({
      'public-key': PUBLIC_KEY,
      'user-id': 'A',
      token: (await login('A', 600)).token,
    })
    await element.identify({ email: 'a@example.com' })

    element.removeAttribute('token')
    element.removeAttribute('user-id')
    await element.updateComplete
    element.setIdentity('B', (await login('B', 600)).token)
    await element.identify({ email: 'b@example.com' })
    const [first, second] = await operations(2)

    expect(first.input.anonymousUid).to.not.equal(second.input.anonymousUid)
  })

  it('a page naming another User than the one remembered starts a new Visitor', async () => {
    const first = await mount({
      'public-key': PUBLIC_KEY,
      'user-id': 'N',
      token: (await login('N', 600)).token,
    })
    const visitorOfN = first.anonymousUid
    first.remove()

    const second = await mount({
      'public-key': PUBLIC_KEY,
      'user-id': 'OTHER',
      token: (await login('OTHER', 600)).token,
    })

    expect(second.identity.uid).to.equal('OTHER')
    expect(second.anonymousUid).to.not.equal(visitorOfN)
  })

  it('remembers the User for the next page that names none', async () => {
    const first = await mount({
      'public-key': PUBLIC_KEY,
      'user-id': 'M',
      token: (await login('M', 600)).token,
    })
    const visitor = first.anonymousUid
    first.remove()

    const second = await mount()

    expect(second.identity).to.deep.equal({ kind: 'user', uid: 'M', anonymousUid: visitor })
  })

  it('does not remember the User with no-remember', async () => {
    const first = await mount({
      'public-key': PUBLIC_KEY,
      'user-id': 'M',
      token: (await login('M', 600)).token,
      'no-remember': '',
    })
    first.remove()

    const second = await mount()

    expect(second.identity.kind).to.equal('visitor')
  })

  it('takes a numeric user-id as the same User as a string uid', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    element.userId = 42 as unknown as string
    element.token = (await login('42', 600)).token
    await element.updateComplete

    expect(errors).to.have.length(0)
    expect(element.identity.uid).to.equal('42')
  })
})

describe('bad configuration', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('reports a base-uri that is not a URL instead of throwing, and keeps the calls', async () => {
    const failures: unknown[] = []
    const onRejection = (event: PromiseRejectionEvent) => failures.push(event.reason)
    window.addEventListener('unhandledrejection', onRejection)
    const element = await mount({ 'public-key': PUBLIC_KEY, 'base-uri': 'http://[::1' })
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    await element.track('Kept')
    await element.flush()
    element.baseUri = '/graphql'
    await operations(1)
    window.removeEventListener('unhandledrejection', onRejection)

    expect(failures).to.deep.equal([])
    expect(errors.map((error) => error.detail.code)).to.include('config')
  })

  it('reports a token that is not a string as token-malformed', async () => {
    const element = await mount({ 'public-key': PUBLIC_KEY, 'user-id': 'u-1' })
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    element.token = 12345 as unknown as string
    await element.updateComplete

    expect(errors.map((error) => error.detail.code)).to.deep.equal(['token-malformed'])
  })

  it('sends calls made before public-key even when target-environment came first', async () => {
    const element = await mount({ 'target-environment': 'production' })

    await element.track('Early')
    element.publicKey = PUBLIC_KEY
    const [operation] = await operations(1)

    expect(operation.input.event).to.equal('Early')
    expect(operation.targetEnvironment).to.equal('production')
  })

  it('ignores a refresh-before that is not a number of seconds', async () => {
    const clock = fakeClock()
    try {
      const element = await mount({
        'public-key': PUBLIC_KEY,
        'user-id': 'u-1',
        token: (await login('u-1', 120)).token,
        'refresh-before': 'soon',
      })
      const refreshes = collect(element, 'dashx-token-refresh')
      clock.tick(1000)
      const timers = clock.delays.length

      clock.tick(60_000)
      await sleep(20)

      expect(timers).to.be.below(10)
      expect(refreshes).to.have.length(1)
    } finally {
      clock.restore()
    }
  })
})

describe('moving the element', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('keeps sending after it is moved to another parent', async () => {
    const element = await mount()
    const elsewhere = document.createElement('section')
    document.body.append(elsewhere)

    await element.track('Moved')
    elsewhere.append(element)
    const [operation] = await operations(1)

    expect(operation.input.event).to.equal('Moved')
  })

  it('routes an event inside a closed shadow root to the element there', async () => {
    const outer = await mount({ 'public-key': PUBLIC_KEY, 'target-environment': 'outer' })
    const host = document.createElement('div')
    const root = host.attachShadow({ mode: 'closed' })
    document.body.append(host)
    const inner = await mount({ 'public-key': PUBLIC_KEY, 'target-environment': 'inner' }, root)
    const button = document.createElement('button')
    inner.append(button)

    dispatch(button, 'dashx-track', { event: 'Closed' })
    await Promise.all([outer.flush(), inner.flush()])
    const [operation] = await operations(1)

    expect(operation.targetEnvironment).to.equal('inner')
  })
})

describe('data', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('turns errors and typed arrays into JSON and says so', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    await element.track('Shapes', { failure: new TypeError('bad'), bytes: new Uint8Array([1, 2]) })
    const [operation] = await operations(1)

    expect(operation.input.data).to.deep.equal({
      failure: { name: 'TypeError', message: 'bad' },
      bytes: [1, 2],
    })
    expect(errors.map((error) => error.detail.code)).to.deep.equal(['data-coerced'])
  })

  it('leaves out traits that are undefined', async () => {
    const element = await mount()

    await element.identify({ email: 'x@example.com', phone: undefined })
    const [operation] = await operations(1)

    expect(operation.input.email).to.equal('x@example.com')
    expect(operation.input).to.not.have.property('phone')
  })
})
