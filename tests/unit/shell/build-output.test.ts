import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The built main process loads some modules by URL at run time (the cache's sync worker thread and
 * its data source). Those files must be emitted beside index.js, or a packaged app fails only when
 * the user first syncs. `npm test` builds before the tests run.
 */
const outMain = join(import.meta.dirname, '../../../out/main')
const bundle = readFileSync(join(outMain, 'index.js'), 'utf8')

describe('built main process', () => {
  it('emits every .js file that index.js loads by relative URL or dynamic import', () => {
    const byUrl = [...bundle.matchAll(/new URL\("\.\/([\w-]+\.js)", import\.meta\.url\)/g)].map((m) => m[1]!)
    const byImport = [...bundle.matchAll(/"\.\/([\w-]+\.js)"/g)].map((m) => m[1]!)
    const loaded = [...new Set([...byUrl, ...byImport])]
    expect(loaded).toEqual(expect.arrayContaining(['sync-worker.js', 'zstack-source.js']))
    for (const file of loaded) expect(existsSync(join(outMain, file)), file).toBe(true)
  })
})
