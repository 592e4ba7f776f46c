// The README's Vue typing note, checked by `tsc -p test-d` (Vue's template checker, vue-tsc,
// runs on TypeScript 5 and is not part of this project).
import type {
  DashxErrorEvent,
  DashxIdentityChangeEvent,
  DashxReadyEvent,
  DashxTokenExpiredEvent,
  DashxTokenRefreshEvent,
} from 'dashx-session'
import type { DefineComponent } from 'vue'

declare module 'vue' {
  interface GlobalComponents {
    'dashx-session': DefineComponent<{
      publicKey?: string
      baseUri?: string
      targetEnvironment?: string
      userId?: string | null
      token?: string | null
      refreshBefore?: number
      noRemember?: boolean
      debug?: boolean
      onDashxReady?: (event: DashxReadyEvent) => void
      onDashxIdentityChange?: (event: DashxIdentityChangeEvent) => void
      onDashxError?: (event: DashxErrorEvent) => void
      onDashxTokenRefresh?: (event: DashxTokenRefreshEvent) => void
      onDashxTokenExpired?: (event: DashxTokenExpiredEvent) => void
    }>
  }
}
