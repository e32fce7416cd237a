import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventBus } from '../../../src-main/api/event-bus.js'
import { OperationRegistry } from '../../../src-main/api/operations.js'
import { Router } from '../../../src-main/api/router.js'
import { appHandlers } from '../../../src-main/app-handlers.js'
import { CacheService, cacheHandlers } from '../../../src-main/cache/index.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { memoryLogger } from '../../harness/services.js'
import { makeTempDir } from '../../harness/temp.js'
import { volumeBackup } from './fixtures/memory-server.js'

/**
 * The main thread stays responsive while the node's big answers are converted and written into
 * the cache: a trivial call's worst latency, measured in the same process during the refresh of
 * 25,000-row pages, stays under 100 ms (beyond the worst the same probe sees on an idle process:
 * on a shared, loaded machine that floor alone reaches tens of ms; best of up to three attempts). The node's reply is a prepared body (the network is not
 * what is measured); the first sync runs in the sync thread from an in-memory source.
 */
const ROWS = 25_000
const dir = makeTempDir('cache-main-thread')
const dbFile = join(dir.path, 'zsdr.sqlite')
let db: Database
let cache: CacheService
let router: Router
/** What the node answers next. */
let nodeBody = ''

beforeAll(async () => {
  db = openDatabase(dbFile)
  const bus = new EventBus()
  const ops = new OperationRegistry(bus)
  const { log } = memoryLogger()
  const rows = Array.from({ length: ROWS }, (_, i) => ({ ...volumeBackup(i), description: 'from the node' }))
  nodeBody = JSON.stringify({ inventories: rows })
  cache = new CacheService({
    db,
    dbFile,
    ops,
    bus,
    log,
    backend: {
      sourceFor: async () => ({
        module: new URL('./fixtures/memory-source-module.ts', import.meta.url).href,
        args: { rows: { volumeBackups: [volumeBackup(0), volumeBackup(1)] } },
      }),
      queryNode: async () => nodeBody,
    },
  })
  router = new Router({ ...appHandlers({ db, ops }), ...cacheHandlers(cache) }, log)
  await cache.startSync('c1', 'full').done
}, 60_000)

afterAll(async () => {
  await cache?.close()
  db?.close()
  dir.remove()
})

/** Calls `app.health` back to back (5 ms apart) until `stop`; returns the worst delay seen. */
async function probe(stop: Promise<unknown>): Promise<{ maxMs: number; calls: number }> {
  let done = false
  void stop.finally(() => {
    done = true
  })
  let maxMs = 0
  let calls = 0
  while (!done) {
    const due = performance.now() + 5
    await new Promise((r) => setTimeout(r, 5))
    const reply = await router.dispatch('app.health', {}, { transport: 'ipc' })
    expect(reply.ok).toBe(true)
    maxMs = Math.max(maxMs, performance.now() - due)
    calls++
  }
  return { maxMs, calls }
}

/** Two live queries of ROWS rows each, with the probe running meanwhile and then on its own. */
async function measure() {
  const queries = (async () => {
    const answers = []
    for (let i = 0; i < 2; i++) {
      answers.push(
        await router.dispatch(
          'cache.query',
          { connectionId: 'c1', resource: 'volumeBackups', q: [], limit: ROWS },
          { transport: 'ipc' },
        ),
      )
    }
    return answers
  })()
  const busy = await probe(queries)
  // The machine's own noise (other processes share the cores): the same probe with nothing to do.
  const idle = await probe(new Promise((r) => setTimeout(r, 1500)))
  console.log(
    `app.health worst latency during the refresh: ${busy.maxMs.toFixed(1)} ms over ${busy.calls} calls (idle: ${idle.maxMs.toFixed(1)} ms)`,
  )
  return { answers: await queries, calls: busy.calls, excessMs: busy.maxMs - idle.maxMs }
}

describe('main thread under big node answers', () => {
  it(`a trivial call stays under 100 ms while ${ROWS}-row pages are converted and refreshed`, async () => {
    // Noise from other processes is random; work on the main thread would show in every attempt.
    let best = await measure()
    for (let attempt = 1; attempt < 3 && best.excessMs >= 100; attempt++) {
      const next = await measure()
      if (next.excessMs < best.excessMs) best = next
    }
    for (const a of best.answers) {
      expect(a.ok).toBe(true)
      const value = (a as { value: { source: string; inventories: unknown[] } }).value
      expect(value.source).toBe('node')
      expect(value.inventories).toHaveLength(ROWS)
    }
    // The cache was refreshed with the node's rows.
    const offline = cache.local.run('c1', 'volumeBackups', { conditions: [], count: true })
    expect(offline.total).toBe(ROWS)
    expect(best.calls).toBeGreaterThan(5)
    expect(best.excessMs).toBeLessThan(100)
  }, 180_000)

  it('a node reply that is not the expected JSON is refused and the cache answers instead', async () => {
    const good = nodeBody
    try {
      for (const bad of ['{"inventories": [{"uuid": "', '{"inventories": "all"}', '[1]', '{"total": "9"}']) {
        nodeBody = bad
        const r = await router.dispatch(
          'cache.query',
          { connectionId: 'c1', resource: 'volumeBackups', q: [], limit: 3 },
          { transport: 'ipc' },
        )
        expect(r.ok, bad).toBe(true)
        const value = (r as { value: { source: string; nodeError?: { code: string } } }).value
        expect(value.source, bad).toBe('cache')
        expect(value.nodeError?.code, bad).toBe('zstack.malformed_reply')
      }
    } finally {
      nodeBody = good
    }
  })

  it('app.health is cheap by default; the full quick_check runs only when asked', async () => {
    const quick = await router.dispatch('app.health', {}, { transport: 'ipc' })
    expect(quick).toMatchObject({
      ok: true,
      value: { checks: [{ name: 'database', ok: true, detail: 'open' }] },
    })
    const deep = await router.dispatch('app.health', { deep: true }, { transport: 'ipc' })
    expect(deep).toMatchObject({
      ok: true,
      value: { checks: [{ name: 'database', ok: true, detail: 'ok' }] },
    })
  })
})
