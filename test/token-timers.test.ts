import { expect } from '@esm-bundle/chai'

import type { DashxTokenDetail } from '../src/index.js'
import {
  cleanUp,
  clearBackend,
  collect,
  type FakeClock,
  fakeClock,
  login,
  mount,
  PUBLIC_KEY,
  received,
  sleep,
  waitFor,
} from './helpers.js'

const MINUTE = 60 * 1000
const MAX_TIMEOUT_MS = 2 ** 31 - 1

async function userElement(lifetimeSeconds: number, extra: Record<string, string> = {}) {
  const { token } = await login('u-1', lifetimeSeconds)
  return mount({ 'public-key': PUBLIC_KEY, 'user-id': 'u-1', token, ...extra })
}

describe('token timers on a fake clock', () => {
  let clock: FakeClock

  // Tabs that share a token agree through a Web Lock before one of them asks,
  // so a refresh event arrives a moment after its timer.
  async function advance(ms: number, step = ms) {
    for (let done = 0; done < ms; done += step) {
      clock.tick(Math.min(step, ms - done))
      await sleep(step === ms ? 20 : 2)
    }
  }

  beforeEach(async () => {
    await clearBackend()
    clock = fakeClock()
  })

  afterEach(() => {
    clock.restore()
    return cleanUp()
  })

  it('refreshes a 30-day token exactly once, just after exp - refresh-before', async () => {
    const element = await userElement(30 * 24 * 60 * 60)
    const refreshes = collect<DashxTokenDetail>(element, 'dashx-token-refresh')
    const refreshAt = element.tokenExpiresAt!.getTime() - 300_000

    await advance(MINUTE)
    const afterAMinute = refreshes.length
    await advance(refreshAt - Date.now() - 1000)
    const justBefore = refreshes.length
    await advance(2000)

    expect(afterAMinute).to.equal(0)
    expect(justBefore).to.equal(0)
    expect(refreshes).to.have.length(1)
    expect(refreshes[0].detail).to.deep.equal({
      uid: 'u-1',
      expiresAt: element.tokenExpiresAt!.getTime(),
    })
    expect(Math.max(...clock.delays)).to.be.at.most(MAX_TIMEOUT_MS)
  })

  it('repeats the refresh with growing gaps, then says the token expired once', async () => {
    const element = await userElement(600)
    const refreshes = collect(element, 'dashx-token-refresh')
    const expired = collect<DashxTokenDetail>(element, 'dashx-token-expired')
    const times: number[] = []
    element.addEventListener('dashx-token-refresh', () => times.push(Date.now()))

    await advance(11 * MINUTE, 1000)

    const gaps = times.slice(1).map((time, index) => time - times[index])
    expect(refreshes.length).to.be.greaterThan(2)
    expect(gaps).to.deep.equal([...gaps].sort((a, b) => a - b))
    expect(gaps[gaps.length - 1]).to.be.greaterThan(gaps[0])
    expect(expired).to.have.length(1)
  })

  it('uses refresh-before when it is set', async () => {
    const element = await userElement(3600, { 'refresh-before': '600' })
    const refreshes = collect(element, 'dashx-token-refresh')

    await advance(50 * MINUTE - 1000)
    const before = refreshes.length
    await advance(2000)

    expect(before).to.equal(0)
    expect(refreshes).to.have.length(1)
  })

  it('asks at half-life for a 2-minute token by default', async () => {
    const element = await userElement(120)
    const refreshes = collect(element, 'dashx-token-refresh')

    await advance(59_000)
    const before = refreshes.length
    await advance(2000)

    expect(before).to.equal(0)
    expect(refreshes).to.have.length(1)
  })

  it('after a sleep past expiry, fires one refresh on wake and holds calls for the new token', async () => {
    const element = await userElement(600)
    const refreshes = collect(element, 'dashx-token-refresh')

    clock.jump(15 * MINUTE)
    await element.track('After Sleep')
    const beforeWake = refreshes.length
    document.dispatchEvent(new Event('visibilitychange'))
    await sleep(20)
    const atWake = refreshes.length
    await element.flush()
    const sentWithDeadToken = (await received()).requests.length

    // Another lifetime, so the server (whose clock did not jump) mints a different token.
    const { token } = await login('u-1', 601)
    element.token = token
    await element.updateComplete
    await element.flush()
    const { requests } = await waitFor(async () => {
      const all = await received()
      return all.requests.length === 1 ? all : null
    })

    expect(beforeWake).to.equal(0)
    expect(atWake).to.equal(1)
    expect(sentWithDeadToken).to.equal(0)
    expect(requests[0].headers['x-identity-token']).to.equal(token)
  })

  for (const type of ['pageshow', 'focus', 'online']) {
    it(`checks the wall clock again on ${type}`, async () => {
      const element = await userElement(600)
      const refreshes = collect(element, 'dashx-token-refresh')

      clock.jump(6 * MINUTE)
      window.dispatchEvent(new Event(type))
      await sleep(20)

      expect(refreshes).to.have.length(1)
    })
  }

  it('leaves no timer or listener behind when removed, and resumes when added again', async () => {
    const element = await userElement(600)
    const refreshes = collect(element, 'dashx-token-refresh')

    element.remove()
    const left = clock.pending()
    clock.jump(6 * MINUTE)
    window.dispatchEvent(new Event('focus'))
    await sleep(20)
    const whileRemoved = refreshes.length
    document.body.append(element)
    await sleep(20)

    expect(left).to.equal(0)
    expect(whileRemoved).to.equal(0)
    expect(refreshes).to.have.length(1)
  })

  it('measures the token life from arrival when the device clock is hours off', async () => {
    clock.jump(5 * 60 * MINUTE)
    const element = await userElement(600)
    const refreshes = collect(element, 'dashx-token-refresh')

    await advance(5 * MINUTE - 1000)
    const early = refreshes.length
    await advance(2000)

    expect(element.identity.kind).to.equal('user')
    expect(early).to.equal(0)
    expect(refreshes).to.have.length(1)
  })
})
