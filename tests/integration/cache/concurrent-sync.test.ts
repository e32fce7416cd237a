import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CacheSyncReport } from '../../../src-main/api/contract/index.js'
import { LocalQueryEngine } from '../../../src-main/cache/local-query.js'
import { CacheStore } from '../../../src-main/cache/store.js'
import { openDatabase } from '../../../src-main/db/index.js'
import { runZsdr, runZsdrInProcess } from '../../harness/cli.js'
import { type Simulator, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/**
 * Four `zsdr cache sync` processes on one data folder at once (as cron, a terminal and the window
 * may): they take turns, each says that it waited, every one exits 0, and one complete snapshot is left.
 */
let sim: Simulator
const home = makeTempDir('cache-concurrent')

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
})
afterAll(async () => {
  await sim?.close()
  home.remove()
})

// Four real processes, each starting tsx and syncing in turn: minutes on a loaded machine.
describe('concurrent syncs of one data folder', () => {
  it('four CLI processes syncing the same connection all succeed, one after another', async () => {
    const first = await runZsdrInProcess(['cache', 'sync', sim.baseUrl, '--json'], {
      ZSDR_HOME: home.path,
      ZSDR_PASSWORD: 'password',
    })
    expect(first.code).toBe(0)
    // Slow pages, so that the four syncs overlap whatever their start-up times.
    sim.faults.add({
      method: 'GET',
      path: /^\/v1\/(?!accounts)/,
      times: 10_000,
      fault: { kind: 'slow', delayMs: 500 },
    })
    const runs = await Promise.all(
      Array.from({ length: 4 }, () =>
        runZsdr(['cache', 'sync', sim.baseUrl, '--full', '--password-stdin', '--json'], {
          env: { ZSDR_HOME: home.path, ZSDR_PASSWORD: '', ZSDR_LOG_LEVEL: 'info' },
          stdin: 'password\n',
        }),
      ),
    )
    sim.faults.clear()
    const reports = runs.map((r) => {
      expect(r.code, r.stderr).toBe(0)
      return JSON.parse(r.stdout) as CacheSyncReport & { startedAt?: string }
    })
    for (const report of reports) expect(report).toMatchObject({ mode: 'full', outcome: 'complete' })
    // They took turns: no two syncs ran at the same time.
    const spans = reports
      .map((r) => {
        const start = Date.parse(r.startedAt!)
        return [start, start + r.durationMs] as const
      })
      .sort((a, b) => a[0] - b[0])
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1])
    const db = openDatabase(join(home.path, 'zsdr.sqlite'))
    try {
      const store = new CacheStore(db)
      const connectionId = db.prepare('SELECT connection_id FROM cache_sync_state').pluck().get() as string
      expect(store.orphans(connectionId)).toEqual([])
      expect(db.prepare('SELECT count(*) FROM cache_snapshots').pluck().get()).toBe(1)
      const rows = new LocalQueryEngine(db, store).run(connectionId, 'volumeBackups', {
        conditions: [],
        limit: 1000,
      }).inventories
      expect(rows).toHaveLength(sim.state.volumeBackups.rows.length)
    } finally {
      db.close()
    }
    // At least one of them found another at work and said so while it waited.
    expect(runs.some((r) => /waiting for another sync/.test(r.stderr))).toBe(true)
  }, 300_000)
})
