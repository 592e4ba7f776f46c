// Run before `npm test`: the browser tests need Debian's Chromium and Firefox
// ESR, and a missing one should say how to get it, not fail deep in a runner.
import { existsSync } from 'node:fs'

const browsers = [
  ['chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', 'CHROMIUM_PATH'],
  ['firefox-esr', process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', 'FIREFOX_PATH'],
]
const missing = browsers.filter(([, path]) => !existsSync(path))

if (missing.length > 0) {
  for (const [name, path, variable] of missing)
    console.error(`${name} not found at ${path} (${variable} points elsewhere)`)
  const names = missing.map(([name]) => name).join(' ')
  console.error(`Install with: apt-get install -y ${names}`)
  process.exit(1)
}
