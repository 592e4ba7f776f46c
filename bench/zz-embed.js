// node_modules/@lit/reactive-element/css-tag.js
var t = globalThis
var e =
  t.ShadowRoot &&
  (void 0 === t.ShadyCSS || t.ShadyCSS.nativeShadow) &&
  'adoptedStyleSheets' in Document.prototype &&
  'replace' in CSSStyleSheet.prototype
var s = /* @__PURE__ */ Symbol()
var o = /* @__PURE__ */ new WeakMap()
var n = class {
  constructor(t2, e3, o3) {
    if (((this._$cssResult$ = true), o3 !== s))
      throw Error('CSSResult is not constructable. Use `unsafeCSS` or `css` instead.')
    ;(this.cssText = t2), (this.t = e3)
  }
  get styleSheet() {
    let t2 = this.o
    const s2 = this.t
    if (e && void 0 === t2) {
      const e3 = void 0 !== s2 && 1 === s2.length
      e3 && (t2 = o.get(s2)),
        void 0 === t2 &&
          ((this.o = t2 = new CSSStyleSheet()).replaceSync(this.cssText), e3 && o.set(s2, t2))
    }
    return t2
  }
  toString() {
    return this.cssText
  }
}
var r = (t2) => new n('string' == typeof t2 ? t2 : t2 + '', void 0, s)
var S = (s2, o3) => {
  if (e) s2.adoptedStyleSheets = o3.map((t2) => (t2 instanceof CSSStyleSheet ? t2 : t2.styleSheet))
  else
    for (const e3 of o3) {
      const o4 = document.createElement('style'),
        n3 = t.litNonce
      void 0 !== n3 && o4.setAttribute('nonce', n3),
        (o4.textContent = e3.cssText),
        s2.appendChild(o4)
    }
}
var c = e
  ? (t2) => t2
  : (t2) =>
      t2 instanceof CSSStyleSheet
        ? ((t3) => {
            let e3 = ''
            for (const s2 of t3.cssRules) e3 += s2.cssText
            return r(e3)
          })(t2)
        : t2

// node_modules/@lit/reactive-element/reactive-element.js
var {
  is: i2,
  defineProperty: e2,
  getOwnPropertyDescriptor: h,
  getOwnPropertyNames: r2,
  getOwnPropertySymbols: o2,
  getPrototypeOf: n2,
} = Object
var a = globalThis
var c2 = a.trustedTypes
var l = c2 ? c2.emptyScript : ''
var p = a.reactiveElementPolyfillSupport
var d = (t2, s2) => t2
var u = {
  toAttribute(t2, s2) {
    switch (s2) {
      case Boolean:
        t2 = t2 ? l : null
        break
      case Object:
      case Array:
        t2 = null == t2 ? t2 : JSON.stringify(t2)
    }
    return t2
  },
  fromAttribute(t2, s2) {
    let i3 = t2
    switch (s2) {
      case Boolean:
        i3 = null !== t2
        break
      case Number:
        i3 = null === t2 ? null : Number(t2)
        break
      case Object:
      case Array:
        try {
          i3 = JSON.parse(t2)
        } catch (t3) {
          i3 = null
        }
    }
    return i3
  },
}
var f = (t2, s2) => !i2(t2, s2)
var b = {
  attribute: true,
  type: String,
  converter: u,
  reflect: false,
  useDefault: false,
  hasChanged: f,
}
;(Symbol.metadata ??= /* @__PURE__ */ Symbol('metadata')),
  (a.litPropertyMetadata ??= /* @__PURE__ */ new WeakMap())
var y = class extends HTMLElement {
  static addInitializer(t2) {
    this._$Ei(), (this.l ??= []).push(t2)
  }
  static get observedAttributes() {
    return (this.finalize(), this._$Eh && [...this._$Eh.keys()])
  }
  static createProperty(t2, s2 = b) {
    if (
      (s2.state && (s2.attribute = false),
      this._$Ei(),
      Object.hasOwn(this.prototype, t2) && ((s2 = Object.create(s2)).wrapped = true),
      this.elementProperties.set(t2, s2),
      !s2.noAccessor)
    ) {
      const i3 = /* @__PURE__ */ Symbol(),
        h2 = this.getPropertyDescriptor(t2, i3, s2)
      void 0 !== h2 && e2(this.prototype, t2, h2)
    }
  }
  static getPropertyDescriptor(t2, s2, i3) {
    const { get: e3, set: r3 } = h(this.prototype, t2) ?? {
      get() {
        return this[s2]
      },
      set(t3) {
        this[s2] = t3
      },
    }
    return {
      get: e3,
      set(s3) {
        const h2 = e3?.call(this)
        r3?.call(this, s3), this.requestUpdate(t2, h2, i3)
      },
      configurable: true,
      enumerable: true,
    }
  }
  static getPropertyOptions(t2) {
    return this.elementProperties.get(t2) ?? b
  }
  static _$Ei() {
    if (Object.hasOwn(this, d('elementProperties'))) return
    const t2 = n2(this)
    t2.finalize(),
      void 0 !== t2.l && (this.l = [...t2.l]),
      (this.elementProperties = new Map(t2.elementProperties))
  }
  static finalize() {
    if (Object.hasOwn(this, d('finalized'))) return
    if (((this.finalized = true), this._$Ei(), Object.hasOwn(this, d('properties')))) {
      const t3 = this.properties,
        s2 = [...r2(t3), ...o2(t3)]
      for (const i3 of s2) this.createProperty(i3, t3[i3])
    }
    const t2 = this[Symbol.metadata]
    if (null !== t2) {
      const s2 = litPropertyMetadata.get(t2)
      if (void 0 !== s2) for (const [t3, i3] of s2) this.elementProperties.set(t3, i3)
    }
    this._$Eh = /* @__PURE__ */ new Map()
    for (const [t3, s2] of this.elementProperties) {
      const i3 = this._$Eu(t3, s2)
      void 0 !== i3 && this._$Eh.set(i3, t3)
    }
    this.elementStyles = this.finalizeStyles(this.styles)
  }
  static finalizeStyles(s2) {
    const i3 = []
    if (Array.isArray(s2)) {
      const e3 = new Set(s2.flat(1 / 0).reverse())
      for (const s3 of e3) i3.unshift(c(s3))
    } else void 0 !== s2 && i3.push(c(s2))
    return i3
  }
  static _$Eu(t2, s2) {
    const i3 = s2.attribute
    return false === i3
      ? void 0
      : 'string' == typeof i3
        ? i3
        : 'string' == typeof t2
          ? t2.toLowerCase()
          : void 0
  }
  constructor() {
    super(),
      (this._$Ep = void 0),
      (this.isUpdatePending = false),
      (this.hasUpdated = false),
      (this._$Em = null),
      this._$Ev()
  }
  _$Ev() {
    ;(this._$ES = new Promise((t2) => (this.enableUpdating = t2))),
      (this._$AL = /* @__PURE__ */ new Map()),
      this._$E_(),
      this.requestUpdate(),
      this.constructor.l?.forEach((t2) => t2(this))
  }
  addController(t2) {
    ;(this._$EO ??= /* @__PURE__ */ new Set()).add(t2),
      void 0 !== this.renderRoot && this.isConnected && t2.hostConnected?.()
  }
  removeController(t2) {
    this._$EO?.delete(t2)
  }
  _$E_() {
    const t2 = /* @__PURE__ */ new Map(),
      s2 = this.constructor.elementProperties
    for (const i3 of s2.keys()) Object.hasOwn(this, i3) && (t2.set(i3, this[i3]), delete this[i3])
    t2.size > 0 && (this._$Ep = t2)
  }
  createRenderRoot() {
    const t2 = this.shadowRoot ?? this.attachShadow(this.constructor.shadowRootOptions)
    return (S(t2, this.constructor.elementStyles), t2)
  }
  connectedCallback() {
    ;(this.renderRoot ??= this.createRenderRoot()),
      this.enableUpdating(true),
      this._$EO?.forEach((t2) => t2.hostConnected?.())
  }
  enableUpdating(t2) {}
  disconnectedCallback() {
    this._$EO?.forEach((t2) => t2.hostDisconnected?.())
  }
  attributeChangedCallback(t2, s2, i3) {
    this._$AK(t2, i3)
  }
  _$ET(t2, s2) {
    const i3 = this.constructor.elementProperties.get(t2),
      e3 = this.constructor._$Eu(t2, i3)
    if (void 0 !== e3 && true === i3.reflect) {
      const h2 = (void 0 !== i3.converter?.toAttribute ? i3.converter : u).toAttribute(s2, i3.type)
      ;(this._$Em = t2),
        null == h2 ? this.removeAttribute(e3) : this.setAttribute(e3, h2),
        (this._$Em = null)
    }
  }
  _$AK(t2, s2) {
    const i3 = this.constructor,
      e3 = i3._$Eh.get(t2)
    if (void 0 !== e3 && this._$Em !== e3) {
      const t3 = i3.getPropertyOptions(e3),
        h2 =
          'function' == typeof t3.converter
            ? { fromAttribute: t3.converter }
            : void 0 !== t3.converter?.fromAttribute
              ? t3.converter
              : u
      this._$Em = e3
      const r3 = h2.fromAttribute(s2, t3.type)
      ;(this[e3] = r3 ?? this._$Ej?.get(e3) ?? r3), (this._$Em = null)
    }
  }
  requestUpdate(t2, s2, i3, e3 = false, h2) {
    if (void 0 !== t2) {
      const r3 = this.constructor
      if (
        (false === e3 && (h2 = this[t2]),
        (i3 ??= r3.getPropertyOptions(t2)),
        !(
          (i3.hasChanged ?? f)(h2, s2) ||
          (i3.useDefault &&
            i3.reflect &&
            h2 === this._$Ej?.get(t2) &&
            !this.hasAttribute(r3._$Eu(t2, i3)))
        ))
      )
        return
      this.C(t2, s2, i3)
    }
    false === this.isUpdatePending && (this._$ES = this._$EP())
  }
  C(t2, s2, { useDefault: i3, reflect: e3, wrapped: h2 }, r3) {
    ;(i3 &&
      !(this._$Ej ??= /* @__PURE__ */ new Map()).has(t2) &&
      (this._$Ej.set(t2, r3 ?? s2 ?? this[t2]), true !== h2 || void 0 !== r3)) ||
      (this._$AL.has(t2) || (this.hasUpdated || i3 || (s2 = void 0), this._$AL.set(t2, s2)),
      true === e3 && this._$Em !== t2 && (this._$Eq ??= /* @__PURE__ */ new Set()).add(t2))
  }
  async _$EP() {
    this.isUpdatePending = true
    try {
      await this._$ES
    } catch (t3) {
      Promise.reject(t3)
    }
    const t2 = this.scheduleUpdate()
    return (null != t2 && (await t2), !this.isUpdatePending)
  }
  scheduleUpdate() {
    return this.performUpdate()
  }
  performUpdate() {
    if (!this.isUpdatePending) return
    if (!this.hasUpdated) {
      if (((this.renderRoot ??= this.createRenderRoot()), this._$Ep)) {
        for (const [t4, s3] of this._$Ep) this[t4] = s3
        this._$Ep = void 0
      }
      const t3 = this.constructor.elementProperties
      if (t3.size > 0)
        for (const [s3, i3] of t3) {
          const { wrapped: t4 } = i3,
            e3 = this[s3]
          true !== t4 || this._$AL.has(s3) || void 0 === e3 || this.C(s3, void 0, i3, e3)
        }
    }
    let t2 = false
    const s2 = this._$AL
    try {
      ;(t2 = this.shouldUpdate(s2)),
        t2
          ? (this.willUpdate(s2), this._$EO?.forEach((t3) => t3.hostUpdate?.()), this.update(s2))
          : this._$EM()
    } catch (s3) {
      throw ((t2 = false), this._$EM(), s3)
    }
    t2 && this._$AE(s2)
  }
  willUpdate(t2) {}
  _$AE(t2) {
    this._$EO?.forEach((t3) => t3.hostUpdated?.()),
      this.hasUpdated || ((this.hasUpdated = true), this.firstUpdated(t2)),
      this.updated(t2)
  }
  _$EM() {
    ;(this._$AL = /* @__PURE__ */ new Map()), (this.isUpdatePending = false)
  }
  get updateComplete() {
    return this.getUpdateComplete()
  }
  getUpdateComplete() {
    return this._$ES
  }
  shouldUpdate(t2) {
    return true
  }
  update(t2) {
    ;(this._$Eq &&= this._$Eq.forEach((t3) => this._$ET(t3, this[t3]))), this._$EM()
  }
  updated(t2) {}
  firstUpdated(t2) {}
}
;(y.elementStyles = []),
  (y.shadowRootOptions = { mode: 'open' }),
  (y[d('elementProperties')] = /* @__PURE__ */ new Map()),
  (y[d('finalized')] = /* @__PURE__ */ new Map()),
  p?.({ ReactiveElement: y }),
  (a.reactiveElementVersions ??= []).push('2.1.2')

// node_modules/nanoid/url-alphabet/index.js
var urlAlphabet = 'useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict'

// node_modules/nanoid/index.browser.js
var nanoid = (size = 21) => {
  let id = ''
  const bytes = crypto.getRandomValues(new Uint8Array((size |= 0)))
  while (size--) {
    id += urlAlphabet[bytes[size] & 63]
  }
  return id
}

// src/locks.ts
async function withLock(name, fn) {
  const locks = typeof navigator === 'undefined' ? void 0 : navigator.locks
  if (!locks) return fn()
  let ran = false
  try {
    return await locks.request(name, () => {
      ran = true
      return fn()
    })
  } catch (error) {
    if (ran) throw error
    return fn()
  }
}
var heldHere = /* @__PURE__ */ new Set()
function ifFree(name, holdMs, fn) {
  const locks = typeof navigator === 'undefined' ? void 0 : navigator.locks
  if (!locks || heldHere.has(name)) return fn()
  const held = locks.request(name, { ifAvailable: true }, async (lock) => {
    if (!lock) return
    heldHere.add(name)
    try {
      fn()
      await new Promise((resolve) => AbortSignal.timeout(holdMs).addEventListener('abort', resolve))
    } finally {
      heldHere.delete(name)
    }
  })
  held.catch(() => fn())
}

// src/graphql.ts
var DOCUMENTS = {
  identifyAccount: {
    type: 'IdentifyAccountInput',
    selection: '{ id }',
    operation: 'IdentifyAccount',
  },
  trackEvent: { type: 'TrackEventInput', selection: '{ success }', operation: 'TrackEvent' },
}
var EXPIRED = 'Incorrect Identity Token: Expired'
function graphqlBody(batch, extra) {
  if (batch.length === 1) {
    const [{ name, input }] = batch
    const { type, selection, operation } = DOCUMENTS[name]
    const query2 = `mutation ${operation}($input: ${type}!) { ${name}(input: $input) ${selection} }`
    return JSON.stringify({
      query: query2,
      variables: { input: { ...input, ...extra } },
      operationName: operation,
    })
  }
  const variables = {}
  const declarations = []
  const fields = []
  for (const [index, { name, input }] of batch.entries()) {
    const { type, selection } = DOCUMENTS[name]
    variables[`input${index}`] = { ...input, ...extra }
    declarations.push(`$input${index}: ${type}!`)
    fields.push(`op${index}: ${name}(input: $input${index}) ${selection}`)
  }
  const query = `mutation Batch(${declarations.join(', ')}) { ${fields.join(' ')} }`
  return JSON.stringify({ query, variables, operationName: 'Batch' })
}
function graphqlHeaders(config, token) {
  const headers = {
    'Content-Type': 'application/json',
    'X-Public-Key': config.publicKey,
  }
  if (config.targetEnvironment) headers['X-Target-Environment'] = config.targetEnvironment
  if (token) headers['X-Identity-Token'] = token
  return headers
}
async function judge(batch, response) {
  const body = await readJson(response)
  const errors = Array.isArray(body?.errors) ? body.errors : []
  const message = errors.map((error) => error.message).join('; ') || response.statusText
  if (message.includes(EXPIRED)) return { kind: 'expired' }
  if (isRetryable(response.status)) {
    return {
      kind: 'retry',
      waitMs: retryAfterMs(response),
      message: `${response.status} ${message}`,
    }
  }
  if (!response.ok || !body?.data)
    return { kind: 'refused', message: `${response.status} ${message}` }
  const refused = /* @__PURE__ */ new Map()
  for (const [index, operation] of batch.entries()) {
    const alias = batch.length === 1 ? operation.name : `op${index}`
    const error = errors.find((candidate) => candidate.path?.[0] === alias)
    if (error) refused.set(operation.id, error.message ?? 'refused')
  }
  return { kind: 'delivered', refused }
}
function isRetryable(status) {
  return status === 408 || status === 429 || status >= 500
}
function retryAfterMs(response) {
  const header = response.headers.get('Retry-After')
  if (!header) return null
  const seconds = Number(header)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1e3)
  const date = Date.parse(header)
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now())
}
async function readJson(response) {
  try {
    return await response.json()
  } catch {
    return null
  }
}

// src/outbox-store.ts
var CHUNK_SIZE = 250
var MAX_QUEUED = 1e4
var MAX_QUEUED_CHARS = 3e6
var writer = nanoid(6)
var sequence = 0
var OutboxStore = class {
  #store
  #prefix
  #claimKey
  /**
   * The chunks as this tab last saw them. Its own writes keep it current.
   * Every write by any tab also leaves a new mark under `#markKey`; a read
   * that finds a mark it did not leave scans storage again. Reading the whole
   * queue on every send would copy megabytes each time.
   */
  #view = null
  #markKey
  #mark = null
  /** Chunks live under `prefix:…`; the claim of the tab that is sending under `claimKey`. */
  constructor(store, prefix, claimKey) {
    this.#store = store
    this.#prefix = `${prefix}:`
    this.#markKey = `${prefix}-mark`
    this.#claimKey = claimKey
  }
  /** Marks calls as being sent by this tab until `until`; `claim([], 0)` lifts the claim. */
  claim(ids, until) {
    if (ids.length === 0) this.#store.remove(this.#claimKey)
    else this.#store.set(this.#claimKey, JSON.stringify({ ids, until }))
  }
  /** Calls some tab is sending right now. */
  claimed() {
    try {
      const claim = JSON.parse(this.#store.get(this.#claimKey) ?? 'null')
      const live = claim && claim.until > Date.now() && Array.isArray(claim.ids)
      return new Set(live ? claim.ids : [])
    } catch {
      return /* @__PURE__ */ new Set()
    }
  }
  /** Writes new operations as one chunk. False if the device refused it (quota). */
  append(operations) {
    if (operations.length === 0) return true
    const stamp = `${Date.now().toString(36).padStart(9, '0')}.${writer}.${sequence++}`
    const key = this.#prefix + stamp
    const text = JSON.stringify(operations)
    if (!this.#store.set(key, text)) return false
    this.#view?.set(key, { key, operations, chars: text.length })
    this.#leaveMark()
    return true
  }
  /** Another tab changed the stored queue: read it afresh next time. */
  invalidate() {
    this.#view = null
  }
  /** Every stored operation, oldest first. */
  read() {
    return this.#chunks().flatMap((chunk) => chunk.operations)
  }
  /** Deletes these operations wherever they are stored. */
  remove(ids) {
    this.#rewrite((operation) => (ids.has(operation.id) ? null : operation))
  }
  /** Replaces stored operations by id, e.g. to mark them. */
  update(changed) {
    this.#rewrite((operation) => changed.get(operation.id) ?? operation)
  }
  /** Drops the oldest operations beyond the bounds; returns how many went. */
  trim(maxCount = MAX_QUEUED, maxChars = MAX_QUEUED_CHARS) {
    const chunks = this.#chunks()
    let count = chunks.reduce((sum, chunk) => sum + chunk.operations.length, 0)
    let chars = chunks.reduce((sum, chunk) => sum + chunk.chars, 0)
    let dropped = 0
    for (const chunk of chunks) {
      if (count <= maxCount && chars <= maxChars) break
      this.#delete(chunk.key)
      count -= chunk.operations.length
      chars -= chunk.chars
      dropped += chunk.operations.length
    }
    return dropped
  }
  clear() {
    for (const chunk of this.#chunks()) this.#delete(chunk.key)
  }
  #delete(key) {
    this.#store.remove(key)
    this.#view?.delete(key)
    this.#leaveMark()
  }
  #leaveMark() {
    const fresh = this.#store.get(this.#markKey) === this.#mark
    this.#mark = JSON.stringify(nanoid(8))
    this.#store.set(this.#markKey, this.#mark)
    if (!fresh) this.#view = null
  }
  #rewrite(change) {
    for (const chunk of this.#chunks()) {
      const kept = chunk.operations.map(change).filter((operation) => operation !== null)
      const same =
        kept.length === chunk.operations.length &&
        kept.every((op, i3) => op === chunk.operations[i3])
      if (same) continue
      if (kept.length === 0) {
        this.#delete(chunk.key)
        continue
      }
      const text = JSON.stringify(kept)
      this.#store.set(chunk.key, text)
      this.#view?.set(chunk.key, { key: chunk.key, operations: kept, chars: text.length })
      this.#leaveMark()
    }
  }
  #chunks() {
    if (this.#store.get(this.#markKey) !== this.#mark) this.#view = null
    if (!this.#view) {
      this.#mark = this.#store.get(this.#markKey)
      this.#view = /* @__PURE__ */ new Map()
      for (const key of this.#store.keys(this.#prefix)) {
        const text = this.#store.get(key) ?? '[]'
        const operations = parseOperations(text)
        if (operations === null) this.#store.remove(key)
        else this.#view.set(key, { key, operations, chars: text.length })
      }
    }
    return [...this.#view.values()].sort((a2, b2) => (a2.key < b2.key ? -1 : 1))
  }
}
function parseOperations(text) {
  try {
    return validOperations(JSON.parse(text))
  } catch {
    return null
  }
}
function validOperations(value) {
  if (!Array.isArray(value)) return []
  return value.filter(
    (item) =>
      item !== null &&
      typeof item === 'object' &&
      typeof item.id === 'string' &&
      (item.name === 'identifyAccount' || item.name === 'trackEvent') &&
      item.input !== null &&
      typeof item.input === 'object' &&
      (item.uid === null || typeof item.uid === 'string') &&
      typeof item.createdAt === 'number',
  )
}

// src/outbox.ts
var FLUSH_DELAY_MS = 200
var MAX_BATCH_OPERATIONS = 100
var MAX_BATCH_BYTES = 60 * 1024
var SLOW_REQUEST_MS = 1e4
var REQUEST_TIMEOUT_MS = 45e3
var RETRY_BASE_MS = 1e3
var RETRY_CEILING_MS = 6e4
var MAX_ATTEMPTS = 10
var KEEPALIVE_BUDGET_BYTES = 60 * 1024
var HELD_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1e3
var HELD_MAX_COUNT = 500
var encoder = new TextEncoder()
var Outbox = class {
  #host
  #store = null
  #lockName = ''
  /** Accepted and not yet written to the store, oldest first. */
  #unsaved = []
  #saved = null
  #markSaved = () => {}
  #timer
  #timerAt = Infinity
  #draining = null
  #again = null
  #failures = 0
  #retryAt = 0
  #lastFailure = null
  /** Ids this page is sending right now. */
  #inFlight = /* @__PURE__ */ new Set()
  #keepaliveBytes = 0
  /** Requests in flight, so a send can wait for keepalive room. */
  #pending = /* @__PURE__ */ new Set()
  constructor(host) {
    this.#host = host
  }
  /** Uses the store of one project and environment; calls not yet saved go there too. */
  attach(store, lockName) {
    this.#store = store
    this.#lockName = lockName
  }
  /** Queues an operation; resolves once it is written to the device. */
  add(operation) {
    this.#unsaved.push(operation)
    if (!this.#saved) {
      this.#saved = new Promise((resolve) => (this.#markSaved = resolve))
      queueMicrotask(() => this.#saveSlice())
    }
    this.#schedule(this.#unsaved.length >= MAX_BATCH_OPERATIONS ? 0 : FLUSH_DELAY_MS)
    return this.#saved
  }
  /** Sends all that can go now; settles when the queue is empty or the rest must wait. */
  flush() {
    this.#cancelTimer()
    if (this.#draining) {
      this.#again ??= this.#draining.then(() => this.#rerun())
      return this.#again
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = null
      if (Date.now() < this.#retryAt) this.#schedule(0)
    })
    return this.#draining
  }
  /**
   * The page is going away, or may be: hand what can go to keepalive requests
   * now, inside this event handler, and leave the rest saved for later.
   */
  flushOnHide() {
    this.#cancelTimer()
    this.#saveAll()
    const config = this.#host.config()
    if (!config || !this.#store || !this.#canSend() || this.#failures > 0) return
    const claimed = this.#store.claimed()
    let queue = this.#store.read().filter((operation) => !claimed.has(operation.id))
    for (;;) {
      const room = KEEPALIVE_BUDGET_BYTES - this.#keepaliveBytes
      const batch = this.#nextBatch(queue, room, true)
      if (!batch) return
      queue = queue.filter((operation) => !batch.operations.includes(operation))
      void this.#send(config, batch)
    }
  }
  /** Another tab changed the stored queue. */
  changedElsewhere() {
    this.#store?.invalidate()
    this.#schedule(FLUSH_DELAY_MS)
  }
  /** The connection is back: what waited for it goes now, not after the backoff. */
  online() {
    if (this.#lastFailure === 'network') this.#retryAt = 0
    void this.flush()
  }
  /** Gives queued calls made as one Visitor to another, e.g. when tabs settle on one id. */
  relabel(from, to) {
    this.#saveAll()
    const changed = /* @__PURE__ */ new Map()
    for (const operation of this.#store?.read() ?? []) {
      const field = operation.name === 'trackEvent' ? 'accountAnonymousUid' : 'anonymousUid'
      if (operation.input[field] !== from) continue
      changed.set(operation.id, { ...operation, input: { ...operation.input, [field]: to } })
    }
    if (changed.size > 0) this.#store?.update(changed)
  }
  /** Stops the timers; queued operations stay and go on the next flush. */
  stop() {
    this.#cancelTimer()
    this.#saveAll()
  }
  #rerun() {
    this.#again = null
    return this.flush()
  }
  #saveSlice() {
    this.#append(this.#unsaved.splice(0, CHUNK_SIZE))
    if (this.#unsaved.length > 0) {
      setTimeout(() => this.#saveSlice(), 0)
      return
    }
    this.#markSaved()
    this.#saved = null
    this.#trim()
    this.#schedule(0)
  }
  #saveAll() {
    while (this.#unsaved.length > 0) this.#append(this.#unsaved.splice(0, CHUNK_SIZE))
    this.#markSaved()
    this.#saved = null
  }
  #append(operations) {
    const store = this.#store
    if (!store || operations.length === 0) return
    if (store.append(operations)) return
    const dropped = store.trim(Math.floor(store.read().length / 2))
    if (store.append(operations)) return this.#reportFull(dropped)
    this.#reportFull(dropped + operations.length)
  }
  #trim() {
    const dropped = this.#store?.trim() ?? 0
    if (dropped > 0) this.#reportFull(dropped)
  }
  #reportFull(dropped) {
    if (dropped > 0)
      this.#host.report('queue-full', `The queue was full: ${dropped} oldest call(s) dropped.`)
  }
  #schedule(delay) {
    const at = Math.max(Date.now() + delay, this.#retryAt)
    if (at >= this.#timerAt) return
    this.#cancelTimer()
    this.#timerAt = at
    this.#timer = setTimeout(() => {
      this.#cancelTimer()
      void this.flush()
    }, at - Date.now())
  }
  #cancelTimer() {
    clearTimeout(this.#timer)
    this.#timer = void 0
    this.#timerAt = Infinity
  }
  #canSend() {
    return navigator.onLine !== false && Date.now() >= this.#retryAt
  }
  /** One tab at a time, where the browser has Web Locks; see the README for the rest. */
  async #drain() {
    try {
      await withLock(this.#lockName, () => this.#drainLocked())
    } catch (error) {
      this.#host.log(`sending stopped: ${String(error)}`)
    }
  }
  // Sends what is saved; calls still being saved a slice at a time follow in later rounds.
  async #drainLocked() {
    this.#dropStaleHeld()
    while (this.#canSend()) {
      const config = this.#host.config()
      const batch = config && this.#store && this.#nextBatch(this.#store.read(), MAX_BATCH_BYTES)
      if (!config || !batch) return
      await this.#send(config, batch)
    }
  }
  /** Held calls past the age or count bound go, and the page is told how many. */
  #dropStaleHeld() {
    const store = this.#store
    if (!store) return
    const oldest = Date.now() - HELD_MAX_AGE_MS
    const held = store
      .read()
      .filter((op) => op.uid !== null && this.#host.tokenFor(op.uid) === null)
    const excess = held.length - HELD_MAX_COUNT
    const stale = held.filter((op, index) => index < excess || op.createdAt < oldest)
    if (stale.length === 0) return
    store.remove(new Set(stale.map((op) => op.id)))
    this.#host.report(
      'events-dropped',
      `${stale.length} call(s) waited too long for a User's token.`,
    )
  }
  /**
   * The oldest sendable operation and those after it that share its identity,
   * within `maxBytes`; a first operation bigger than that goes alone unless `strict`.
   */
  #nextBatch(queue, maxBytes, strict = false) {
    for (const first2 of queue) {
      if (this.#inFlight.has(first2.id)) continue
      const token = first2.uid === null ? null : this.#host.tokenFor(first2.uid)
      if (first2.uid !== null && token === null) continue
      const operations = this.#gather(queue, first2, maxBytes, strict)
      return operations.length > 0 ? { operations, token } : null
    }
    return null
  }
  #gather(queue, first2, maxBytes, strict) {
    const extra = JSON.stringify(this.#host.sendTime()).length + 120
    const batch = []
    let bytes = 200
    for (const operation of first2.solo ? [first2] : queue) {
      if (operation.uid !== first2.uid || operation.solo !== first2.solo) continue
      if (this.#inFlight.has(operation.id)) continue
      bytes += encoder.encode(JSON.stringify(operation.input)).length + extra
      const full = bytes > maxBytes && (strict || batch.length > 0)
      if (full || batch.length === MAX_BATCH_OPERATIONS) break
      batch.push(operation)
    }
    return batch
  }
  /**
   * Sends one batch. It goes as a keepalive request whenever the keepalive
   * budget allows, and leaves the store while it is in flight: a page that
   * closes mid-request then neither cancels it nor sends it again on the next
   * load. Only a request too big for the budget stays stored, claimed.
   */
  async #send(config, batch) {
    const { operations, token } = batch
    const store = this.#store
    const body = graphqlBody(operations, this.#host.sendTime())
    const bytes = encoder.encode(body).length
    const ids = operations.map((operation) => operation.id)
    while (bytes > KEEPALIVE_BUDGET_BYTES - this.#keepaliveBytes && this.#pending.size > 0) {
      await Promise.race(this.#pending)
    }
    const keepalive = bytes <= KEEPALIVE_BUDGET_BYTES - this.#keepaliveBytes
    for (const id of ids) this.#inFlight.add(id)
    if (keepalive) {
      this.#keepaliveBytes += bytes
      store.remove(new Set(ids))
    } else {
      store.claim(ids, Date.now() + REQUEST_TIMEOUT_MS)
    }
    this.#host.log(
      `sending ${operations.length} call(s), ${bytes} bytes${keepalive ? ', keepalive' : ''}`,
    )
    const posting = this.#post(config, operations, body, token, keepalive)
    const settled = posting.then(() => void 0)
    this.#pending.add(settled)
    const outcome = await posting
    this.#pending.delete(settled)
    for (const id of ids) this.#inFlight.delete(id)
    if (keepalive) this.#keepaliveBytes -= bytes
    else store.claim([], 0)
    this.#apply(operations, outcome, keepalive)
  }
  async #post(config, operations, body, token, keepalive) {
    const abort = new AbortController()
    const slow = setTimeout(() => {
      this.#host.report(
        'network',
        `No answer from ${config.url} in ${SLOW_REQUEST_MS / 1e3} s; still waiting.`,
      )
    }, SLOW_REQUEST_MS)
    const timeout = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS)
    try {
      const response = await fetch(config.url, {
        method: 'POST',
        headers: graphqlHeaders(config, token),
        body,
        keepalive,
        credentials: 'omit',
        signal: abort.signal,
      })
      return await judge(operations, response)
    } catch (error) {
      return { kind: 'network', message: `Could not reach ${config.url}: ${String(error)}` }
    } finally {
      clearTimeout(slow)
      clearTimeout(timeout)
    }
  }
  /** Acts on the answer. Calls sent with keepalive were taken out of the store, so failures go back in. */
  #apply(operations, outcome, keepalive) {
    const store = this.#store
    if (!store) return
    const ids = new Set(operations.map((operation) => operation.id))
    if (outcome.kind === 'delivered') {
      this.#failures = 0
      this.#lastFailure = null
      if (!keepalive) store.remove(ids)
      for (const [, message] of outcome.refused)
        this.#host.report('rejected', `DashX refused a call: ${message}`)
      return
    }
    if (outcome.kind === 'expired') {
      if (keepalive) store.append(operations)
      if (operations[0].uid !== null) this.#host.tokenExpired(operations[0].uid)
      return
    }
    if (outcome.kind === 'refused') return this.#refuse(operations, outcome.message, keepalive)
    this.#retryLater(operations, outcome, keepalive)
  }
  /** A request refused as a whole: alone, the call is the culprit; otherwise each goes alone to find it. */
  #refuse(operations, message, keepalive) {
    const store = this.#store
    if (operations.length === 1) {
      store.remove(/* @__PURE__ */ new Set([operations[0].id]))
      this.#host.report('rejected', `DashX refused a call: ${message}`)
      return
    }
    const alone = operations.map((operation) => ({ ...operation, solo: true }))
    if (keepalive) store.append(alone)
    else store.update(new Map(alone.map((operation) => [operation.id, operation])))
  }
  #retryLater(operations, outcome, keepalive) {
    const store = this.#store
    this.#failures += 1
    const ceiling = Math.min(RETRY_CEILING_MS, RETRY_BASE_MS * 2 ** (this.#failures - 1))
    const waitMs = outcome.kind === 'retry' ? outcome.waitMs : null
    const delay = waitMs === null ? Math.random() * ceiling : Math.min(waitMs, RETRY_CEILING_MS)
    this.#retryAt = Date.now() + delay
    this.#lastFailure = outcome.kind === 'retry' ? 'server' : 'network'
    this.#host.report(this.#lastFailure, outcome.message)
    this.#host.log(`retrying in ${Math.round(delay)} ms`)
    const counted = navigator.onLine === false ? 0 : 1
    const tried = operations.map((op) => ({ ...op, attempts: (op.attempts ?? 0) + counted }))
    const givenUp = tried.filter((op) => op.attempts >= MAX_ATTEMPTS)
    const kept = tried.filter((op) => op.attempts < MAX_ATTEMPTS)
    if (keepalive) store.append(kept)
    else store.update(new Map(kept.map((op) => [op.id, op])))
    if (givenUp.length === 0) return
    store.remove(new Set(givenUp.map((op) => op.id)))
    this.#host.report(
      'events-dropped',
      `${givenUp.length} call(s) failed ${MAX_ATTEMPTS} times and were given up.`,
    )
  }
}

// src/payload.ts
var LIBRARY = { name: 'dashx-session', version: '0.1.0' }
var TRAIT_FIELDS = {
  email: 'email',
  phone: 'phone',
  name: 'name',
  firstName: 'firstName',
  lastName: 'lastName',
  first_name: 'firstName',
  last_name: 'lastName',
}
var IDENTITY_FIELDS = /* @__PURE__ */ new Set([
  'uid',
  'anonymousUid',
  'targetEnvironment',
  'systemContext',
])
function isPlainObject(value) {
  if (value === null || typeof value !== 'object') return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}
function checkTraits(traits) {
  if (traits === void 0 || traits === null) return { ok: true, value: {} }
  if (!isPlainObject(traits)) {
    return { ok: false, message: 'identify() takes a plain object of traits, e.g. { email }.' }
  }
  const fields = {}
  for (const [key, value] of Object.entries(traits)) {
    if (value === void 0) continue
    const field = TRAIT_FIELDS[key]
    if (IDENTITY_FIELDS.has(key)) {
      return { ok: false, message: `Trait "${key}" is set by the element; use user-id and token.` }
    }
    if (!field) {
      const allowed = Object.keys(TRAIT_FIELDS).join(', ')
      return { ok: false, message: `Unknown trait "${key}". Allowed: ${allowed}.` }
    }
    if (typeof value !== 'string') {
      return { ok: false, message: `Trait "${key}" must be a string, not ${describe(value)}.` }
    }
    if (field in fields && fields[field] !== value) {
      return { ok: false, message: `Trait "${key}" conflicts with "${field}".` }
    }
    fields[field] = value
  }
  return { ok: true, value: fields }
}
function checkEventName(event) {
  if (typeof event !== 'string' || event.trim() === '') {
    return { ok: false, message: `track() needs a non-empty event name, not ${describe(event)}.` }
  }
  return { ok: true, value: event }
}
function coerceData(data) {
  if (data === void 0 || data === null) return { ok: true, value: void 0 }
  if (!isPlainObject(data)) {
    return { ok: false, message: `track() data must be a plain object, not ${describe(data)}.` }
  }
  const changed = []
  const value = toJsonObject(data, 'data', /* @__PURE__ */ new WeakSet(), changed)
  return { ok: true, value: { value, changed } }
}
var OMIT = /* @__PURE__ */ Symbol('omit')
function toJsonObject(source, path, seen, changed) {
  seen.add(source)
  const copy = {}
  for (const [key, value] of Object.entries(source)) {
    const safe = toJson(value, `${path}.${key}`, seen, changed)
    if (safe !== OMIT) copy[key] = safe
  }
  seen.delete(source)
  return copy
}
function toJson(value, path, seen, changed) {
  if (value === void 0) return OMIT
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value
    changed.push(path)
    return null
  }
  if (typeof value === 'bigint') {
    changed.push(path)
    return value.toString()
  }
  if (typeof value === 'function' || typeof value === 'symbol') {
    changed.push(path)
    return OMIT
  }
  return objectToJson(value, path, seen, changed)
}
function objectToJson(value, path, seen, changed) {
  if (seen.has(value)) {
    changed.push(path)
    return '[Circular]'
  }
  if (value instanceof Date) {
    changed.push(path)
    return Number.isNaN(value.getTime()) ? null : value.toISOString()
  }
  if (value instanceof Error) {
    changed.push(path)
    return { name: value.name, message: value.message }
  }
  if (ArrayBuffer.isView(value)) {
    changed.push(path)
    return Array.from(value, Number)
  }
  if (typeof Node !== 'undefined' && value instanceof Node) {
    changed.push(path)
    return OMIT
  }
  if (Array.isArray(value)) {
    seen.add(value)
    const items = value.map((item, index) => {
      const safe = toJson(item, `${path}[${index}]`, seen, changed)
      return safe === OMIT ? null : safe
    })
    seen.delete(value)
    return items
  }
  if (typeof value.toJSON === 'function') {
    return toJson(value.toJSON(), path, seen, changed)
  }
  if (value instanceof Map) {
    changed.push(path)
    return toJsonObject(Object.fromEntries(value), path, seen, changed)
  }
  if (value instanceof Set) {
    changed.push(path)
    return toJson([...value], path, seen, changed)
  }
  return toJsonObject(value, path, seen, changed)
}
function describe(value) {
  if (value === null) return 'null'
  if (value === void 0) return 'undefined'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : 'a string'
  if (typeof value === 'object') return `an object of class ${value.constructor?.name ?? 'unknown'}`
  return typeof value === 'object' ? 'an object' : `a value of type ${typeof value}`
}
function systemContext() {
  return {
    // A page cannot see its public address; DashX fills it in from the request.
    ipV4: 'NA',
    userAgent: navigator.userAgent,
    locale: navigator.language,
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: {
      width: window.screen.width,
      height: window.screen.height,
      density: Math.round(window.devicePixelRatio || 1),
    },
    library: LIBRARY,
  }
}

// src/early.ts
function takeEarlyRequests() {
  const kept = window.dashxEarly
  if (!Array.isArray(kept)) return []
  window.dashxEarly = []
  return kept.flatMap((entry) => {
    if (!Array.isArray(entry)) return []
    const [type, detail, at, path] = entry
    if (typeof type !== 'string' || typeof at !== 'number') return []
    return [{ type, detail, at, path: Array.isArray(path) ? path : [] }]
  })
}

// src/events.ts
var REQUEST_EVENTS = ['dashx-identify', 'dashx-track', 'dashx-reset']

// src/requests.ts
var handlers = /* @__PURE__ */ new Map()
var taken = /* @__PURE__ */ new WeakSet()
function take(event, handler) {
  if (!handler || taken.has(event) || !(event instanceof CustomEvent)) return
  taken.add(event)
  handler(event.type, event.detail)
}
function fromAnywhere(event) {
  take(event, first())
}
function first() {
  return handlers.values().next().value
}
function replayEarlyRequests() {
  for (const { type, detail, at, path } of takeEarlyRequests()) {
    const nearest = path.find((node) => handlers.has(node))
    const handler = nearest ? handlers.get(nearest) : first()
    handler?.(type, detail, at)
  }
}
function listenForRequests(element, handler) {
  if (handlers.size === 0) {
    for (const type of REQUEST_EVENTS) window.addEventListener(type, fromAnywhere)
    queueMicrotask(replayEarlyRequests)
  }
  handlers.set(element, handler)
  const fromInside = (event) => take(event, handlers.get(element))
  for (const type of REQUEST_EVENTS) element.addEventListener(type, fromInside)
  return () => {
    for (const type of REQUEST_EVENTS) element.removeEventListener(type, fromInside)
    handlers.delete(element)
    if (handlers.size > 0) return
    for (const type of REQUEST_EVENTS) window.removeEventListener(type, fromAnywhere)
  }
}

// src/storage.ts
var PREFIX = 'dashx'
var VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/
var COOKIE_MAX_AGE_SECONDS = 365 * 24 * 60 * 60
var SMALL_WRITE = 1024
function memoryLayer(map = /* @__PURE__ */ new Map()) {
  return {
    kind: 'memory',
    get: (key) => map.get(key) ?? null,
    set: (key, value) => void map.set(key, value),
    remove: (key) => void map.delete(key),
    keys: (prefix) => [...map.keys()].filter((key) => key.startsWith(prefix)),
  }
}
var pageMemory = memoryLayer()
var pendingMemory = memoryLayer()
function consentPendingStore() {
  return {
    kind: 'memory',
    get: (key) => pendingMemory.get(key),
    set: (key, value) => {
      pendingMemory.set(key, value)
      return true
    },
    remove: (key) => pendingMemory.remove(key),
    keys: (prefix) => pendingMemory.keys(prefix),
  }
}
function webStorageLayer(kind) {
  const storage = () => (kind === 'local' ? window.localStorage : window.sessionStorage)
  return {
    kind,
    get: (key) => storage().getItem(key),
    set: (key, value) => storage().setItem(key, value),
    remove: (key) => storage().removeItem(key),
    keys: (prefix) => {
      const found = []
      const store = storage()
      for (let index = 0; index < store.length; index++) {
        const key = store.key(index)
        if (key?.startsWith(prefix)) found.push(key)
      }
      return found
    },
  }
}
function cookieLayer(domain) {
  const name = (key) => encodeURIComponent(key)
  const read = () => {
    const jar = /* @__PURE__ */ new Map()
    for (const pair of document.cookie.split('; ')) {
      const at = pair.indexOf('=')
      if (at > 0)
        jar.set(decodeURIComponent(pair.slice(0, at)), decodeURIComponent(pair.slice(at + 1)))
    }
    return jar
  }
  const write = (key, value, maxAge) => {
    const secure = location.protocol === 'https:' ? '; Secure' : ''
    const scope = domain ? `; Domain=${domain}` : ''
    const encoded = encodeURIComponent(value)
    document.cookie = `${name(key)}=${encoded}; Path=/; Max-Age=${maxAge}; SameSite=Lax${scope}${secure}`
  }
  return {
    kind: 'cookie',
    get: (key) => (isVisitorKey(key) ? (read().get(key) ?? null) : pageMemory.get(key)),
    set: (key, value) => {
      if (!isVisitorKey(key)) return pageMemory.set(key, value)
      write(key, value, COOKIE_MAX_AGE_SECONDS)
      if (read().get(key) !== value) throw new Error('cookies are blocked')
    },
    remove: (key) => {
      if (isVisitorKey(key)) write(key, '', 0)
      pageMemory.remove(key)
    },
    keys: (prefix) => [
      ...[...read().keys()].filter((key) => key.startsWith(prefix)),
      ...pageMemory.keys(prefix),
    ],
  }
}
function isVisitorKey(key) {
  return key.endsWith(':anonymous_uid')
}
function isQuotaError(error) {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22)
}
var broken = /* @__PURE__ */ new Set()
function deviceStore(kind, cookieDomain, onFallback) {
  const chain = []
  if (kind === 'local' || kind === 'session') chain.push(webStorageLayer(kind))
  if (kind === 'local' || kind === 'cookie') chain.push(cookieLayer(cookieDomain))
  chain.push(pageMemory)
  const layer = () => chain.find((candidate) => !broken.has(candidate.kind)) ?? pageMemory
  const attempt = (use) => {
    for (;;) {
      const current = layer()
      try {
        return use(current)
      } catch (error) {
        if (current === pageMemory) throw error
        broken.add(current.kind)
        onFallback(current.kind, error)
      }
    }
  }
  const below = (key) => {
    const current = layer()
    for (const place of chain.slice(chain.indexOf(current) + 1)) {
      if (place.kind === 'memory') break
      let value = null
      try {
        value = place.get(key)
      } catch {}
      if (!isVisitorId(value)) continue
      try {
        current.set(key, value)
      } catch {}
      return value
    }
    return null
  }
  return {
    get kind() {
      return layer().kind
    },
    get: (key) => attempt((current) => current.get(key)) ?? (isVisitorKey(key) ? below(key) : null),
    set: (key, value) =>
      attempt((current) => {
        try {
          current.set(key, value)
          return true
        } catch (error) {
          if (isQuotaError(error) && value.length > SMALL_WRITE) return false
          throw error
        }
      }),
    remove: (key) => attempt((current) => current.remove(key)),
    keys: (prefix) => attempt((current) => current.keys(prefix)),
  }
}
function eraseEverywhere(prefix, cookieDomain) {
  const places = [webStorageLayer('local'), webStorageLayer('session'), cookieLayer(cookieDomain)]
  for (const place of [...places, pageMemory, pendingMemory]) {
    try {
      for (const key of place.keys(prefix)) place.remove(key)
    } catch {}
  }
}
function storageKeys(publicKey, targetEnvironment) {
  const namespace = `${PREFIX}:${publicKey}:${targetEnvironment}`
  return {
    namespace,
    anonymousUid: `${namespace}:anonymous_uid`,
    /** The remembered User: `{ uid, token, expiresAt, receivedAt }`. */
    user: `${namespace}:user`,
    /** Calls accepted and not yet delivered, in chunks under `outbox:…`. */
    outbox: `${namespace}:outbox`,
    /** The calls one tab is sending right now. */
    sending: `${namespace}:sending`,
    /** The Web Lock that lets one tab send at a time. */
    sendLock: `${namespace}:send`,
    /** The last refresh request any tab made, so tabs sharing a token ask once. */
    refresh: `${namespace}:refresh`,
    /** The Web Lock under which a first visit settles on one Visitor id. */
    visitorLock: `${namespace}:visitor`,
  }
}
function readJson2(store, key, valid, fallback) {
  const text = store.get(key)
  if (text === null) return fallback
  try {
    return valid(JSON.parse(text)) ?? fallback
  } catch {
    return fallback
  }
}
function isVisitorId(value) {
  return typeof value === 'string' && VISITOR_ID.test(value)
}
function newVisitorId() {
  return nanoid()
}
function loadVisitorId(store, key) {
  const stored = store.get(key)
  if (isVisitorId(stored)) return stored
  const fresh = newVisitorId()
  store.set(key, fresh)
  return fresh
}

// node_modules/jwt-decode/build/esm/index.js
var InvalidTokenError = class extends Error {}
InvalidTokenError.prototype.name = 'InvalidTokenError'
function b64DecodeUnicode(str) {
  return decodeURIComponent(
    atob(str).replace(/(.)/g, (m, p2) => {
      let code = p2.charCodeAt(0).toString(16).toUpperCase()
      if (code.length < 2) {
        code = '0' + code
      }
      return '%' + code
    }),
  )
}
function base64UrlDecode(str) {
  let output = str.replace(/-/g, '+').replace(/_/g, '/')
  switch (output.length % 4) {
    case 0:
      break
    case 2:
      output += '=='
      break
    case 3:
      output += '='
      break
    default:
      throw new Error('base64 string is not of the correct length')
  }
  try {
    return b64DecodeUnicode(output)
  } catch (err) {
    return atob(output)
  }
}
function jwtDecode(token, options) {
  if (typeof token !== 'string') {
    throw new InvalidTokenError('Invalid token specified: must be a string')
  }
  options || (options = {})
  const pos = options.header === true ? 0 : 1
  const part = token.split('.')[pos]
  if (typeof part !== 'string') {
    throw new InvalidTokenError(`Invalid token specified: missing part #${pos + 1}`)
  }
  let decoded
  try {
    decoded = base64UrlDecode(part)
  } catch (e3) {
    throw new InvalidTokenError(
      `Invalid token specified: invalid base64 for part #${pos + 1} (${e3.message})`,
    )
  }
  try {
    return JSON.parse(decoded)
  } catch (e3) {
    throw new InvalidTokenError(
      `Invalid token specified: invalid json for part #${pos + 1} (${e3.message})`,
    )
  }
}

// src/token.ts
var MAX_EXP_SECONDS = 1e11
function checkToken(token, userId, now = Date.now()) {
  if (token.split('.').length !== 3) {
    return refuse('token-malformed', 'The token is not a JWT (three dot-separated parts).')
  }
  let claims
  try {
    claims = jwtDecode(token)
  } catch (error) {
    return refuse('token-malformed', `The token is not a readable JWT (${messageOf(error)}).`)
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    return refuse('token-malformed', 'The token payload is not a JSON object.')
  }
  if (claims.kind !== 'USER') {
    return refuse(
      'token-kind',
      `The token's kind is ${JSON.stringify(claims.kind)}; expected "USER".`,
    )
  }
  const uid = uidOf(claims.uid)
  if (uid === null || uid !== userId) {
    const said = uid === null ? 'no uid' : `uid "${uid}"`
    return refuse('token-uid-mismatch', `The token has ${said} but user-id is "${userId}".`)
  }
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) {
    return refuse('token-malformed', 'The token has no numeric exp (expiry) claim.')
  }
  if (claims.exp > MAX_EXP_SECONDS) {
    return refuse('token-malformed', 'The token exp is not in seconds since 1970.')
  }
  const expiresAt = localExpiry(claims.exp, claims.iat, now)
  if (expiresAt <= now) {
    return refuse(
      'token-expired',
      'Incorrect Identity Token: Expired. Fetch a new token for this User.',
    )
  }
  return { ok: true, info: { uid, expiresAt } }
}
function localExpiry(exp, iat, receivedAt) {
  if (typeof iat !== 'number' || !Number.isFinite(iat)) return exp * 1e3
  return receivedAt + (exp - iat) * 1e3
}
function uidOf(uid) {
  if (typeof uid === 'number' && Number.isFinite(uid)) return String(uid)
  if (typeof uid === 'string' && uid !== '') return uid
  return null
}
function refuse(code, message) {
  return { ok: false, code, message }
}
function messageOf(error) {
  return error instanceof Error ? error.message : String(error)
}
function redact(token) {
  return `\u2026${token.slice(-6)}`
}

// src/token-schedule.ts
var MAX_TIMEOUT_MS = 2 ** 31 - 1
var DEFAULT_REFRESH_BEFORE_SECONDS = 300
var FIRST_REPEAT_GAP_MS = 5e3
var TokenSchedule = class {
  #host
  #timer
  #expiresAt = Infinity
  #nextRefreshAt = Infinity
  #gapMs = FIRST_REPEAT_GAP_MS
  #refreshed = false
  #expired = false
  /** Bumped by start(), so a handler that sets a new token mid-check wins over the old plan. */
  #generation = 0
  constructor(host) {
    this.#host = host
  }
  /** Plans the refresh of a token received at `receivedAt` that ends at `expiresAt`. */
  start(expiresAt, receivedAt, refreshBeforeSeconds) {
    const lifetime = expiresAt - receivedAt
    const lead =
      refreshBeforeSeconds === null
        ? Math.min(DEFAULT_REFRESH_BEFORE_SECONDS * 1e3, lifetime / 2)
        : refreshBeforeSeconds * 1e3
    this.#generation += 1
    this.#expiresAt = expiresAt
    this.#nextRefreshAt = expiresAt - lead
    this.#gapMs = FIRST_REPEAT_GAP_MS
    this.#refreshed = false
    this.#expired = false
    this.check()
  }
  stop() {
    clearTimeout(this.#timer)
    this.#timer = void 0
    this.#expiresAt = Infinity
    this.#nextRefreshAt = Infinity
  }
  /** Fires whatever is due by the wall clock, then waits for the next thing. */
  check() {
    clearTimeout(this.#timer)
    this.#timer = void 0
    if (this.#expiresAt === Infinity || this.#expired) return
    const now = Date.now()
    const generation = this.#generation
    if (now >= this.#expiresAt) return this.#expire(generation)
    if (now >= this.#nextRefreshAt) this.#refresh(now)
    if (generation === this.#generation) this.#wake(Math.min(this.#nextRefreshAt, this.#expiresAt))
  }
  #refresh(now) {
    this.#refreshed = true
    this.#nextRefreshAt = now + this.#gapMs
    this.#gapMs *= 2
    this.#host.refresh()
  }
  /** A page that slept through the refresh time still gets one refresh request, then the expiry. */
  #expire(generation) {
    this.#expired = true
    if (!this.#refreshed) this.#host.refresh()
    if (generation === this.#generation) this.#host.expired()
  }
  #wake(at) {
    clearTimeout(this.#timer)
    const delay = Math.min(Math.max(0, at - Date.now()), MAX_TIMEOUT_MS)
    this.#timer = setTimeout(() => this.check(), delay)
  }
}

// src/user-identity.ts
var REFRESH_CLAIM_MS = 2e3
var UserIdentity = class {
  #host
  /** The User named by `user-id`, live or pending. */
  #uid = null
  /** The last token looked at, accepted or not, so each is judged once. */
  #checked = null
  /** A token accepted for `#uid`, even if it has expired since. */
  #current = null
  #tokens = /* @__PURE__ */ new Map()
  #schedule
  /** Timers run only while the element is connected and has announced itself. */
  #running = false
  constructor(host) {
    this.#host = host
    this.#schedule = new TokenSchedule({
      refresh: () => this.#askForRefresh(),
      expired: () => this.#announceExpired(),
    })
  }
  /** The User the element acts for once a token was accepted, with that token's expiry. */
  get active() {
    if (this.#uid === null || !this.#current) return null
    return { uid: this.#uid, expiresAt: this.#current.expiresAt }
  }
  /** The User a call made now is for, token or not. */
  get uid() {
    return this.#uid
  }
  /** Whether `uid`/`token` differ from what was last applied. */
  differs(uid, token) {
    return uid !== this.#uid || (token !== null && token !== this.#checked)
  }
  /**
   * Applies `user-id` and `token`. `fromOtherTab` is set when another tab made
   * the change: it has already started a new Visitor if one was due.
   */
  apply(uid, token, fromOtherTab = false) {
    if (uid === null) return this.#toVisitor(fromOtherTab)
    const previous = this.#uid ?? this.#remembered()?.uid ?? null
    if (previous !== null && previous !== uid && !fromOtherTab) this.#host.newVisitor()
    if (uid !== this.#uid) {
      this.#current = null
      this.#schedule.stop()
    }
    this.#uid = uid
    if (token === null || token === this.#checked) return
    this.#checked = token
    const live = this.#accept(uid, token)
    if (!live) return
    this.#current = live
    this.#startSchedule()
    this.#host.tokenArrived()
  }
  /** The User remembered on this device, for a page that names none itself. */
  restore() {
    const remembered = this.#remembered()
    if (!remembered || !this.#host.remember()) return null
    return { uid: remembered.uid, token: remembered.token }
  }
  /** Forgets the User here and on the device. */
  forget() {
    this.#uid = null
    this.#checked = null
    this.#current = null
    this.#schedule.stop()
    this.#withStorage(({ store, keys }) => store.remove(keys.user))
  }
  /** The live token for this User, or null while it is pending or expired. */
  tokenFor(uid) {
    const live = this.#tokens.get(uid)
    return live && live.expiresAt > Date.now() ? live.token : null
  }
  /** The server refused the token as expired: hold this User's calls and ask for a new one once. */
  serverSaysExpired(uid) {
    const live = this.#tokens.get(uid)
    if (!live) return
    this.#tokens.delete(uid)
    this.#report(
      'token-expired',
      'Incorrect Identity Token: Expired. Calls are held for a new token.',
    )
    if (uid === this.#uid) this.#askForRefresh()
  }
  /** Reads the wall clock again and fires what is due. */
  check() {
    this.#schedule.check()
  }
  /** Plans the refresh (connected, `refresh-before` changed); `pause()` stops it (disconnected). */
  resume() {
    this.#running = true
    this.#startSchedule()
  }
  pause() {
    this.#running = false
    this.#schedule.stop()
  }
  /** What another tab left on the device: the User it remembers, or none. */
  remembered() {
    const remembered = this.#remembered()
    return remembered && { uid: remembered.uid, token: remembered.token }
  }
  #toVisitor(fromOtherTab) {
    if (this.#current && !fromOtherTab) this.#host.newVisitor()
    if (this.#uid !== null) this.forget()
  }
  /** Checks a token; returns it with its expiry if it is live, or reports why not. */
  #accept(uid, token) {
    const remembered = this.#remembered()
    if (remembered?.uid === uid && remembered.token === token) {
      this.#tokens.set(uid, remembered)
      return remembered
    }
    const receivedAt = Date.now()
    const checked = checkToken(token, uid, receivedAt)
    if (!checked.ok) {
      this.#report(checked.code, checked.message)
      return null
    }
    const live = { token, expiresAt: checked.info.expiresAt, receivedAt }
    this.#tokens.set(uid, live)
    this.#withStorage(({ store, keys }) => {
      if (this.#host.remember()) store.set(keys.user, JSON.stringify({ uid, ...live }))
      else store.remove(keys.user)
    })
    this.#host.log(`user: token ${redact(token)} accepted`)
    return live
  }
  #startSchedule() {
    const live = this.#current
    if (!live || !this.#running) return this.#schedule.stop()
    this.#schedule.start(live.expiresAt, live.receivedAt, this.#host.refreshBeforeSeconds())
  }
  /**
   * Asks the app for a new token. Tabs that share the token ask once between
   * them: a Web Lock lets one tab at a time look at and leave a claim.
   */
  #askForRefresh() {
    const uid = this.#uid
    const live = this.#current
    if (uid === null || !live) return
    const detail = { uid, expiresAt: live.expiresAt }
    const storage = this.#host.storage()
    if (!storage || !this.#host.remember()) return this.#refreshNow(detail)
    ifFree(storage.keys.refresh, REFRESH_CLAIM_MS / 2, () => {
      if (this.#claimed(detail.expiresAt)) return
      const claim = JSON.stringify({ expiresAt: detail.expiresAt, at: Date.now() })
      storage.store.set(storage.keys.refresh, claim)
      this.#refreshNow(detail)
    })
  }
  #claimed(expiresAt) {
    const storage = this.#host.storage()
    if (!storage) return false
    const claim = readJson2(storage.store, storage.keys.refresh, validClaim, null)
    return (
      claim !== null && claim.expiresAt === expiresAt && Date.now() - claim.at < REFRESH_CLAIM_MS
    )
  }
  #refreshNow(detail) {
    this.#host.log('user: asking for a new token')
    this.#host.notify('dashx-token-refresh', detail)
  }
  #announceExpired() {
    const uid = this.#uid
    const live = this.#current
    if (uid === null || !live) return
    this.#host.log('user: token expired, holding calls')
    this.#host.notify('dashx-token-expired', { uid, expiresAt: live.expiresAt })
  }
  #remembered() {
    const storage = this.#host.storage()
    if (!storage) return null
    return readJson2(storage.store, storage.keys.user, validRemembered, null)
  }
  #withStorage(use) {
    const storage = this.#host.storage()
    if (storage) use(storage)
  }
  #report(code, message) {
    this.#host.report(code, message)
  }
}
function validRemembered(value) {
  if (!isPlainObject(value)) return null
  const { uid, token, expiresAt, receivedAt } = value
  if (typeof uid !== 'string' || typeof token !== 'string') return null
  if (typeof expiresAt !== 'number' || typeof receivedAt !== 'number') return null
  if (!checkToken(token, uid, receivedAt).ok) return null
  return { uid, token, expiresAt, receivedAt }
}
function validClaim(value) {
  if (
    !isPlainObject(value) ||
    typeof value.expiresAt !== 'number' ||
    typeof value.at !== 'number'
  ) {
    return null
  }
  return { expiresAt: value.expiresAt, at: value.at }
}

// src/dashx-session.ts
var DEFAULT_BASE_URI = 'https://api.dashx.com/graphql'
var WAKE_EVENTS = ['pageshow', 'focus', 'online']
var DashxSessionElement = class extends y {
  static {
    this.properties = {
      /** DashX public key, sent as `X-Public-Key`. Nothing is sent until it is set. */
      publicKey: { attribute: 'public-key', reflect: true },
      /** GraphQL endpoint; a relative value is resolved against the page. */
      baseUri: { attribute: 'base-uri', reflect: true },
      /** Sent as `X-Target-Environment`. */
      targetEnvironment: { attribute: 'target-environment', reflect: true },
      /** The User's id; with a valid `token`, the element acts for that User. */
      userId: { attribute: 'user-id', reflect: true },
      /** The User's DashX Identity Token. Not reflected, so a refreshed token stays out of the DOM. */
      token: { attribute: 'token' },
      /** Seconds before expiry to fire `dashx-token-refresh`. Default: 300, at most half the token's life. */
      refreshBefore: { attribute: 'refresh-before', type: Number, reflect: true },
      /** Do not remember the User on this device; each page load must set it again. */
      noRemember: { attribute: 'no-remember', type: Boolean, reflect: true },
      /** Where identity is kept: `local` (default), `session`, `cookie` or `memory`. */
      storage: { attribute: 'storage', reflect: true },
      /** Domain for the Visitor cookie, e.g. `.example.com`, so `www.` and `app.` share one Visitor. */
      cookieDomain: { attribute: 'cookie-domain', reflect: true },
      /** `granted` (default), `pending` (memory only, nothing sent) or `denied` (nothing kept). */
      consent: { attribute: 'consent', reflect: true },
      /** Log what the element does to the console, tokens redacted. */
      debug: { type: Boolean, reflect: true },
    }
  }
  #store = null
  #keys = null
  /** What `#store` and `#keys` were made for: public key, environment, and where to keep things. */
  #keysFor = ''
  #anonymousUid = ''
  #announced = null
  #waitingForConfig = false
  #badToken = null
  #toldDenied = false
  /** A Visitor id this page made and has not yet seen settled among tabs. */
  #tentative = null
  #stopListening = null
  #outbox = new Outbox({
    config: () => this.#sendConfig(),
    tokenFor: (uid) => this.#user.tokenFor(uid),
    tokenExpired: (uid) => this.#user.serverSaysExpired(uid),
    report: (code, message) => this.#report(code, message),
    log: (message) => this.#log(message),
    sendTime: () => ({ systemContext: systemContext() }),
  })
  #user = new UserIdentity({
    storage: () => (this.#store && this.#keys ? { store: this.#store, keys: this.#keys } : null),
    remember: () => !this.noRemember,
    refreshBeforeSeconds: () => validSeconds(this.refreshBefore),
    newVisitor: () => this.#newVisitor(),
    report: (code, message) => this.#report(code, message),
    notify: (type, detail) => this.#dispatch(type, detail),
    log: (message) => this.#log(message),
    tokenArrived: () => void this.#outbox.flush(),
  })
  #onWake = (event) => {
    this.#user.check()
    if (event?.type === 'online') this.#outbox.online()
    else void this.#outbox.flush()
  }
  #onVisibility = () => {
    if (document.visibilityState === 'hidden') this.#outbox.flushOnHide()
    else this.#onWake()
  }
  #onPageHide = () => this.#outbox.flushOnHide()
  #onStorage = (event) => this.#onStorageChange(event)
  constructor() {
    super()
    this.publicKey = null
    this.baseUri = null
    this.targetEnvironment = null
    this.userId = null
    this.token = null
    this.refreshBefore = null
    this.noRemember = false
    this.storage = 'local'
    this.cookieDomain = null
    this.consent = 'granted'
    this.debug = false
  }
  /** The Visitor id kept on this device. */
  get anonymousUid() {
    this.#ensureVisitor()
    return this.#anonymousUid
  }
  /** Who the element acts for now. A User counts once a valid token for it has arrived. */
  get identity() {
    this.#syncUser()
    const user = this.#user.active
    return {
      kind: user ? 'user' : 'visitor',
      uid: user?.uid ?? null,
      anonymousUid: this.anonymousUid,
    }
  }
  /** When the User's token expires (on this device's clock), or null for a Visitor. */
  get tokenExpiresAt() {
    this.#syncUser()
    const user = this.#user.active
    return user ? new Date(user.expiresAt) : null
  }
  /** Switches to a User in one call; the same as setting `userId` and `token`. */
  setIdentity(uid, token) {
    this.userId = uid
    this.token = token
    this.#syncUser()
  }
  /** Saves traits on the current Visitor or User. Resolves once the call is accepted for delivery. */
  identify(traits) {
    return this.#accept(() => {
      const checked = checkTraits(traits)
      if (!checked.ok) return this.#report('invalid-traits', checked.message)
      const uid = this.#currentUid()
      const input = { ...checked.value, anonymousUid: this.anonymousUid }
      if (uid !== null) input.uid = uid
      if (this.targetEnvironment) input.targetEnvironment = this.targetEnvironment
      return this.#enqueue('identifyAccount', input, uid)
    })
  }
  /** Records an event for the current Visitor or User. Resolves once the call is accepted for delivery. */
  track(event, data) {
    return this.#track(event, data, Date.now())
  }
  /** `at` is when the call was made: now, or earlier for a call the early snippet kept. */
  #track(event, data, at) {
    const timestamp = new Date(at).toISOString()
    return this.#accept(() => {
      const name = checkEventName(event)
      if (!name.ok) return this.#report('invalid-event', name.message)
      const coerced = coerceData(data)
      if (!coerced.ok) return this.#report('invalid-event', coerced.message)
      const changed = coerced.value?.changed ?? []
      if (changed.length > 0) {
        this.#report('data-coerced', `Changed to fit JSON: ${changed.join(', ')}.`)
      }
      const uid = this.#currentUid()
      const input = { event: name.value }
      if (coerced.value) input.data = coerced.value.value
      if (uid !== null) input.accountUid = uid
      input.accountAnonymousUid = this.anonymousUid
      input.timestamp = timestamp
      return this.#enqueue('trackEvent', input, uid)
    })
  }
  /** Logs out: a new Visitor id, and any User identity is cleared, here and in other tabs. */
  reset() {
    this.#ensureVisitor()
    this.#newVisitor()
    this.#user.forget()
    this.userId = null
    this.token = null
    this.removeAttribute('token')
    this.#log('reset: new Visitor')
    this.#announceIdentity()
  }
  /** Sends every queued call that can go now; settles when the rest must wait. */
  flush() {
    return this.#outbox.flush()
  }
  // The element shows nothing, so it needs no shadow root; children render as usual.
  createRenderRoot() {
    return this
  }
  connectedCallback() {
    super.connectedCallback()
    this.#stopListening = listenForRequests(this, (type, detail, at) =>
      this.#onRequest(type, detail, at),
    )
    for (const type of WAKE_EVENTS) window.addEventListener(type, this.#onWake)
    document.addEventListener('visibilitychange', this.#onVisibility)
    window.addEventListener('pagehide', this.#onPageHide)
    window.addEventListener('storage', this.#onStorage)
    this.#ensureVisitor()
    if (this.hasUpdated) this.#resume()
  }
  disconnectedCallback() {
    super.disconnectedCallback()
    this.#stopListening?.()
    for (const type of WAKE_EVENTS) window.removeEventListener(type, this.#onWake)
    document.removeEventListener('visibilitychange', this.#onVisibility)
    window.removeEventListener('pagehide', this.#onPageHide)
    window.removeEventListener('storage', this.#onStorage)
    this.#user.pause()
    this.#outbox.stop()
    this.#announced = null
  }
  // Property changes are applied before the update completes, so that setting
  // `token` and `user-id` together, in either order, is one switch.
  willUpdate(changed) {
    this.#ensureVisitor()
    if (changed.has('consent')) this.#onConsentChange()
    if (changed.has('token') && changed.get('token') && !this.token && this.#user.active)
      this.userId = null
    this.#syncUser()
    if (changed.has('refreshBefore') && this.hasUpdated) this.#user.resume()
    if (changed.has('debug') && this.debug) this.#log(`storage: ${this.#store?.kind}`)
  }
  #onConsentChange() {
    const consent = this.#consent()
    this.#toldDenied = false
    if (consent === 'denied') this.#forgetEverything()
    this.#log(`consent: ${consent}`)
  }
  updated() {
    const first2 = this.#announced === null
    if (first2) this.#announceReady()
    this.#announceIdentity()
    if (first2) this.#resume()
    else void this.#outbox.flush()
  }
  #resume() {
    this.#user.resume()
    void this.#outbox.flush()
  }
  /** Loads the Visitor and remembered User of the current project, environment and store. */
  #ensureVisitor() {
    if (typeof window === 'undefined') return
    const publicKey = this.publicKey ?? ''
    const environment = this.targetEnvironment ?? ''
    const place = `${this.#consent()}|${this.#storageKind()}|${this.cookieDomain ?? ''}`
    const wanted = `${publicKey}|${environment}|${place}`
    if (this.#keys && this.#keysFor === wanted) return
    const before = this.#keys && this.#store ? { keys: this.#keys, store: this.#store } : null
    const early = publicKey && this.#keysFor.startsWith('|') ? this.#takeCallsMadeWithoutKey() : []
    const store = this.#storeFor()
    const keys = storageKeys(publicKey, environment)
    this.#keysFor = wanted
    this.#store = store
    this.#keys = keys
    scrub(store, keys)
    this.#loadVisitor(before)
    const outbox = new OutboxStore(store, keys.outbox, keys.sending)
    this.#outbox.attach(outbox, keys.sendLock)
    if (early.length > 0) outbox.append(early.map((call) => withVisitor(call, this.#anonymousUid)))
    this.#restoreUser()
  }
  /**
   * Calls made before `public-key` was set belong to the project the key
   * names, so they move there, with that project's Visitor id.
   */
  #takeCallsMadeWithoutKey() {
    if (!this.#keys || !this.#store) return []
    this.#outbox.stop()
    const outbox = new OutboxStore(this.#store, this.#keys.outbox, this.#keys.sending)
    const early = outbox.read()
    outbox.clear()
    this.#store.remove(this.#keys.anonymousUid)
    return early
  }
  #consent() {
    return this.consent === 'pending' || this.consent === 'denied' ? this.consent : 'granted'
  }
  #storageKind() {
    const kinds = ['local', 'session', 'cookie', 'memory']
    return kinds.includes(this.storage) ? this.storage : 'local'
  }
  #storeFor() {
    const consent = this.#consent()
    if (consent !== 'granted') return consentPendingStore()
    return deviceStore(this.#storageKind(), this.cookieDomain || null, (from, error) => {
      this.#log(`${from} storage unavailable, falling back: ${String(error)}`)
    })
  }
  /**
   * The Visitor id of the new store. Moving from memory to the device (consent
   * given), a Visitor id already on the device wins: it is a returning Visitor.
   */
  #loadVisitor(before) {
    const current = this.#store
    const stored = current.get(this.#keys.anonymousUid)
    const carried =
      before && before.keys.namespace === this.#keys.namespace ? this.#anonymousUid : null
    if (isVisitorId(stored)) {
      if (carried && carried !== stored) this.#outbox.relabel(carried, stored)
      this.#anonymousUid = stored
    } else if (carried) {
      current.set(this.#keys.anonymousUid, carried)
    } else {
      this.#anonymousUid = loadVisitorId(current, this.#keys.anonymousUid)
      this.#settleFirstVisit()
    }
    if (before && before.store !== current) this.#carryOver(before)
  }
  /** What was kept in memory while consent was pending goes to the device once it is given. */
  #carryOver(before) {
    if (before.keys.namespace !== this.#keys.namespace || before.store.kind !== 'memory') return
    if (this.#consent() !== 'granted') return
    const kept = new OutboxStore(before.store, before.keys.outbox, before.keys.sending)
    const calls = kept.read()
    kept.clear()
    if (calls.length > 0) {
      new OutboxStore(this.#store, this.#keys.outbox, this.#keys.sending).append(calls)
    }
    const user = before.store.get(before.keys.user)
    before.store.remove(before.keys.user)
    if (user !== null && !this.noRemember) this.#store.set(this.#keys.user, user)
  }
  /**
   * Two tabs opened at once both find no Visitor id and both make one. Under
   * a Web Lock each looks again once both have written: the id in storage then
   * is the one both keep, and calls already queued with the other are relabelled.
   */
  #settleFirstVisit() {
    const keys = this.#keys
    const store = this.#store
    const mine = this.#anonymousUid
    this.#tentative = mine
    void withLock(keys.visitorLock, () => {
      if (this.#keys !== keys || this.#tentative !== mine) return
      this.#tentative = null
      const settled = store.get(keys.anonymousUid)
      if (!isVisitorId(settled) || settled === mine) return
      this.#outbox.relabel(mine, settled)
      this.#anonymousUid = settled
      this.#announceIdentity()
    })
  }
  /** A multi-page site stays the User across navigations; attributes on the page win. */
  #restoreUser() {
    if (this.userId || this.token) return
    const remembered = this.#user.restore()
    if (!remembered) return
    this.userId = remembered.uid
    this.token = remembered.token
    this.#syncUser()
  }
  /** Applies `user-id` and `token` at once if they changed, so a call right after setting them is the new User's. */
  #syncUser(fromOtherTab = false) {
    const uid = this.userId === null || this.userId === '' ? null : String(this.userId)
    const token = this.#tokenInput()
    if (this.#user.differs(uid, token)) this.#user.apply(uid, token, fromOtherTab)
  }
  #tokenInput() {
    const token = this.token
    if (token === null || token === void 0 || token === '') return null
    if (typeof token === 'string') return token
    if (this.#badToken !== token) {
      this.#badToken = token
      this.#report('token-malformed', `token must be a string, not a ${typeof token}.`)
    }
    return null
  }
  /** A new Visitor id, as a logout makes; a second User must not inherit the first one's history. */
  #newVisitor() {
    this.#tentative = null
    this.#anonymousUid = newVisitorId()
    if (this.#keys) this.#store?.set(this.#keys.anonymousUid, this.#anonymousUid)
  }
  /** Another tab logged in or out, refreshed a token, or the page cleared storage. */
  #onStorageChange(event) {
    const keys = this.#keys
    const store = this.#store
    if (!keys || !store) return
    if (event.key === null || event.key.startsWith(keys.outbox)) this.#outbox.changedElsewhere()
    if (event.key?.startsWith(keys.outbox)) return
    if (event.key !== null && event.key !== keys.anonymousUid && event.key !== keys.user) return
    this.#adoptDeviceState()
  }
  /**
   * Takes what the device holds over what this element remembers: another
   * tab or element may have reset, logged in, or the page cleared storage.
   */
  #adoptDeviceState() {
    const keys = this.#keys
    const store = this.#store
    const stored = store.get(keys.anonymousUid)
    this.#anonymousUid = isVisitorId(stored) ? stored : loadVisitorId(store, keys.anonymousUid)
    if (!this.noRemember || !isVisitorId(stored)) this.#adoptUser(this.#user.remembered())
    this.#announceIdentity()
  }
  /** Calls go out as the Visitor the device holds now, even if another element changed it. */
  #syncVisitor() {
    if (!this.#keys || !this.#store) return
    if (this.#store.get(this.#keys.anonymousUid) !== this.#anonymousUid) this.#adoptDeviceState()
  }
  /** Takes on the User another tab remembers, or becomes a Visitor if it remembers none. */
  #adoptUser(remembered) {
    this.userId = remembered?.uid ?? null
    this.token = remembered?.token ?? null
    if (!remembered) this.removeAttribute('token')
    this.#syncUser(true)
  }
  /** The User a call made now is for: the one named by `user-id`, whether its token is live or not. */
  #currentUid() {
    this.#ensureVisitor()
    this.#syncVisitor()
    this.#syncUser()
    return this.#user.uid
  }
  #sendConfig() {
    if (!this.publicKey || this.#consent() !== 'granted') return null
    try {
      const url = new URL(this.baseUri || DEFAULT_BASE_URI, document.baseURI).href
      return { url, publicKey: this.publicKey, targetEnvironment: this.targetEnvironment || null }
    } catch {
      this.#report('config', `base-uri "${this.baseUri}" is not a URL; calls are kept until it is.`)
      return null
    }
  }
  #enqueue(name, input, uid) {
    if (this.#consent() === 'denied') return this.#refuseWithoutConsent()
    const accepted = this.#outbox.add({ id: nanoid(), name, input, uid, createdAt: Date.now() })
    if (this.debug) this.#log(`${name} accepted for the ${uid === null ? 'Visitor' : 'User'}`)
    if (!this.publicKey && !this.#waitingForConfig) {
      this.#waitingForConfig = true
      this.#report('config', 'Set public-key to send; calls are kept until then.')
    }
    return accepted
  }
  #refuseWithoutConsent() {
    if (!this.#toldDenied) {
      this.#toldDenied = true
      this.#report('consent-denied', 'consent is denied: calls are discarded until it changes.')
    }
    return Promise.resolve()
  }
  /** Consent was refused: forget the calls kept so far and everything stored on the device. */
  #forgetEverything() {
    const keys = this.#keys
    if (!keys) return
    this.#outbox.stop()
    eraseEverywhere(`${keys.namespace}:`, this.cookieDomain || null)
    this.#user.forget()
    this.#store?.set(keys.anonymousUid, this.#anonymousUid)
    this.#outbox.attach(new OutboxStore(this.#store, keys.outbox, keys.sending), keys.sendLock)
  }
  /** Runs a call without letting anything it throws reach the page. */
  #accept(call) {
    try {
      return call() ?? Promise.resolve()
    } catch (error) {
      this.#report('invalid-event', `The call could not be accepted: ${String(error)}`)
      return Promise.resolve()
    }
  }
  #onRequest(type, detail, at = Date.now()) {
    if (type === 'dashx-reset') return this.reset()
    if (type === 'dashx-identify') return void this.identify(detail)
    if (!isPlainObject(detail)) {
      return this.#report('invalid-event', 'dashx-track needs detail { event, data? }.')
    }
    void this.#track(detail.event, detail.data, at)
  }
  #announceReady() {
    this.#announced = { kind: 'visitor', uid: null, anonymousUid: this.anonymousUid }
    this.#dispatch('dashx-ready', { anonymousUid: this.anonymousUid })
  }
  /** Tells the page about a new identity, once per change. */
  #announceIdentity() {
    const before = this.#announced
    if (!this.isConnected || before === null) return
    const identity = this.identity
    const same =
      before.kind === identity.kind &&
      before.uid === identity.uid &&
      before.anonymousUid === identity.anonymousUid
    if (same) return
    this.#announced = identity
    this.#log(`identity: ${identity.kind}`)
    this.#dispatch('dashx-identity-change', identity)
  }
  #report(code, message) {
    this.#log(`error ${code}`)
    this.#dispatch('dashx-error', { code, message })
  }
  #dispatch(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }))
  }
  #log(message) {
    if (this.debug) console.debug(`[dashx-session] ${message}`)
  }
}
function withVisitor(call, anonymousUid) {
  const field = call.name === 'trackEvent' ? 'accountAnonymousUid' : 'anonymousUid'
  return { ...call, input: { ...call.input, [field]: anonymousUid } }
}
function scrub(store, keys) {
  for (const key of store.keys(`${keys.namespace}:`)) {
    if (key === keys.anonymousUid || key.startsWith(`${keys.outbox}:`)) continue
    try {
      JSON.parse(store.get(key) ?? 'null')
    } catch {
      store.remove(key)
    }
  }
}
function validSeconds(value) {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null
}

// src/define.ts
function defineDashxSession(tagName = 'dashx-session', registry = globalThis.customElements) {
  if (!registry || registry.get(tagName)) return
  registry.define(
    tagName,
    tagName === 'dashx-session' ? DashxSessionElement : class extends DashxSessionElement {},
  )
}

// src/index.ts
defineDashxSession()

export { DashxSessionElement, DEFAULT_BASE_URI, defineDashxSession }
/*! Bundled license information:

@lit/reactive-element/css-tag.js:
  (**
   * @license
   * Copyright 2019 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)

@lit/reactive-element/reactive-element.js:
  (**
   * @license
   * Copyright 2017 Google LLC
   * SPDX-License-Identifier: BSD-3-Clause
   *)
*/
