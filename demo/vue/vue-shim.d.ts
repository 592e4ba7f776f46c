// tsc reads no .vue files; Vite compiles them. This types their default export for main.ts.
declare module '*.vue' {
  import type { DefineComponent } from 'vue'

  const component: DefineComponent
  export default component
}
