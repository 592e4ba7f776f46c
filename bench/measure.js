// Runs in the bench page. `window.bench` measures either the element (the
// built embed) or the floor: a `track` that only pushes the call to an array
// and writes one small record to localStorage.

const floor = {
  calls: [],
  track(event, data) {
    this.calls.push({ event, data, at: Date.now() })
    localStorage.setItem('floor:last', `${event}:${this.calls.length}`)
  },
}

async function makeTarget(kind) {
  if (kind === 'floor') return floor
  await import('/dist/dashx-session.js')
  const element = document.createElement('dashx-session')
  element.setAttribute('public-key', 'demo-public-key')
  element.setAttribute('base-uri', '/graphql')
  document.body.append(element)
  await element.updateComplete
  return element
}

/** Connect to dashx-ready, in milliseconds, for a fresh element on empty storage. */
async function readyTime() {
  await import('/dist/dashx-session.js')
  localStorage.clear()
  const element = document.createElement('dashx-session')
  element.setAttribute('public-key', 'demo-public-key')
  element.setAttribute('base-uri', '/graphql')
  const ready = new Promise((resolve) => element.addEventListener('dashx-ready', resolve))
  const start = performance.now()
  document.body.append(element)
  await ready
  const time = performance.now() - start
  element.remove()
  return time
}

/**
 * One synchronous loop of `count` calls. Calls are timed in blocks of 100, as a
 * single call is shorter than the clock's resolution (5 µs in a cross-origin
 * isolated page, which the bench serves); each block gives the
 * per-call cost of its calls.
 */
function loop(target, count) {
  const block = 100
  const perCall = []
  const data = { plan: 'pro', seats: 3, page: '/pricing' }
  let started = performance.now()
  for (let n = 0; n < count; n++) {
    target.track('Bench Event', data)
    if ((n + 1) % block === 0) {
      const now = performance.now()
      perCall.push(((now - started) * 1000) / block)
      started = now
    }
  }
  return perCall
}

/** The longest gap between tasks over `ms`: the longest task that ran meanwhile. */
function longestTask(ms) {
  return new Promise((resolve) => {
    const channel = new MessageChannel()
    const end = performance.now() + ms
    let last = performance.now()
    let longest = 0
    channel.port1.onmessage = () => {
      const now = performance.now()
      longest = Math.max(longest, now - last)
      last = now
      if (now < end) channel.port2.postMessage(null)
      else resolve(longest)
    }
    channel.port2.postMessage(null)
  })
}

window.bench = { makeTarget, readyTime, loop, longestTask }
