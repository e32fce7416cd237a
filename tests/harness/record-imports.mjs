// `node --import ./tests/harness/record-imports.mjs …`: appends the name of every package the
// process imports or requires (`zod`, `@napi-rs/keyring`), from node_modules or bundled by the
// build in a chunk of its own, to the file named by ZSDR_RECORD_IMPORTS, one per line, so a test
// can see what start-up loads without timing it. Plain JavaScript: it runs before any TypeScript
// loader. `import` is seen through a module hook; Node runs module hooks on a thread of their own,
// which loads this file again: only the main thread registers it. `require` (of packages loaded on
// first use, and inside CommonJS packages) is not seen by those hooks (Node 20), so the main
// thread also wraps the CommonJS loader.
import { appendFileSync } from 'node:fs'
import { createRequire, isBuiltin, register } from 'node:module'
import { isMainThread } from 'node:worker_threads'

if (isMainThread) {
  register(import.meta.url)
  const Module = createRequire(import.meta.url)('node:module')
  const load = Module._load
  Module._load = function recordRequire(request, ...rest) {
    record(request)
    return load.call(this, request, ...rest)
  }
}

/** A dependency the build bundles, in its own chunk (electron.vite.config.ts): `./vendor-@scope+name-<hash>.js`. */
const VENDOR_CHUNK = /(?:^|\/)vendor-(.+)-[\w-]{8}\.js$/

/**
 * The package a bare specifier names (`@scope/name/sub.js` → `@scope/name`), or a bundled one's
 * chunk; null for other paths, URLs and built-ins.
 */
function packageName(specifier) {
  const vendored = VENDOR_CHUNK.exec(specifier)?.[1]
  if (vendored) return vendored.replace('+', '/')
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return null
  if (isBuiltin(specifier)) return null
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

function record(specifier) {
  const name = packageName(specifier)
  const file = process.env.ZSDR_RECORD_IMPORTS
  if (name && file) appendFileSync(file, `${name}\n`)
}

export async function resolve(specifier, context, nextResolve) {
  record(specifier)
  return nextResolve(specifier, context)
}
