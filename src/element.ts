/**
 * The entry without side effects (`dashx-session/element`): the class, its types and the
 * registration function, with nothing defined on import. For scoped registries, tests and
 * pages that pick their own tag name: `defineDashxSession('my-session', registry)`.
 */
export { DashxSessionElement, DEFAULT_BASE_URI } from './dashx-session.js'
export { defineDashxSession } from './define.js'
export type * from './events.js'
