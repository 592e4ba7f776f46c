/** The package entry: exports the element and its types, and registers `<dashx-session>`. */
import { defineDashxSession } from './define.js'

export { DashxSessionElement, DEFAULT_BASE_URI } from './dashx-session.js'
export { defineDashxSession } from './define.js'
export type * from './events.js'

defineDashxSession()
