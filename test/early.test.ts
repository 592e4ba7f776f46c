import { expect } from '@esm-bundle/chai'

// This file loads the element only after the page has dispatched requests, as
// a slow or async script would; it must not import the element up front.

const received = async () => (await (await fetch('/__dashx/received')).json()).received as any[]

async function runSnippet() {
  const script = document.createElement('script')
  script.textContent = await (await fetch('/src/dashx-early.js')).text()
  document.head.append(script)
}

describe('calls made before the element is defined', () => {
  after(() => {
    for (const element of document.querySelectorAll('dashx-session')) element.remove()
    localStorage.clear()
  })

  it('are replayed in order, to the nearest element, with the time they were made', async () => {
    await fetch('/__dashx/received', { method: 'DELETE' })
    await runSnippet()
    const outer = document.createElement('dashx-session')
    outer.setAttribute('public-key', 'demo-public-key')
    outer.setAttribute('base-uri', '/graphql')
    outer.setAttribute('target-environment', 'outer')
    const inner = outer.cloneNode() as HTMLElement
    inner.setAttribute('target-environment', 'inner')
    const button = document.createElement('button')
    inner.append(button)
    document.body.append(outer, inner)

    const made: [number, number][] = []
    const dispatch = (target: EventTarget, event: string) => {
      const before = Date.now()
      target.dispatchEvent(
        new CustomEvent('dashx-track', { detail: { event }, bubbles: true, composed: true }),
      )
      made.push([before, Date.now()])
    }
    dispatch(window, 'First')
    await new Promise((resolve) => setTimeout(resolve, 30))
    dispatch(button, 'Second')
    await new Promise((resolve) => setTimeout(resolve, 30))
    await import('../src/index.js')
    let operations: any[] = []
    for (let tries = 0; tries < 100 && operations.length < 2; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      operations = await received()
    }

    expect(operations.map((op) => [op.input.event, op.targetEnvironment])).to.deep.equal([
      ['First', 'outer'],
      ['Second', 'inner'],
    ])
    for (const [index, [before, after]] of made.entries()) {
      expect(Date.parse(operations[index].input.timestamp)).to.be.within(before, after)
    }
    expect((window as any).dashxEarly).to.deep.equal([])
  })
})
