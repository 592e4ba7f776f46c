import { expect } from '@esm-bundle/chai'

import { cleanUp, clearBackend, mount, received, waitFor } from './helpers.js'

// Runs in its own page: once storage throws, the element keeps to memory for the page's life.
describe('storage that throws', () => {
  const original = {
    getItem: Storage.prototype.getItem,
    setItem: Storage.prototype.setItem,
  }

  beforeEach(async () => {
    await clearBackend()
    Storage.prototype.getItem = () => {
      throw new DOMException('The operation is insecure.', 'SecurityError')
    }
    Storage.prototype.setItem = () => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError')
    }
  })

  afterEach(() => {
    Object.assign(Storage.prototype, original)
    return cleanUp()
  })

  it('still gives a working Visitor that keeps one id for the page', async () => {
    const element = await mount()

    await element.track('One')
    await element.track('Two')
    const operations = await waitFor(async () => {
      const { received: all } = await received()
      return all.length === 2 ? all : null
    })

    expect(element.anonymousUid).to.match(/^[A-Za-z0-9_-]{21}$/)
    const ids = operations.map((operation) => operation.input.accountAnonymousUid)
    expect(ids).to.deep.equal([element.anonymousUid, element.anonymousUid])
  })

  it('keeps the same id for a second element on the page', async () => {
    const first = await mount()
    const second = await mount()

    expect(second.anonymousUid).to.equal(first.anonymousUid)
  })
})
