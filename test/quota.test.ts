import { expect } from '@esm-bundle/chai'

import type { DashxErrorDetail } from '../src/index.js'
import { cleanUp, clearBackend, collect, mount, PUBLIC_KEY, received, waitFor } from './helpers.js'

// Runs in its own page: once localStorage fails, the page keeps to the fallback.
describe('localStorage that is full and reads nothing', () => {
  const original = { getItem: Storage.prototype.getItem, setItem: Storage.prototype.setItem }

  beforeEach(async () => {
    await clearBackend()
    Storage.prototype.getItem = () => null
    Storage.prototype.setItem = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError')
    }
  })

  afterEach(async () => {
    await cleanUp()
    Object.assign(Storage.prototype, original)
    document.cookie = `${encodeURIComponent(`dashx:${PUBLIC_KEY}::anonymous_uid`)}=; Max-Age=0; Path=/`
  })

  it('gives two calls the same valid id, kept in a cookie, which a remount keeps', async () => {
    const element = await mount()

    await element.track('One')
    await element.track('Two')
    const operations = await waitFor(async () => {
      const { received: all } = await received()
      return all.length === 2 ? all : null
    })
    element.remove()
    const again = await mount()

    const ids = operations.map((operation) => operation.input.accountAnonymousUid)
    expect(ids[0]).to.match(/^[A-Za-z0-9_-]{21}$/)
    expect(ids[1]).to.equal(ids[0])
    expect(document.cookie).to.contain(ids[0])
    expect(again.anonymousUid).to.equal(ids[0])
  })

  it('does not stop the page from writing storage of its own', () => {
    Object.assign(Storage.prototype, original)

    localStorage.setItem('page-own', 'still works')

    expect(localStorage.getItem('page-own')).to.equal('still works')
    localStorage.removeItem('page-own')
  })
})

describe('localStorage that the page has all but filled', () => {
  /** Fills storage with the page's own data, then frees about `freeChars` of it. */
  function fillLeaving(freeChars: number): string[] {
    localStorage.setItem('page-free', 'f'.repeat(freeChars))
    const keys: string[] = []
    for (let size = 512 * 1024; size >= 1024; size = Math.floor(size / 2)) {
      for (;;) {
        const key = `page-data-${keys.length}`
        try {
          localStorage.setItem(key, 'p'.repeat(size))
          keys.push(key)
        } catch {
          break
        }
      }
    }
    localStorage.removeItem('page-free')
    return keys
  }

  beforeEach(() => clearBackend())
  afterEach(cleanUp)

  it('sends every call it has no room to keep, and the page keeps its data', async function () {
    // 3,000 calls of 500 characters travel in about 90 requests, one after another.
    this.timeout(40_000)
    const pageKeys = fillLeaving(140_000)
    const element = await mount()
    const errors = collect<DashxErrorDetail>(element, 'dashx-error')

    const calls = []
    for (let n = 0; n < 3000; n++)
      calls.push(element.track(`Crowded ${n}`, { pad: 'x'.repeat(500) }))
    await Promise.all(calls)
    const operations = await waitFor(async () => {
      const { received: all } = await received()
      return all.length >= 3000 ? all : null
    }, 30_000)

    expect(new Set(operations.map((operation) => operation.input.event)).size).to.equal(3000)
    expect(errors.map((error) => error.detail.code)).to.deep.equal([])
    expect(pageKeys.every((key) => localStorage.getItem(key) !== null)).to.equal(true)
  })
})
