/**
 * `<dashx-session>` in a Vue 3 app. vite.config.ts tells Vue's template compiler that
 * `dashx-session` is a custom element (`isCustomElement`), so Vue renders it as a plain tag:
 * bound values become properties, `@dashx-…` listeners become event listeners.
 */
import 'dashx-session'

import { createApp } from 'vue'

import App from './App.vue'

createApp(App).mount('#app')
