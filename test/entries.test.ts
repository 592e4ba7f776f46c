import { expect } from '@esm-bundle/chai'

import type { DashxSessionElement } from '../src/element.js'

// Registration is global to a page and cannot be undone, so these steps build on each other,
// in order, in a page of their own. The built files are loaded by URL, which needs
// `npm run build` first (`npm test` does it).
const BUILT = {
  element: '/dist/lib/element.js',
  index: '/dist/lib/index.js',
  embed: '/dist/dashx-session.js',
  classic: '/dist/dashx-session.classic.js',
}

type Entry = typeof import('../src/element.js')

function load(url: string): Promise<Entry> {
  return import(/* @vite-ignore */ url)
}

function loadClassic(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script')
    script.src = url
    script.onload = () => resolve()
    script.onerror = () => reject(new Error(`${url} did not load`))
    document.head.append(script)
  })
}

describe('the package entries', () => {
  const errors: string[] = []
  const onError = (event: ErrorEvent) => errors.push(event.message)

  before(() => window.addEventListener('error', onError))
  after(() => window.removeEventListener('error', onError))

  it('the entry without side effects defines nothing, from the sources or built', async () => {
    const source = await import('../src/element.js')
    const built = await load(BUILT.element)

    expect(source.DashxSessionElement).to.be.a('function')
    expect(built.DashxSessionElement).to.be.a('function')
    expect(customElements.get('dashx-session')).to.equal(undefined)
  })

  it('defineDashxSession registers another tag, once, however often it is called', async () => {
    const { defineDashxSession, DashxSessionElement } = await load(BUILT.element)

    defineDashxSession('scoped-session')
    defineDashxSession('scoped-session')

    expect(document.createElement('scoped-session')).to.be.instanceOf(DashxSessionElement)
    expect(customElements.get('dashx-session')).to.equal(undefined)
  })

  it('the built npm entry defines <dashx-session> with its class', async () => {
    const built = await load(BUILT.index)

    expect(customElements.get('dashx-session')).to.equal(built.DashxSessionElement)
  })

  it('the embed, twice, the classic build and the sources next to it throw nothing', async () => {
    const first = customElements.get('dashx-session')

    await load(BUILT.embed)
    await load(`${BUILT.embed}?copy=2`)
    await loadClassic(BUILT.classic)
    await import('../src/index.js')

    expect(errors).to.deep.equal([])
    expect(customElements.get('dashx-session')).to.equal(first)
  })

  it('an element of the built entry gets a Visitor id', async () => {
    const element = document.createElement('dashx-session') as DashxSessionElement
    element.baseUri = '/graphql'
    document.body.append(element)
    await element.updateComplete

    expect(element.identity.kind).to.equal('visitor')
    expect(element.anonymousUid).to.be.a('string').and.not.equal('')
    element.remove()
  })
})
