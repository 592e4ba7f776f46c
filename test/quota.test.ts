import { expect } from '@esm-bundle/chai'

import { cleanUp, clearBackend, mount, PUBLIC_KEY, received, waitFor } from './helpers.js'

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
