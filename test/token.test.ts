import { expect } from '@esm-bundle/chai'

import type { DashxErrorDetail, DashxIdentity, DashxTokenDetail } from '../src/index.js'
import {
  cleanUp,
  clearBackend,
  collect,
  login,
  mount,
  PUBLIC_KEY,
  received,
  sign,
  sleep,
  waitFor,
} from './helpers.js'

const now = () => Math.floor(Date.now() / 1000)
const user = (uid: string) => ({ 'public-key': PUBLIC_KEY, 'user-id': uid })

async function operationsWhen(count: number) {
  return waitFor(async () => {
    const all = await received()
    return all.received.length >= count ? all : null
  })
}

async function refusal(attributes: Record<string, string>) {
  const element = document.createElement('dashx-session')
  const errors = collect<DashxErrorDetail>(element, 'dashx-error')
  for (const [name, value] of Object.entries({ 'base-uri': '/graphql', ...attributes })) {
    element.setAttribute(name, value)
  }
  document.body.append(element)
  await element.updateComplete
  return { element, errors: errors.map((event) => event.detail) }
}

describe('token checks', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  const malformed: [string, string][] = [
    ['not a JWT', 'not-a-token'],
    ['bad base64url', 'eyJhbGciOiJIUzI1NiJ9.@@@.c2ln'],
    ['a payload that is not JSON', `eyJhbGciOiJIUzI1NiJ9.${btoa('not json')}.c2ln`],
  ]
  for (const [what, token] of malformed) {
    it(`refuses ${what} as token-malformed`, async () => {
      const { element, errors } = await refusal({ ...user('u-1'), token })

      expect(errors.map((error) => error.code)).to.deep.equal(['token-malformed'])
      expect(element.identity.kind).to.equal('visitor')
    })
  }

  it('refuses a token without a numeric exp as token-malformed', async () => {
    const missing = await sign({ uid: 'u-1', kind: 'USER' })
    const text = await sign({ uid: 'u-1', kind: 'USER', exp: 'tomorrow' })

    const first = await refusal({ ...user('u-1'), token: missing })
    const second = await refusal({ ...user('u-1'), token: text })

    expect(first.errors.map((error) => error.code)).to.deep.equal(['token-malformed'])
    expect(second.errors.map((error) => error.code)).to.deep.equal(['token-malformed'])
  })

  it('refuses a token whose kind is missing or not USER as token-kind', async () => {
    const missing = await sign({ uid: 'u-1' }, 600)
    const admin = await sign({ uid: 'u-1', kind: 'ADMIN' }, 600)

    const first = await refusal({ ...user('u-1'), token: missing })
    const second = await refusal({ ...user('u-1'), token: admin })

    expect(first.errors.map((error) => error.code)).to.deep.equal(['token-kind'])
    expect(second.errors.map((error) => error.code)).to.deep.equal(['token-kind'])
  })

  it('refuses a token for another uid, or none, as token-uid-mismatch', async () => {
    const other = (await login('someone-else', 600)).token
    const none = await sign({ kind: 'USER' }, 600)

    const first = await refusal({ ...user('u-1'), token: other })
    const second = await refusal({ ...user('u-1'), token: none })

    expect(first.errors.map((error) => error.code)).to.deep.equal(['token-uid-mismatch'])
    expect(second.errors.map((error) => error.code)).to.deep.equal(['token-uid-mismatch'])
    expect(first.errors[0].message).to.contain('someone-else').and.contain('u-1')
  })

  it('refuses an expired token as token-expired', async () => {
    const expired = await sign({ uid: 'u-1', kind: 'USER', exp: now() - 60 })

    const { errors, element } = await refusal({ ...user('u-1'), token: expired })

    expect(errors.map((error) => error.code)).to.deep.equal(['token-expired'])
    expect(errors[0].message).to.contain('Incorrect Identity Token: Expired')
    expect(element.tokenExpiresAt).to.equal(null)
  })

  it('waits without an error for the other half of a User', async () => {
    const onlyId = await refusal(user('u-1'))
    const onlyToken = await refusal({ 'public-key': PUBLIC_KEY, token: (await login('u-1')).token })

    expect(onlyId.errors).to.deep.equal([])
    expect(onlyToken.errors).to.deep.equal([])
    expect(onlyId.element.identity.kind).to.equal('visitor')
  })

  it('reads a unicode uid from a token whose base64url text has - and _', async () => {
    let token = ''
    for (let shift = 0; shift < 12; shift++) {
      const pad = `${'x'.repeat(shift)}>>>???>>?`
      const payload = { uid: 'ü-42', name: 'Zoë 😀', pad, kind: 'USER' }
      token = await sign(payload, 600)
      const text = token.split('.')[1]
      if (text.includes('-') && text.includes('_') && !text.includes('=')) break
    }

    const { element, errors } = await refusal({ ...user('ü-42'), token })

    expect(token.split('.')[1]).to.match(/-/).and.match(/_/)
    expect(errors).to.deep.equal([])
    expect(element.identity.uid).to.equal('ü-42')
  })

  it('treats a numeric uid as the same User as its string id', async () => {
    const numeric = await sign({ uid: 42, kind: 'USER' }, 600)
    const zero = await sign({ uid: 0, kind: 'USER' }, 600)
    const empty = await sign({ uid: '', kind: 'USER' }, 600)

    const fortyTwo = await refusal({ ...user('42'), token: numeric })
    const nought = await refusal({ ...user('0'), token: zero })
    const blank = await refusal({ ...user('x'), token: empty })

    expect(fortyTwo.element.identity).to.include({ kind: 'user', uid: '42' })
    expect(fortyTwo.errors).to.deep.equal([])
    expect(nought.element.identity).to.include({ kind: 'user', uid: '0' })
    expect(blank.errors.map((error) => error.code)).to.deep.equal(['token-uid-mismatch'])
  })

  it('never logs the token, even with debug', async () => {
    const { token } = await login('u-1', 600)
    const lines: string[] = []
    const original = console.debug
    console.debug = (...args: unknown[]) => lines.push(args.join(' '))
    try {
      const element = await mount({ ...user('u-1'), token, debug: '' })
      await element.track('Logged')
      await element.flush()
    } finally {
      console.debug = original
    }

    expect(lines.length).to.be.greaterThan(0)
    expect(lines.join('\n')).to.not.contain(token.slice(0, -6))
  })
})

describe('switching identity', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('switches to the User when user-id and token are set, in either order', async () => {
    const { token } = await login('u-1', 600)
    const element = await mount()
    const changes = collect<DashxIdentity>(element, 'dashx-identity-change')

    element.token = token
    element.userId = 'u-1'
    await element.updateComplete

    expect(changes.map((event) => event.detail)).to.deep.equal([
      { kind: 'user', uid: 'u-1', anonymousUid: element.anonymousUid },
    ])
    expect(element.tokenExpiresAt).to.be.instanceOf(Date)
  })

  it('setIdentity switches at once, so the next call is the User’s', async () => {
    const { token } = await login('u-1', 600)
    const element = await mount()

    element.setIdentity('u-1', token)
    await element.track('As User')
    const { received: operations, requests } = await operationsWhen(1)

    expect(operations[0].input.accountUid).to.equal('u-1')
    expect(operations[0].tokenUid).to.equal('u-1')
    expect(requests[0].headers['x-identity-token']).to.equal(token)
  })

  it('identifies the User with uid and the Visitor id, to link the history', async () => {
    const { token } = await login('u-1', 600)
    const element = await mount({ ...user('u-1'), token })

    await element.identify({ email: 'u1@example.com' })
    const { received: operations } = await operationsWhen(1)

    expect(operations[0].input).to.include({
      uid: 'u-1',
      anonymousUid: element.anonymousUid,
      email: 'u1@example.com',
    })
  })

  it('a token refresh for the same User is not an identity change', async () => {
    const element = await mount({ ...user('u-1'), token: (await login('u-1', 600)).token })
    const changes = collect(element, 'dashx-identity-change')
    const before = element.tokenExpiresAt!.getTime()
    await sleep(1100)

    element.token = (await login('u-1', 600)).token
    await element.updateComplete

    expect(changes).to.have.length(0)
    expect(element.tokenExpiresAt!.getTime()).to.be.greaterThan(before)
  })

  it('credits calls to the User they were made for when the User changes without reset', async () => {
    const element = await mount({ ...user('1'), token: (await login('1', 600)).token })
    const firstVisitor = element.anonymousUid

    await element.track('By One')
    element.setIdentity('2', (await login('2', 600)).token)
    await element.track('By Two')
    const { received: operations } = await operationsWhen(2)

    const seen = operations.map((op) => [op.input.event, op.input.accountUid, op.tokenUid])
    expect(seen).to.deep.equal([
      ['By One', '1', '1'],
      ['By Two', '2', '2'],
    ])
    expect(operations[1].input.accountAnonymousUid).to.not.equal(firstVisitor)
  })

  it('returns to a Visitor when the token or user-id is removed', async () => {
    const element = await mount({ ...user('u-1'), token: (await login('u-1', 600)).token })

    element.removeAttribute('token')
    await element.updateComplete
    await element.track('After Logout')
    const { received: operations } = await operationsWhen(1)

    expect(element.identity.kind).to.equal('visitor')
    expect(operations[0].input).to.not.have.property('accountUid')
  })

  it('reset clears the User and the attributes', async () => {
    const element = await mount({ ...user('u-1'), token: (await login('u-1', 600)).token })
    const before = element.anonymousUid

    element.reset()
    await element.updateComplete

    expect(element.identity).to.deep.equal({
      kind: 'visitor',
      uid: null,
      anonymousUid: element.anonymousUid,
    })
    expect(element.anonymousUid).to.not.equal(before)
    expect(element.hasAttribute('user-id')).to.equal(false)
    expect(element.hasAttribute('token')).to.equal(false)
    expect(element.tokenExpiresAt).to.equal(null)
  })
})

describe('held calls', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('holds calls while the token is pending and sends them with the next valid one', async () => {
    const element = await mount(user('u-1'))

    await element.track('Waiting')
    await element.identify({ email: 'wait@example.com' })
    await element.flush()
    expect((await received()).requests).to.have.length(0)

    element.token = (await login('u-1', 600)).token
    const { received: operations } = await operationsWhen(2)

    expect(operations.map((op) => [op.operation, op.tokenUid])).to.deep.equal([
      ['trackEvent', 'u-1'],
      ['identifyAccount', 'u-1'],
    ])
  })

  it('holds calls made with a refused token instead of crediting the Visitor', async () => {
    const expired = await sign({ uid: 'u-1', kind: 'USER', exp: now() - 5 })
    const element = await mount({ ...user('u-1'), token: expired })

    await element.track('Held')
    await element.flush()
    expect((await received()).requests).to.have.length(0)

    element.token = (await login('u-1', 600)).token
    const { received: operations } = await operationsWhen(1)

    expect(operations[0].input.accountUid).to.equal('u-1')
  })

  it('sends held calls after the element is made again on the same device', async () => {
    const first = await mount(user('u-1'))
    await first.track('Before Reload')
    first.remove()

    const second = await mount({ ...user('u-1'), token: (await login('u-1', 600)).token })
    await second.flush()
    const { received: operations } = await operationsWhen(1)

    expect(operations.map((op) => [op.input.event, op.tokenUid])).to.deep.equal([
      ['Before Reload', 'u-1'],
    ])
  })

  it('keeps held calls of a logged-out User for that User’s next token', async () => {
    const element = await mount(user('u-1'))
    await element.track('Before Logout')

    element.reset()
    await element.track('As Visitor')
    element.setIdentity('u-1', (await login('u-1', 600)).token)
    const { received: operations } = await operationsWhen(2)

    const seen = operations.map((op) => [op.input.event, op.input.accountUid ?? null])
    expect(seen).to.have.deep.members([
      ['As Visitor', null],
      ['Before Logout', 'u-1'],
    ])
  })
})

describe('refresh in real time', () => {
  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('asks for a new token before a short token expires and keeps sending', async () => {
    const { token } = await login('u-1', 4)
    const element = await mount({ ...user('u-1'), token, 'refresh-before': '2' })
    const refreshes = collect<DashxTokenDetail>(element, 'dashx-token-refresh')
    const expired = collect(element, 'dashx-token-expired')
    element.addEventListener('dashx-token-refresh', async (event) => {
      element.token = (await login(event.detail.uid, 4)).token
    })

    await waitFor(() => refreshes.length === 1, 4000)
    await sleep(2500)
    await element.track('Still Here')
    const { received: operations } = await operationsWhen(1)

    expect(refreshes[0].detail.uid).to.equal('u-1')
    expect(expired).to.have.length(0)
    expect(operations[0].tokenUid).to.equal('u-1')
  })
})
