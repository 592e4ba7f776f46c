import { expect } from '@esm-bundle/chai'

import { cleanUp, clearBackend, mount, PUBLIC_KEY, received, waitFor } from './helpers.js'

const NAMESPACE = `dashx:${PUBLIC_KEY}:`
const VISITOR_KEY = `${NAMESPACE}:anonymous_uid`
const ID = /^[A-Za-z0-9_-]{21}$/

async function operations(count: number) {
  return waitFor(async () => {
    const all = (await received()).received
    return all.length >= count ? all : null
  })
}

describe('damaged stored state', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  const placeholders: [string, string][] = [
    ['an empty string', ''],
    ['"null"', 'null'],
    ['"undefined"', 'undefined'],
    ['blanks', '   '],
    ['500 characters', 'a'.repeat(500)],
  ]
  for (const [what, stored] of placeholders) {
    it(`replaces a stored id of ${what} with a fresh one that calls carry and a remount keeps`, async () => {
      localStorage.setItem(VISITOR_KEY, stored)
      const element = await mount()

      await element.track('First')
      await element.track('Second')
      const sent = await operations(2)
      element.remove()
      const again = await mount()

      const ids = sent.map((operation) => operation.input.accountAnonymousUid)
      expect(ids[0]).to.match(ID)
      expect(ids).to.deep.equal([ids[0], ids[0]])
      expect(localStorage.getItem(VISITOR_KEY)).to.equal(ids[0])
      expect(again.anonymousUid).to.equal(ids[0])
    })
  }

  const garbage = ['{"events":[', 'undefined', '42', 'null', '[]']
  for (const text of garbage) {
    it(`starts up over a queue and identity stored as ${text}, keeps the valid id, sends once`, async () => {
      const id = 'V1StGXR8_Z5jdHi6B-myT'
      localStorage.setItem(VISITOR_KEY, id)
      for (const key of ['user', 'outbox', 'outbox:000000000.old.0', 'refresh']) {
        localStorage.setItem(`${NAMESPACE}:${key}`, text)
      }

      const element = await mount()
      await element.track('After Garbage')
      await element.flush()
      const { received: sent, duplicates } = await received()

      expect(element.anonymousUid).to.equal(id)
      expect(sent.map((operation) => operation.input.event)).to.deep.equal(['After Garbage'])
      expect(duplicates).to.equal(0)
      for (const key of Object.keys(localStorage).filter((name) => name.startsWith(NAMESPACE))) {
        if (key === VISITOR_KEY) continue
        expect(() => JSON.parse(localStorage.getItem(key) ?? ''), key).to.not.throw()
      }
    })
  }

  it('gives one Visitor id to calls and a second element that race the first start-up', async () => {
    const first = document.createElement('dashx-session')
    first.setAttribute('public-key', PUBLIC_KEY)
    first.setAttribute('base-uri', '/graphql')
    const second = first.cloneNode() as typeof first

    document.body.append(first)
    void first.track('Race 1')
    void first.track('Race 2')
    void first.track('Race 3')
    document.body.append(second)
    void second.track('Race 4')
    const sent = await operations(4)

    const ids = new Set(sent.map((operation) => operation.input.accountAnonymousUid))
    expect(ids.size).to.equal(1)
    expect(localStorage.getItem(VISITOR_KEY)).to.equal([...ids][0])
    expect(second.anonymousUid).to.equal(first.anonymousUid)
  })

  it('sends each call of two elements with the same key once', async () => {
    const first = await mount()
    const second = await mount()

    await first.track('From First')
    await second.track('From Second')
    await Promise.all([first.flush(), second.flush()])
    const { received: sent, duplicates } = await received()

    expect(sent.map((operation) => operation.input.event).sort()).to.deep.equal([
      'From First',
      'From Second',
    ])
    expect(duplicates).to.equal(0)
  })

  it('keeps two projects on one page apart: a reset in one leaves the other', async () => {
    const one = await mount({ 'public-key': PUBLIC_KEY })
    const other = await mount({ 'public-key': 'another-project' })
    const before = other.anonymousUid

    one.reset()

    expect(other.anonymousUid).to.equal(before)
    expect(one.anonymousUid).to.not.equal(before)
  })

  it('sees the page clearing storage at the next call', async () => {
    const element = await mount()
    const before = element.anonymousUid

    localStorage.clear()
    await element.track('After Clear')
    const [operation] = await operations(1)

    expect(operation.input.accountAnonymousUid).to.not.equal(before)
    expect(operation.input.accountAnonymousUid).to.equal(localStorage.getItem(VISITOR_KEY))
  })
})

describe('where identity lives', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('storage="session" keeps the Visitor in sessionStorage', async () => {
    const element = await mount({ 'public-key': PUBLIC_KEY, storage: 'session' })

    expect(sessionStorage.getItem(VISITOR_KEY)).to.equal(element.anonymousUid)
    expect(localStorage.getItem(VISITOR_KEY)).to.equal(null)
    sessionStorage.clear()
  })

  it('storage="memory" keeps nothing on the device', async () => {
    const element = await mount({ 'public-key': PUBLIC_KEY, storage: 'memory' })
    await element.track('In Memory')
    await element.flush()

    expect(element.anonymousUid).to.match(ID)
    expect(Object.keys(localStorage)).to.deep.equal([])
    expect(document.cookie).to.not.contain('dashx')
  })

  it('storage="cookie" keeps its Visitor beside a malformed cookie of the site', async () => {
    document.cookie = 'promo=50%off; Path=/'
    try {
      const first = await mount({ 'public-key': PUBLIC_KEY, storage: 'cookie' })
      const id = first.anonymousUid
      first.remove()

      const again = await mount({ 'public-key': PUBLIC_KEY, storage: 'cookie' })

      expect(again.anonymousUid).to.equal(id)
    } finally {
      document.cookie = 'promo=; Max-Age=0; Path=/'
    }
  })

  it('storage="cookie" writes a first-party Visitor cookie for the whole site and no token', async () => {
    const written: string[] = []
    const descriptor = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie')!
    Object.defineProperty(document, 'cookie', {
      configurable: true,
      get: () => descriptor.get!.call(document),
      set: (value: string) => {
        written.push(value)
        descriptor.set!.call(document, value)
      },
    })
    try {
      const { token } = await (
        await fetch('/demo/login', { method: 'POST', body: '{"uid":"c-1"}' })
      ).json()
      const element = await mount({
        'public-key': PUBLIC_KEY,
        storage: 'cookie',
        'user-id': 'c-1',
        token,
      })

      expect(element.identity.kind).to.equal('user')
      expect(written.join('\n')).to.contain(element.anonymousUid)
      expect(written.join('\n')).to.not.contain(token)
      expect(written[0])
        .to.contain('Path=/')
        .and.contain('SameSite=Lax')
        .and.contain('Max-Age=31536000')
      expect(written[0]).to.not.contain('Secure')
    } finally {
      delete (document as { cookie?: string }).cookie
      document.cookie = `${encodeURIComponent(VISITOR_KEY)}=; Max-Age=0; Path=/`
    }
  })
})

describe('consent', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('pending keeps calls in memory and sends nothing; granted stores and sends them', async () => {
    const element = await mount({ 'public-key': PUBLIC_KEY, consent: 'pending' })

    await element.track('Before Consent')
    await element.flush()
    const whilePending = (await received()).requests.length
    const storedWhilePending = Object.keys(localStorage).length
    element.consent = 'granted'
    const [operation] = await operations(1)

    expect(whilePending).to.equal(0)
    expect(storedWhilePending).to.equal(0)
    expect(operation.input.event).to.equal('Before Consent')
    expect(operation.input.accountAnonymousUid).to.equal(localStorage.getItem(VISITOR_KEY))
  })

  it('a returning Visitor keeps the stored id once consent is granted', async () => {
    localStorage.setItem(VISITOR_KEY, 'V1StGXR8_Z5jdHi6B-myT')
    const element = await mount({ 'public-key': PUBLIC_KEY, consent: 'pending' })

    await element.track('Returning')
    element.consent = 'granted'
    const [operation] = await operations(1)

    expect(element.anonymousUid).to.equal('V1StGXR8_Z5jdHi6B-myT')
    expect(operation.input.accountAnonymousUid).to.equal('V1StGXR8_Z5jdHi6B-myT')
  })

  it('denied discards kept calls, erases what was stored, and keeps nothing after', async () => {
    const element = await mount({ 'public-key': PUBLIC_KEY, consent: 'pending' })
    await element.track('Kept Then Dropped')
    localStorage.setItem(VISITOR_KEY, 'V1StGXR8_Z5jdHi6B-myT')

    element.consent = 'denied'
    await element.updateComplete
    await element.track('While Denied')
    element.consent = 'granted'
    await element.updateComplete
    await element.flush()

    expect((await received()).requests).to.have.length(0)
    expect(element.anonymousUid).to.not.equal('V1StGXR8_Z5jdHi6B-myT')
  })

  it('says once that calls are discarded while consent is denied', async () => {
    const element = await mount()
    const codes: string[] = []
    element.addEventListener('dashx-error', (event) => codes.push(event.detail.code))

    element.consent = 'denied'
    await element.track('Same Tick')
    await element.updateComplete
    await element.track('Later')

    expect(codes).to.deep.equal(['consent-denied'])
  })

  it('denied leaves no key of the element on the device', async () => {
    const element = await mount()
    await element.track('Stored First')

    element.consent = 'denied'
    await element.updateComplete

    expect(Object.keys(localStorage).filter((key) => key.startsWith('dashx:'))).to.deep.equal([])
  })
})
