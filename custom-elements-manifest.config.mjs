/**
 * Config for `cem analyze` (@custom-elements-manifest/analyzer), which writes
 * dist/custom-elements.json. The analyzer reads `static properties`, the `declare` fields, the
 * methods and the `@fires` tags by itself. The plugin below adds what it cannot see:
 * - the tag name, because the class is registered by defineDashxSession(), not in its module;
 * - each event's type, taken from the event maps in src/events.ts, which the element's
 *   `#dispatch()` is typed against;
 * - the request events of the class's `@listens` tags (they bubble through the element too);
 * - paths of the built files, since the package ships dist/lib and not src.
 */
import { posix } from 'node:path'

const TAG_NAME = 'dashx-session'
const CLASS_NAME = 'DashxSessionElement'
const EVENT_MAPS = ['DashxRequestEventMap', 'DashxNotificationEventMap']

export default {
  globs: [
    'src/dashx-session.ts',
    'src/define.ts',
    'src/element.ts',
    'src/events.ts',
    'src/index.ts',
  ],
  outdir: 'dist',
  litelement: true,
  packagejson: false,
  plugins: [dashxSessionPlugin()],
}

function dashxSessionPlugin() {
  /** @type {Map<string, string>} event name → its type, e.g. CustomEvent<DashxReadyDetail> */
  const eventTypes = new Map()
  /** @type {Array<{ name: string, description: string }>} */
  const requests = []

  return {
    name: 'dashx-session',
    analyzePhase({ ts, node }) {
      if (ts.isInterfaceDeclaration(node) && EVENT_MAPS.includes(node.name.text)) {
        for (const member of node.members) {
          if (!ts.isPropertySignature(member) || !member.type) continue
          eventTypes.set(member.name.text, member.type.getText(node.getSourceFile()))
        }
      }
      if (ts.isClassDeclaration(node) && node.name?.text === CLASS_NAME) {
        for (const tag of ts.getJSDocTags(node)) {
          if (tag.tagName.text !== 'listens') continue
          const [name, ...rest] = (ts.getTextOfJSDocComment(tag.comment) ?? '').split(' - ')
          requests.push({ name: name.trim(), description: rest.join(' - ').trim() })
        }
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        module.path = builtPath(module.path)
        for (const declaration of module.declarations ?? []) {
          if (declaration.name === CLASS_NAME) describeElement(declaration)
        }
        for (const exported of module.exports ?? []) {
          const target = exported.declaration?.module
          if (target) exported.declaration.module = builtPath(resolveFrom(module.path, target))
        }
        if (module.path === 'dist/lib/index.js') {
          module.exports = [...(module.exports ?? []), definition()]
        }
      }
    },
  }

  function describeElement(declaration) {
    declaration.tagName = TAG_NAME
    declaration.customElement = true
    // Members named #… are language-private: nobody outside the class can reach them.
    declaration.members = declaration.members?.filter((member) => !member.name.startsWith('#'))

    // `#dispatch(type, detail)` shows up as an event called "type"; the tags name the real ones.
    const fired = (declaration.events ?? []).filter((event) => eventTypes.has(event.name))
    const requested = requests.map(({ name, description }) => ({
      name,
      description: `Request: dispatch it (bubbles, composed) from anywhere in the page. ${description}`,
    }))
    declaration.events = [...fired, ...requested].map((event) => ({
      ...event,
      type: { text: eventTypes.get(event.name) ?? 'CustomEvent' },
    }))
  }
}

function definition() {
  return {
    kind: 'custom-element-definition',
    name: TAG_NAME,
    declaration: { name: CLASS_NAME, module: 'dist/lib/dashx-session.js' },
  }
}

/** Re-exports name their module relative to the re-exporting one; the schema wants the root. */
function resolveFrom(modulePath, target) {
  return target.startsWith('.') ? posix.join(posix.dirname(modulePath), target) : target
}

/** src/dashx-session.ts → dist/lib/dashx-session.js, the file the package ships. */
function builtPath(path) {
  return path.replace(/^\/?src\/(.*)\.[jt]s$/, 'dist/lib/$1.js')
}
