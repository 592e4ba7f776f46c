/**
 * Gzip sizes of the built bundles against the budget in package.json (`config.sizeBudget`,
 * gzip bytes per file). The build prints them (vite.config.ts) and test/build.test.mjs fails
 * when a file is over its budget. Level 9, as CDNs compress static files ahead of time.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** @returns {Record<string, number>} budget in gzip bytes, by path relative to the package root */
export function readBudget() {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  return pkg.config?.sizeBudget ?? {}
}

/** @param {string} file path relative to the package root */
export function measure(file) {
  const bytes = readFileSync(new URL(`../${file}`, import.meta.url))
  return {
    file,
    bytes: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
  }
}

/** @param {ReturnType<typeof measure>} size @param {number | undefined} budget */
export function describeSize({ file, bytes, gzip }, budget) {
  const over = budget !== undefined && gzip > budget
  const limit = budget === undefined ? 'no budget' : `budget ${format(budget)}`
  return `${file}: ${format(bytes)} bytes, ${format(gzip)} gzip (${limit})${over ? ', OVER BUDGET' : ''}`
}

/** @param {number} value */
function format(value) {
  return value.toLocaleString('en-US')
}
