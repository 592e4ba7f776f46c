// `npm run bench`: what the element costs a page, measured in Chromium and set
// against a floor page whose `track` only pushes to an array and writes one
// small record to localStorage. Prints figures; asserts nothing.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import http from 'node:http'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

import { createBackend } from '../demo/backend.mjs'
import { isRemote, launchChromium } from '../test/browsers.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const CALLS = 10_000
const REPEATS = 5
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' }

execFileSync('npx', ['vite', 'build', '--logLevel', 'silent'], { cwd: ROOT, stdio: 'inherit' })
const embed = readFileSync(join(ROOT, 'dist/dashx-session.js'))

const backend = createBackend()
const server = http.createServer(async (req, res) => {
  if (await backend.handle(req, res)) return
  const path = join(ROOT, new URL(req.url, 'http://localhost').pathname)
  if (!path.startsWith(join(ROOT, 'bench')) && !path.startsWith(join(ROOT, 'dist'))) {
    res.writeHead(404).end()
    return
  }
  try {
    // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
    res
      .writeHead(200, {
        'Content-Type': TYPES[extname(path)] ?? 'text/plain',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
      })
      .end(readFileSync(path))
  } catch {
    res.writeHead(404).end()
  }
})
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const origin = `http://127.0.0.1:${server.address().port}`

const browser = await launchChromium()

try {
  const ready = await measureReady()
  const floor = await measureCalls('floor')
  const element = await measureCalls('element')
  report({ ready, floor, element })
} finally {
  await browser.close()
  server.close()
}

async function freshPage() {
  const context = await browser.newContext()
  await context.route(isRemote, (route) => route.abort('blockedbyclient'))
  const page = await context.newPage()
  await page.goto(`${origin}/bench/element.html`)
  await page.waitForFunction(() => window.bench)
  return { context, page }
}

async function measureReady() {
  const { context, page } = await freshPage()
  const times = []
  for (let run = 0; run < 20; run++) times.push(await page.evaluate(() => window.bench.readyTime()))
  await context.close()
  return median(times)
}

/** Five loops of 10,000 calls, each on a fresh page, then what delivering one loop took. */
async function measureCalls(kind) {
  const perCall = []
  const gaps = []
  const longTasks = []
  let delivery = null
  for (let repeat = 0; repeat < REPEATS; repeat++) {
    await fetch(`${origin}/__dashx/received`, { method: 'DELETE' })
    const { context, page } = await freshPage()
    const result = await page.evaluate(
      async ({ kind, calls }) => {
        const target = await window.bench.makeTarget(kind)
        const perCall = window.bench.loop(target, calls)
        const after = await window.bench.afterLoop(3000)
        return { perCall, after }
      },
      { kind, calls: CALLS },
    )
    perCall.push(...result.perCall)
    gaps.push(result.after.longestGap)
    longTasks.push(...result.after.longTasks)
    if (kind === 'element' && repeat === 0) delivery = await waitForDelivery()
    await context.close()
  }
  return { perCall: stats(perCall), longestGap: Math.max(...gaps), longTasks, delivery }
}

async function waitForDelivery() {
  const deadline = Date.now() + 60_000
  for (;;) {
    const { received, requests } = await (await fetch(`${origin}/__dashx/received`)).json()
    if (received.length >= CALLS || Date.now() > deadline) {
      const bytes = requests.reduce((sum, request) => sum + request.bytes, 0)
      return { events: received.length, requests: requests.length, bytes }
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length
  return { mean, median: median(sorted), p95: sorted[Math.floor(sorted.length * 0.95)] }
}

/** Tasks of 50 ms or more (Long Tasks API), and the longest gap between two tasks. */
function describeLongTasks({ longTasks, longestGap }) {
  const count = `${longTasks.length} task(s) of 50 ms or more in ${REPEATS} runs`
  const longest = longTasks.length > 0 ? `, longest ${Math.max(...longTasks).toFixed(1)} ms` : ''
  return `${count}${longest}; longest gap between tasks ${longestGap.toFixed(1)} ms`
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function report({ ready, floor, element }) {
  const us = (value) => `${value.toFixed(2)} µs`
  const ratio = (ours, theirs) => `${(ours / theirs).toFixed(2)}×`
  const { delivery } = element
  const lines = [
    `embed dist/dashx-session.js: ${embed.length} bytes, ${gzipSync(embed, { level: 9 }).length} gzip (target ≤ 7168)`,
    `connect to dashx-ready: ${ready.toFixed(2)} ms (median of 20)`,
    '',
    `track() per call, ${CALLS.toLocaleString('en-US')} calls in one loop, ${REPEATS} repeats:`,
    `            mean        median      p95`,
    `  element   ${us(element.perCall.mean).padEnd(12)}${us(element.perCall.median).padEnd(12)}${us(element.perCall.p95)}`,
    `  floor     ${us(floor.perCall.mean).padEnd(12)}${us(floor.perCall.median).padEnd(12)}${us(floor.perCall.p95)}`,
    `  ratio     ${ratio(element.perCall.mean, floor.perCall.mean).padEnd(12)}${ratio(element.perCall.median, floor.perCall.median).padEnd(12)}${ratio(element.perCall.p95, floor.perCall.p95)}   (target ≤ 1.5×)`,
    '',
    `main thread in the 3 s after the loop returns (target: no task over 50 ms):`,
    `  element   ${describeLongTasks(element)}`,
    `  floor     ${describeLongTasks(floor)}`,
    `delivering ${delivery.events.toLocaleString('en-US')} events: ${delivery.requests} requests, ${delivery.bytes.toLocaleString('en-US')} bytes, ${(delivery.events / delivery.requests).toFixed(1)} events per request (target ≥ 50)`,
  ]
  console.log(lines.join('\n'))
}
