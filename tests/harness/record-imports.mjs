// `node --import ./tests/harness/record-imports.mjs …`: appends the name of every package the
// process imports (`zod`, `@napi-rs/keyring`) to the file named by ZSDR_RECORD_IMPORTS, one per
// line, so a test can see what start-up loads without timing it. Plain JavaScript: it runs before
// any TypeScript loader. Node runs module hooks on a thread of their own, which loads this file
// again: only the main thread registers it.
import { appendFileSync } from 'node:fs'
import { register } from 'node:module'
import { isMainThread } from 'node:worker_threads'

if (isMainThread) register(import.meta.url)

/** The package a bare specifier names (`@scope/name/sub.js` → `@scope/name`); null for paths and URLs. */
function packageName(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.includes(':')) return null
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

export async function resolve(specifier, context, nextResolve) {
  const name = packageName(specifier)
  const file = process.env.ZSDR_RECORD_IMPORTS
  if (name && file) appendFileSync(file, `${name}\n`)
  return nextResolve(specifier, context)
}
