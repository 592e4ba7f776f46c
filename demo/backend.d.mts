// Types for backend.mjs, for TypeScript files that import it (vite.config.ts) and for editors.
// Node's and Vite's types are matched by shape instead of imported: this file is part of the
// project's tsconfig, and importing them would bring Node globals into the element's type check.

/** The public key the demo page and the tests use. */
export declare const DEMO_PUBLIC_KEY: 'demo-public-key'

export interface BackendOptions {
  /** The key X-Public-Key must carry. Default: DEMO_PUBLIC_KEY. */
  publicKey?: string
  /** HS256 secret for identity tokens. Default: a fixed demo secret. */
  secret?: string
  /** Lifetime of tokens from /demo/login and /demo/refresh. Default: 120. */
  tokenLifetimeSeconds?: number
  /** A second backend's URL, served by GET /__dashx/config. Default: null. */
  crossOriginUrl?: string | null
}

/** One accepted operation (one alias of one request). */
export interface ReceivedOperation {
  operation: 'identifyAccount' | 'trackEvent'
  alias: string
  input: Record<string, unknown>
  publicKey: string
  targetEnvironment: string | null
  tokenUid: string | null
  requestId: number
  /** Epoch milliseconds. */
  receivedAt: number
  /** Same content as an earlier operation. */
  duplicate: boolean
}

/** One POST /graphql, whatever its outcome. */
export interface LoggedRequest {
  requestId: number
  /** Epoch milliseconds. */
  at: number
  /** Null while the request is still being answered. */
  status: number | null
  origin: string | null
  headers: {
    'content-type': string | null
    'x-public-key': string | null
    'x-target-environment': string | null
    'x-identity-token': string | null
    /** Every request header whose name starts with `x-`. */
    customHeaders: string[]
  }
  /** Top-level fields of the operation, or 0 when the document did not parse. */
  operations: number
  bytes: number
}

export interface Backend {
  /** Answers the request if its path is a backend route; resolves false otherwise. */
  handle(req: unknown, res: unknown): Promise<boolean>
  readonly received: ReceivedOperation[]
  readonly requests: LoggedRequest[]
  readonly duplicates: number
  /** Forgets what was received and logged, and drops queued faults. */
  clear(): void
}

export interface MiddlewareHost {
  middlewares: {
    use(handler: (req: any, res: any, next: (error?: unknown) => void) => void): unknown
  }
}

export interface CorsConfig {
  server?: { cors?: unknown }
  preview?: { cors?: unknown }
}

export interface DashxBackendPlugin {
  name: 'dashx-backend'
  api: { backend: Backend }
  config(config: CorsConfig): { server: { cors?: false }; preview: { cors?: false } }
  configureServer(server: MiddlewareHost): void
  configurePreviewServer(server: MiddlewareHost): void
}

export interface KoaContext {
  req: unknown
  res: unknown
  respond?: boolean
}

export interface BackendServer {
  /** http://127.0.0.1:PORT */
  url: string
  /** Same as url. */
  origin: string
  backend: Backend
  close(): Promise<void>
}

export declare function createBackend(options?: BackendOptions): Backend

export declare function koaMiddleware(
  backend: Backend,
): (ctx: KoaContext, next: () => Promise<unknown>) => Promise<void>

export declare function dashxBackendPlugin(options?: BackendOptions): DashxBackendPlugin

export declare function startBackendServer(
  options?: BackendOptions & { port?: number },
): Promise<BackendServer>
