import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalQueryEngine } from '../../../src-main/cache/local-query.js'
import { CacheStore } from '../../../src-main/cache/store.js'
import type { WorkerData } from '../../../src-main/cache/sync-protocol.js'
import { SyncWorkerHost } from '../../../src-main/cache/sync-runner.js'
import { createInventorySource } from '../../../src-main/cache/zstack-source.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { SIM_PASSWORD, type Simulator, startTestSimulator } from '../../harness/simulator.js'
import { makeTempDir } from '../../harness/temp.js'

/** The sync thread killed halfway (as a crash would): the previous snapshot stays; the next sync completes. */
let sim: Simulator
let db: Database
const dir = makeTempDir('cache-kill')
const host = new SyncWorkerHost()

const data = (): WorkerData => ({
  dbFile: join(dir.path, 'zsdr.sqlite'),
  connectionId: 'kill',
  mode: 'full',
  pageSize: 2,
  source: {
    module: new URL('../../../src-main/cache/zstack-source.ts', import.meta.url).href,
    args: { endpoint: sim.baseUrl, accountName: 'admin', password: SIM_PASSWORD },
  },
})
const cached = () =>
  new LocalQueryEngine(db, new CacheStore(db)).run('kill', 'volumeBackups', { conditions: [], limit: 1000 })
    .inventories

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
  db = openDatabase(join(dir.path, 'zsdr.sqlite'))
})
afterAll(async () => {
  await host.close()
  db.close()
  dir.remove()
  await sim.close()
})

describe('a sync worker killed mid-sync', () => {
  it('leaves the previous snapshot readable, and the next sync repairs it', async () => {
    await host.run(data())
    const before = cached()
    expect(before).toHaveLength(5)
    sim.state.volumeBackups.remove(sim.state.volumeBackups.rows[1]!.uuid)
    const stop = sim.faults.add({
      method: 'GET',
      path: '/v1/volume-backups',
      times: 100,
      fault: { kind: 'slow', delayMs: 150 },
    })
    let killed = false
    const run = host.run(data(), {
      onProgress: () => {},
      onWorker: (w) =>
        w.on('message', (m: { type: string; progress?: { resource: string; done: number } }) => {
          if (!killed && m.progress?.resource === 'volumeBackups' && m.progress.done >= 2) {
            killed = true
            void w.terminate()
          }
        }),
    })
    await expect(run).rejects.toMatchObject({ code: 'cache.sync_worker_died' })
    stop()
    expect(killed).toBe(true)
    expect(cached()).toEqual(before)
    expect(new CacheStore(db).orphans('kill')).toHaveLength(1)
    const result = await host.run(data())
    expect(result.outcome).toBe('complete')
    const source = createInventorySource({
      endpoint: sim.baseUrl,
      accountName: 'admin',
      password: SIM_PASSWORD,
    })
    const server = await source.query('/v1/volume-backups', { conditions: [] }, new AbortController().signal)
    await source.close()
    expect(cached()).toEqual(server.inventories)
    expect(new CacheStore(db).orphans('kill')).toEqual([])
  })
})
