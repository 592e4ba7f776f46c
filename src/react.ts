/**
 * React 19 JSX typing for `<dashx-session>` (`import type {} from 'dashx-session/react'`).
 *
 * React 19 passes a custom element's props as properties when the element has them (`token`,
 * `debug`) and as attributes otherwise (`public-key`, `user-id`), so both spellings are typed.
 * It turns a prop `on<name>` into a listener for the event called exactly `<name>`, so the
 * listener props keep the event's lower-case, dashed name: `ondashx-identity-change`.
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react'

import type { DashxSessionElement } from './dashx-session.js'
import type { DashxEventMap } from './events.js'

/** The element's attributes, as React sets them. */
export interface DashxSessionAttributes {
  'public-key'?: string
  'base-uri'?: string
  'target-environment'?: string
  'user-id'?: string
  /** Set as a property, so a token never lands in the DOM. */
  token?: string | null
  'refresh-before'?: number
  'no-remember'?: boolean
  debug?: boolean
}

/** `on<event>` props: each listener gets the event with its typed `detail`. */
export type DashxSessionListeners = {
  [K in keyof DashxEventMap as `on${K}`]?: (event: DashxEventMap[K]) => void
}

export type DashxSessionProps = DetailedHTMLProps<
  HTMLAttributes<DashxSessionElement>,
  DashxSessionElement
> &
  DashxSessionAttributes &
  DashxSessionListeners

declare module 'react' {
  // React's JSX types live in a namespace; augmenting it is the only way to add an element.
  namespace JSX {
    interface IntrinsicElements {
      'dashx-session': DashxSessionProps
    }
  }
}
