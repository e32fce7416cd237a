import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The built main process loads some modules by URL at run time (the cache's sync worker thread and
 * its data source). Those files must be emitted beside the module that names them, or a packaged app
 * fails only when the user first syncs. Shared code lives in chunks beside index.js and cli.js (the
 * `zsdr` entry), so every emitted file is read. `npm test` builds before the tests run.
 */
const outMain = join(import.meta.dirname, '../../../out/main')
const bundles = readdirSync(outMain)
  .filter((f) => f.endsWith('.js'))
  .map((f) => readFileSync(join(outMain, f), 'utf8'))

describe('built main process', () => {
  it('emits every .js file that its modules load by relative URL or dynamic import', () => {
    const loaded = new Set<string>()
    for (const bundle of bundles) {
      for (const m of bundle.matchAll(/new URL\("\.\/([\w-]+\.js)", import\.meta\.url\)/g)) loaded.add(m[1]!)
      for (const m of bundle.matchAll(/"\.\/([\w-]+\.js)"/g)) loaded.add(m[1]!)
    }
    expect([...loaded]).toEqual(expect.arrayContaining(['sync-worker.js', 'zstack-source.js']))
    for (const file of loaded) expect(existsSync(join(outMain, file)), file).toBe(true)
    expect(existsSync(join(outMain, 'cli.js'))).toBe(true)
  })
})
