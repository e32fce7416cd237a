/**
 * `npm run bench [-- name...]`: runs the named benchmarks (default: all) one after another.
 * Each benchmark is `tests/bench/<name>.ts` with a default export; it prints its figures and, as
 * its last line, one JSON object {bench, value, unit, baseline, ratio} measured against a
 * baseline run in the same process or script.
 */
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const here = fileURLToPath(new URL('.', import.meta.url))
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'main.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort()

const requested = process.argv.slice(2)
const unknown = requested.filter((name) => !available.includes(name))
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`)
  process.exit(2)
}

for (const name of requested.length > 0 ? requested : available) {
  const mod = (await import(`./${name}.ts`)) as { default: () => Promise<void> }
  await mod.default()
}
