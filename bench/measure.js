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

/**
 * What the page's main thread does over the `ms` after a loop that has just
 * returned: the tasks of 50 ms or more that the Long Tasks API reports, and the
 * longest gap between two tasks of a message loop kept running meanwhile. A
 * gap can hold several shorter tasks back to back, so it bounds the longest
 * task from above.
 */
function afterLoop(ms) {
  const loopEnd = performance.now()
  const longTasks = []
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // The loop's own task ends after this observer starts; it is not counted.
      if (entry.startTime >= loopEnd) longTasks.push(entry.duration)
    }
  })
  observer.observe({ type: 'longtask' })

  return new Promise((resolve) => {
    const channel = new MessageChannel()
    let last = performance.now()
    let longestGap = 0
    channel.port1.onmessage = () => {
      const now = performance.now()
      longestGap = Math.max(longestGap, now - last)
      last = now
      if (now < loopEnd + ms) {
        channel.port2.postMessage(null)
        return
      }
      observer.disconnect()
      resolve({ longestGap, longTasks })
    }
    channel.port2.postMessage(null)
  })
}

window.bench = { makeTarget, readyTime, loop, afterLoop }
