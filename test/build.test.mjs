// What `npm run build` makes and what the package ships: the file list of `npm pack`, the
// exports map, the Custom Elements Manifest and the embed's size budget. Run after the build.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { promisify } from 'node:util'

import { describeSize, measure, ROOT, readBudget } from '../scripts/size.mjs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

const ATTRIBUTES = {
  'public-key': 'publicKey',
  'base-uri': 'baseUri',
  'target-environment': 'targetEnvironment',
  'user-id': 'userId',
  token: 'token',
  'refresh-before': 'refreshBefore',
  'no-remember': 'noRemember',
  storage: 'storage',
  'cookie-domain': 'cookieDomain',
  consent: 'consent',
  debug: 'debug',
}
const READ_ONLY = ['anonymousUid', 'identity', 'tokenExpiresAt']
const METHODS = ['identify', 'track', 'reset', 'setIdentity', 'flush']
const EVENTS = {
  'dashx-ready': 'CustomEvent<DashxReadyDetail>',
  'dashx-identity-change': 'CustomEvent<DashxIdentity>',
  'dashx-error': 'CustomEvent<DashxErrorDetail>',
  'dashx-token-refresh': 'CustomEvent<DashxTokenDetail>',
  'dashx-token-expired': 'CustomEvent<DashxTokenDetail>',
  'dashx-identify': 'CustomEvent<DashxTraits | undefined>',
  'dashx-track': 'CustomEvent<DashxTrackDetail>',
  'dashx-reset': 'CustomEvent<undefined>',
}

test('npm pack ships the builds, types, manifest, README and LICENSE, and nothing else', async () => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json'], {
    cwd: ROOT,
  })
  const shipped = JSON.parse(stdout)[0]
    .files.map((/** @type {any} */ file) => file.path)
    .sort()

  const required = [
    'LICENSE',
    'README.md',
    'package.json',
    'dist/custom-elements.json',
    'dist/dashx-early.js',
    'dist/dashx-session.js',
    'dist/dashx-session.classic.js',
    ...['index', 'element', 'react'].flatMap((name) => [
      `dist/lib/${name}.js`,
      `dist/lib/${name}.d.ts`,
    ]),
  ]
  assert.deepEqual(
    required.filter((path) => !shipped.includes(path)),
    [],
    'files missing from the package',
  )

  // Besides those: the npm build's modules, each built from a module of src/, with its
  // declarations and, where it has code, its source map.
  const sources = readdirSync(new URL('../src', import.meta.url))
  const extra = shipped.filter((path) => !required.includes(path))
  const strays = extra.filter((path) => {
    const match = /^dist\/lib\/([\w-]+)\.(js|js\.map|d\.ts)$/.exec(path)
    return !match || !sources.includes(`${match[1]}.ts`)
  })
  assert.deepEqual(strays, [], 'unexpected files in the package')
  for (const path of extra.filter((file) => file.endsWith('.js'))) {
    assert.ok(shipped.includes(path.replace(/\.js$/, '.d.ts')), `${path} has declarations`)
  }
  assert.ok(shipped.includes('dist/lib/dashx-session.js.map'))
})

test('every target of the exports map and the package fields is built', () => {
  const targets = [pkg.main, pkg.module, pkg.types, pkg.customElements, pkg.unpkg]
  for (const entry of Object.values(pkg.exports)) {
    targets.push(...(typeof entry === 'string' ? [entry] : Object.values(entry)))
  }
  for (const target of targets)
    assert.ok(existsSync(new URL(`../${target}`, import.meta.url)), target)

  // Types first, as TypeScript takes the first matching condition.
  assert.equal(Object.keys(pkg.exports['.'])[0], 'types')
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), [
    '@lit/reactive-element',
    'jwt-decode',
    'lit',
    'nanoid',
  ])
})

test('only the registering entries and the early snippet are marked as having side effects', () => {
  assert.deepEqual(pkg.sideEffects.sort(), [
    './dist/dashx-early.js',
    './dist/dashx-session.classic.js',
    './dist/dashx-session.js',
    './dist/lib/index.js',
  ])
  const entry = readFileSync(new URL('../dist/lib/element.js', import.meta.url), 'utf8')
  assert.doesNotMatch(entry, /defineDashxSession\(|customElements\.define/)
})

test('the npm entry leaves Lit and the other dependencies to the app', () => {
  const element = readFileSync(new URL('../dist/lib/dashx-session.js', import.meta.url), 'utf8')
  assert.match(element, /from "@lit\/reactive-element"/)
  assert.doesNotMatch(element, /class \w+ extends HTMLElement/)

  const embed = readFileSync(new URL('../dist/dashx-session.js', import.meta.url), 'utf8')
  assert.doesNotMatch(embed, /\bimport\b[^(]*\bfrom\s*["']/, 'the embed imports nothing')
})

test('the manifest lists every attribute, property, method and event with its type', () => {
  const manifest = JSON.parse(
    readFileSync(new URL(`../${pkg.customElements}`, import.meta.url), 'utf8'),
  )
  const element = manifest.modules
    .flatMap((/** @type {any} */ module) => module.declarations ?? [])
    .find((/** @type {any} */ declaration) => declaration.tagName === 'dashx-session')
  assert.ok(element?.customElement, 'the dashx-session element is declared')

  const attributes = Object.fromEntries(
    element.attributes.map((/** @type {any} */ a) => [a.name, a.fieldName]),
  )
  assert.deepEqual(attributes, ATTRIBUTES)
  for (const attribute of element.attributes) assert.ok(attribute.type?.text, attribute.name)

  const members = new Map(element.members.map((/** @type {any} */ m) => [m.name, m]))
  for (const name of [...Object.values(ATTRIBUTES), ...READ_ONLY]) {
    assert.equal(members.get(name)?.kind, 'field', name)
    assert.ok(members.get(name).type?.text, `${name} has a type`)
  }
  for (const name of READ_ONLY) assert.equal(members.get(name).readonly, true, name)
  for (const name of METHODS) assert.equal(members.get(name)?.kind, 'method', name)
  assert.deepEqual(
    [...members.keys()].filter((name) => name.startsWith('#')),
    [],
    'no private members',
  )

  const events = Object.fromEntries(
    element.events.map((/** @type {any} */ e) => [e.name, e.type?.text]),
  )
  assert.deepEqual(events, EVENTS)
})

test('the embed stays within its gzip budget', () => {
  const budget = readBudget()
  for (const file of ['dist/dashx-session.js', 'dist/dashx-session.classic.js']) {
    const size = measure(file)
    assert.ok(budget[file] > 0, `package.json config.sizeBudget has ${file}`)
    assert.ok(size.gzip <= budget[file], describeSize(size, budget[file]))
  }
})
