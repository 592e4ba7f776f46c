import { DashxSessionElement } from './dashx-session.js'

/**
 * Registers `<dashx-session>`. Safe to call more than once, and safe when
 * another copy of the element (say the script embed and the npm package on
 * one page) got there first: the tag keeps its first definition.
 */
export function defineDashxSession(
  tagName = 'dashx-session',
  registry: CustomElementRegistry | undefined = globalThis.customElements,
): void {
  if (!registry || registry.get(tagName)) return
  registry.define(
    tagName,
    tagName === 'dashx-session' ? DashxSessionElement : class extends DashxSessionElement {},
  )
}
