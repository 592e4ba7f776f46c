// What the npm entry's types promise an app. Checked by `tsc -p test-d`; never run.
import {
  type DashxErrorDetail,
  type DashxIdentity,
  type DashxIdentityChangeEvent,
  type DashxSessionElement,
  type DashxTokenDetail,
  type DashxTrackDetail,
  defineDashxSession,
} from 'dashx-session'
import type { DashxSessionElement as Unregistered } from 'dashx-session/element'

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function expectType<T extends true>(): T | undefined {
  return undefined
}

const session = document.querySelector('dashx-session')
expectType<Equal<typeof session, DashxSessionElement | null>>()
expectType<Equal<typeof Unregistered, typeof DashxSessionElement>>()
const created = document.createElement('dashx-session')
expectType<Equal<typeof created, DashxSessionElement>>()

session?.addEventListener('dashx-token-refresh', (event) => {
  expectType<Equal<typeof event.detail, DashxTokenDetail>>()
  expectType<Equal<typeof event.detail.uid, string>>()
})
session?.addEventListener('dashx-identity-change', (event: DashxIdentityChangeEvent) => {
  expectType<Equal<typeof event.detail, DashxIdentity>>()
})
document.addEventListener('dashx-error', (event) => {
  expectType<Equal<typeof event.detail, DashxErrorDetail>>()
})
window.addEventListener('dashx-track', (event) => {
  expectType<Equal<typeof event.detail, DashxTrackDetail>>()
})
document.body.addEventListener('dashx-ready', (event) => event.detail.anonymousUid.length)

if (session) {
  session.publicKey = 'key'
  session.refreshBefore = 60
  session.noRemember = true
  void session.track('Signed Up', { plan: 'pro' })
  void session.identify({ firstName: 'Ada' })
  session.setIdentity('user-1', 'token')
  expectType<Equal<typeof session.identity.kind, 'visitor' | 'user'>>()
  // @ts-expect-error identify takes known traits only
  void session.identify({ nickname: 'Ada' })
  // @ts-expect-error refreshBefore is a number of seconds
  session.refreshBefore = '60'
}

defineDashxSession('my-session', new CustomElementRegistry())
