/**
 * Serves what the builds made, as a static host would, with the local DashX backend on the same
 * origin: the embed (dist/*.js), the static pages that load it with a plain script tag
 * (demo/static/), and the React and Vue demos built against the npm entry (dist/demo/).
 * No bundler and no dev server in between, so the tests see exactly the shipped files.
 *
 *   npm run build && npm run build:demo && npm run serve:dist   # http://127.0.0.1:4173
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

import { createBackend } from './backend.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Only these folders are served; the rest of the checkout (node_modules, src) is not. */
const SERVED = ['dist/', 'demo/static/', 'demo/demo.css']

const TYPES = {
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
}

/**
 * Starts the server on 127.0.0.1.
 * @param {{ port?: number }} [options] port 0 picks a free one
 */
export async function startDistServer({ port = 0 } = {}) {
  const backend = createBackend()
  const server = http.createServer((req, res) => {
    respond(backend, req, res).catch(() => res.destroy())
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve(undefined))
  })

  const { port: actual } = /** @type {import('node:net').AddressInfo} */ (server.address())
  const close = () => new Promise((resolve) => server.close(() => resolve(undefined)))
  return { url: `http://127.0.0.1:${actual}`, backend, close }
}

/**
 * @param {ReturnType<typeof createBackend>} backend
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 */
async function respond(backend, req, res) {
  if (await backend.handle(req, res)) return

  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
  if (path === '/') return redirect(res, '/demo/static/')
  if (req.method !== 'GET' && req.method !== 'HEAD') return notFound(res, 405)

  const file = await findFile(path)
  if (!file) return notFound(res, 404)
  res.writeHead(200, {
    'content-type': TYPES[/** @type {keyof typeof TYPES} */ (extname(file))] ?? 'text/plain',
    'cache-control': 'no-store',
  })
  if (req.method === 'HEAD') return res.end()
  createReadStream(file).pipe(res)
}

/** The file a URL path names, or null; a folder stands for its index.html. */
async function findFile(/** @type {string} */ path) {
  const relative = normalize(path).replace(/^[/\\]+/, '')
  const allowed = SERVED.some((prefix) => relative.split(sep).join('/').startsWith(prefix))
  if (!allowed || relative.split(sep).includes('..')) return null

  const candidate = join(ROOT, relative)
  const stats = await stat(candidate).catch(() => null)
  if (stats?.isFile()) return candidate
  if (stats?.isDirectory()) return findFile(`${path.replace(/\/?$/, '/')}index.html`)
  return null
}

/** @param {http.ServerResponse} res @param {string} location */
function redirect(res, location) {
  res.writeHead(302, { location }).end()
}

/** @param {http.ServerResponse} res @param {number} status */
function notFound(res, status) {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(`${status}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 4173)
  const { url } = await startDistServer({ port })
  console.log(
    `Serving the built files at ${url}/ (static page), ${url}/dist/demo/react/ and ${url}/dist/demo/vue/`,
  )
}
