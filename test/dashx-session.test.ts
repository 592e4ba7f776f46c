import { expect } from '@esm-bundle/chai'

import type { DashxErrorDetail, DashxIdentity, DashxReadyDetail } from '../src/index.js'
import { DashxSessionElement } from '../src/index.js'
import {
  backendConfig,
  cleanUp,
  clearBackend,
  collect,
  dispatch,
  mount,
  PUBLIC_KEY,
  received,
  waitFor,
} from './helpers.js'

const STORAGE_KEY = `dashx:${PUBLIC_KEY}::anonymous_uid`

async function tracked(count: number, base = '') {
  return waitFor(async () => {
    const { received: operations } = await received(base)
    return operations.length >= count ? operations : null
  })
}

describe('<dashx-session> Visitor', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('is defined and upgrades', async () => {
    const element = await mount()

    expect(element).to.be.instanceOf(DashxSessionElement)
    expect(customElements.get('dashx-session')).to.equal(DashxSessionElement)
  })

  it('makes a Visitor id on first visit, stores it and announces it', async () => {
    const element = document.createElement('dashx-session')
    element.setAttribute('public-key', PUBLIC_KEY)
    element.setAttribute('base-uri', '/graphql')
    const ready = collect<DashxReadyDetail>(element, 'dashx-ready')

    document.body.append(element)
    await element.updateComplete

    expect(element.anonymousUid).to.match(/^[A-Za-z0-9_-]{21}$/)
    expect(localStorage.getItem(STORAGE_KEY)).to.equal(element.anonymousUid)
    expect(ready.map((event) => event.detail)).to.deep.equal([
      { anonymousUid: element.anonymousUid },
    ])
    expect(ready[0].bubbles && ready[0].composed).to.equal(true)
  })

  it('keeps the Visitor id when the element is made again', async () => {
    const first = await mount()
    const id = first.anonymousUid
    first.remove()

    const second = await mount()

    expect(second.anonymousUid).to.equal(id)
  })

  it('replaces a stored id that is not a well-formed id', async () => {
    localStorage.setItem(STORAGE_KEY, 'not an id!')

    const element = await mount()

    expect(element.anonymousUid).to.match(/^[A-Za-z0-9_-]{21}$/)
    expect(localStorage.getItem(STORAGE_KEY)).to.equal(element.anonymousUid)
  })

  it('keeps a separate Visitor per public key', async () => {
    const one = await mount({ 'public-key': 'project-one' })
    const two = await mount({ 'public-key': 'project-two' })

    expect(one.anonymousUid).to.not.equal(two.anonymousUid)
  })

  it('reports the identity as a Visitor', async () => {
    const element = await mount()

    expect(element.identity).to.deep.equal({
      kind: 'visitor',
      uid: null,
      anonymousUid: element.anonymousUid,
    })
  })

  it('resolves a relative base-uri against the page and sends the DashX headers only', async () => {
    const element = await mount({
      'public-key': PUBLIC_KEY,
      'base-uri': 'graphql',
      'target-environment': 'staging',
    })

    await element.track('Viewed')
    await element.flush()

    const { requests, received: operations } = await received()
    expect(operations[0].targetEnvironment).to.equal('staging')
    expect(requests[0].headers['x-public-key']).to.equal(PUBLIC_KEY)
    expect(requests[0].headers.customHeaders.sort()).to.deep.equal([
      'x-public-key',
      'x-target-environment',
    ])
  })
})

describe('identify and track', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('track sends TrackEvent with the Visitor id, timestamp and system context', async () => {
    const element = await mount()
    const before = Date.now()

    await element.track('Signed Up', { plan: 'pro', seats: 3 })
    const [operation] = await tracked(1)

    expect(operation.operation).to.equal('trackEvent')
    expect(operation.input.event).to.equal('Signed Up')
    expect(operation.input.data).to.deep.equal({ plan: 'pro', seats: 3 })
    expect(operation.input.accountAnonymousUid).to.equal(element.anonymousUid)
    expect(operation.input).to.not.have.property('accountUid')
    expect(Date.parse(operation.input.timestamp)).to.be.within(before, Date.now())
    expect(operation.input.systemContext).to.include({ ipV4: 'NA', locale: 'en-US' })
    expect(operation.input.systemContext.timeZone).to.equal('Europe/Berlin')
    expect(operation.input.systemContext.library.name).to.equal('dashx-session')
  })

  it('identify sends IdentifyAccount with the Visitor id and the traits', async () => {
    const element = await mount()

    await element.identify({ first_name: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' })
    const [operation] = await tracked(1)

    expect(operation.operation).to.equal('identifyAccount')
    expect(operation.input).to.include({
      anonymousUid: element.anonymousUid,
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
    })
    expect(operation.input).to.not.have.property('uid')
  })

  it('identify with no traits still identifies the Visitor', async () => {
    const element = await mount()

    await element.identify()
    const [operation] = await tracked(1)

    expect(operation.input.anonymousUid).to.equal(element.anonymousUid)
  })

  it('returns promises that resolve before the server has answered', async () => {
    // The server takes a second and a half before it looks at the request.
    await fetch('/__dashx/faults', { method: 'POST', body: JSON.stringify([{ delayMs: 1500 }]) })
    const element = await mount()

    const result = await element.track('Fast')
    const { received: operations } = await received()
    await element.flush()

    expect(result).to.equal(undefined)
    expect(operations).to.have.length(0)
  })
})

describe('request events', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('handles dashx-track from a descendant once', async () => {
    const element = await mount()
    const button = document.createElement('button')
    element.append(button)

    dispatch(button, 'dashx-track', { event: 'Clicked', data: { where: 'inside' } })
    await element.flush()

    const { received: operations } = await received()
    expect(operations.map((operation) => operation.input.data)).to.deep.equal([{ where: 'inside' }])
  })

  it('handles dashx-track from outside the element once', async () => {
    const element = await mount()
    const elsewhere = document.createElement('div')
    document.body.append(elsewhere)

    dispatch(elsewhere, 'dashx-track', { event: 'Clicked', data: { where: 'outside' } })
    await element.flush()

    const { received: operations } = await received()
    expect(operations.map((operation) => operation.input.data)).to.deep.equal([
      { where: 'outside' },
    ])
  })

  it('handles dashx-identify from inside a shadow root once', async () => {
    const element = await mount()
    const host = document.createElement('div')
    const shadow = host.attachShadow({ mode: 'closed' })
    const field = document.createElement('input')
    shadow.append(field)
    document.body.append(host)

    dispatch(field, 'dashx-identify', { email: 'shadow@example.com' })
    await element.flush()

    const { received: operations } = await received()
    expect(operations.map((operation) => operation.input.email)).to.deep.equal([
      'shadow@example.com',
    ])
  })

  it('handles dashx-track dispatched on window once', async () => {
    const element = await mount()

    dispatch(window, 'dashx-track', { event: 'From Window' })
    await element.flush()

    const { received: operations } = await received()
    expect(operations.map((operation) => operation.input.event)).to.deep.equal(['From Window'])
  })

  it('gives a request to the nearest enclosing element, and to the first one otherwise', async () => {
    const first = await mount({ 'public-key': PUBLIC_KEY, 'target-environment': 'first' })
    const outer = await mount({ 'public-key': PUBLIC_KEY, 'target-environment': 'outer' })
    const inner = await mount({ 'public-key': PUBLIC_KEY, 'target-environment': 'inner' }, outer)
    const shadowHost = document.createElement('div')
    inner.append(shadowHost)
    const button = document.createElement('button')
    shadowHost.attachShadow({ mode: 'open' }).append(button)

    dispatch(button, 'dashx-track', { event: 'Nested' })
    dispatch(document.body, 'dashx-track', { event: 'Loose' })
    await Promise.all([first.flush(), outer.flush(), inner.flush()])

    const { received: operations } = await received()
    const where = operations.map((operation) => [
      operation.input.event,
      operation.targetEnvironment,
    ])
    expect(where).to.have.deep.members([
      ['Nested', 'inner'],
      ['Loose', 'first'],
    ])
  })

  it('dashx-reset makes a new Visitor and announces it', async () => {
    const element = await mount()
    const before = element.anonymousUid
    const changes = collect<DashxIdentity>(document, 'dashx-identity-change')

    dispatch(document.body, 'dashx-reset')

    expect(element.anonymousUid).to.not.equal(before)
    expect(localStorage.getItem(STORAGE_KEY)).to.equal(element.anonymousUid)
    expect(changes.map((event) => event.detail)).to.deep.equal([
      { kind: 'visitor', uid: null, anonymousUid: element.anonymousUid },
    ])
  })

  it('tracks after reset with the new Visitor id', async () => {
    const element = await mount()
    await element.track('Before')
    await element.flush()

    element.reset()
    await element.track('After')
    await element.flush()

    const { received: operations } = await received()
    const [before, after] = operations.map((operation) => operation.input.accountAnonymousUid)
    expect(before).to.not.equal(after)
    expect(after).to.equal(element.anonymousUid)
  })
})

describe('bad input', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  const badTraits: [string, unknown][] = [
    ['an unknown key', { nickname: 'Ada' }],
    ['a non-string value', { email: 42 }],
    ['a non-object', 'ada@example.com'],
    ['an array', ['ada@example.com']],
    ['an identity field', { uid: 'u-1' }],
  ]
  for (const [what, traits] of badTraits) {
    it(`refuses traits with ${what} and sends nothing`, async () => {
      const element = await mount()
      const errors = collect<DashxErrorDetail>(element, 'dashx-error')

      await element.identify(traits as never)
      await element.flush()

      expect(errors.map((event) => event.detail.code)).to.deep.equal(['invalid-traits'])
      expect((await received()).requests).to.have.length(0)
    })
  }

  it('names the unknown trait key', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    await element.identify({ nickname: 'Ada' } as never)

    expect(errors[0].detail.message).to.contain('nickname')
  })

  const badEvents: [string, unknown, unknown][] = [
    ['an empty name', '', undefined],
    ['a blank name', '   ', undefined],
    ['a non-string name', 42, undefined],
    ['array data', 'Bought', [1, 2]],
    ['string data', 'Bought', 'cheap'],
    ['class instance data', 'Bought', new URL('https://example.com/')],
  ]
  for (const [what, event, data] of badEvents) {
    it(`refuses track with ${what} and sends nothing`, async () => {
      const element = await mount()
      const errors = collect<DashxErrorDetail>(element, 'dashx-error')

      await element.track(event as string, data as never)
      await element.flush()

      expect(errors.map((error) => error.detail.code)).to.deep.equal(['invalid-event'])
      expect((await received()).requests).to.have.length(0)
    })
  }

  it('refuses a dashx-track event without a detail object', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    dispatch(element, 'dashx-track', 'Bought')
    await element.flush()

    expect(errors.map((error) => error.detail.code)).to.deep.equal(['invalid-event'])
    expect((await received()).requests).to.have.length(0)
  })

  it('coerces data JSON cannot carry, sends the event and names the paths', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')
    const circular: Record<string, unknown> = { name: 'loop' }
    circular.self = circular

    await element.track('Odd Data', {
      when: new Date('2026-01-02T03:04:05.000Z'),
      big: 12345678901234567890n,
      circular,
      node: document.body,
      callback: () => 1,
      symbol: Symbol('s'),
      list: [1, () => 2],
      plain: 'kept',
    })
    const [operation] = await tracked(1)

    expect(operation.input.data).to.deep.equal({
      when: '2026-01-02T03:04:05.000Z',
      big: '12345678901234567890',
      circular: { name: 'loop', self: '[Circular]' },
      list: [1, null],
      plain: 'kept',
    })
    expect(errors.map((error) => error.detail.code)).to.deep.equal(['data-coerced'])
    for (const path of [
      'data.when',
      'data.big',
      'data.circular.self',
      'data.node',
      'data.callback',
    ]) {
      expect(errors[0].detail.message).to.contain(path)
    }
  })

  it('refuses a call over 28 KiB and sends one just under it', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    await element.track('Too Big', { text: 'é'.repeat(30_000) })
    await element.identify({ firstName: 'x'.repeat(60_000) })
    await element.track('Big Enough', { text: 'x'.repeat(28 * 1024 - 200) })
    const [operation] = await tracked(1)
    await element.flush()

    expect(errors.map((error) => error.detail.code)).to.deep.equal([
      'invalid-event',
      'invalid-traits',
    ])
    // 'é' is two bytes of UTF-8: the limit counts bytes, not characters.
    const bytes = Number(/(\d+) bytes/.exec(errors[0].detail.message)?.[1])
    expect(bytes).to.be.within(60_000, 60_200)
    expect(errors[0].detail.message).to.contain('28 KiB')
    expect(operation.input.event).to.equal('Big Enough')
    expect((await received()).received).to.have.length(1)
  })

  it('reports a throwing getter in data instead of throwing', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')
    const data = {
      get broken() {
        throw new Error('nope')
      },
    }

    await element.track('Getter', data)

    expect(errors.map((error) => error.detail.code)).to.deep.equal(['invalid-event'])
  })
})

describe('sending', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('holds calls made before public-key is set, says why, and sends them once it is', async () => {
    const element = await mount({})
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    await element.track('Early')
    await element.track('Early Too')
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect((await received()).requests).to.have.length(0)
    expect(errors.map((error) => error.detail.code)).to.deep.equal(['config'])

    element.publicKey = PUBLIC_KEY
    const operations = await tracked(2)

    expect(operations.map((operation) => operation.input.event)).to.deep.equal([
      'Early',
      'Early Too',
    ])
  })

  it('sends a burst of calls together in one request', async () => {
    const element = await mount()

    for (let index = 0; index < 20; index++) await element.track('Burst', { index })
    await tracked(20)

    expect((await received()).requests).to.have.length(1)
  })

  it('reports a network failure', async () => {
    const element = await mount({
      'public-key': PUBLIC_KEY,
      'base-uri': 'http://127.0.0.1:9/graphql',
    })
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    await element.track('Nowhere')
    await element.flush()

    expect(errors.map((error) => error.detail.code)).to.deep.equal(['network'])
  })

  it('reports a server failure with the server message', async () => {
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')
    await fetch('/__dashx/faults', { method: 'POST', body: JSON.stringify([{ status: 503 }]) })

    await element.track('Unlucky')
    await element.flush()

    expect(errors.map((error) => error.detail.code)).to.deep.equal(['server'])
    expect(errors[0].detail.message).to.contain('503').and.contain('Injected fault')
  })

  it('works against a backend on another origin', async () => {
    const { crossOriginUrl } = await backendConfig()
    await clearBackend(crossOriginUrl)
    const element = await mount({
      'public-key': PUBLIC_KEY,
      'base-uri': `${crossOriginUrl}/graphql`,
    })

    await element.identify({ email: 'far@example.com' })
    await element.track('Far Away')
    const operations = await tracked(2, crossOriginUrl)

    expect(operations.map((operation) => operation.operation)).to.deep.equal([
      'identifyAccount',
      'trackEvent',
    ])
    expect(operations[0].input.anonymousUid).to.equal(element.anonymousUid)
  })

  it('logs nothing to the console unless debug is set', async () => {
    const calls: unknown[] = []
    const original = {
      debug: console.debug,
      log: console.log,
      warn: console.warn,
      info: console.info,
    }
    console.debug =
      console.log =
      console.warn =
      console.info =
        (...args: unknown[]) => calls.push(args)
    try {
      const element = await mount()
      await element.track('Quiet')
      await element.identify({ nickname: 'x' } as never)
      await element.flush()
    } finally {
      Object.assign(console, original)
    }

    expect(calls).to.deep.equal([])
  })
})
