import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalQueryEngine } from '../../../src-main/cache/local-query.js'
import { CacheStore } from '../../../src-main/cache/store.js'
import type { SyncProgress } from '../../../src-main/cache/sync.js'
import type { WorkerData } from '../../../src-main/cache/sync-protocol.js'
import { runSyncInWorker } from '../../../src-main/cache/sync-runner.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { makeTempDir } from '../../harness/temp.js'
import { databaseBackup, volumeBackup } from './fixtures/memory-server.js'

const dir = makeTempDir('cache-worker')
const dbFile = join(dir.path, 'zsdr.sqlite')
const module = new URL('./fixtures/memory-source-module.ts', import.meta.url).href
let db: Database

function data(rows: number, delayMs = 0): WorkerData {
  return {
    dbFile,
    connectionId: 'c1',
    mode: 'full',
    pageSize: 10,
    source: {
      module,
      args: {
        rows: {
          volumeBackups: Array.from({ length: rows }, (_, i) => volumeBackup(i)),
          databaseBackups: [databaseBackup(1)],
        },
        delayMs,
      },
    },
  }
}

const countBackups = () =>
  new LocalQueryEngine(db, new CacheStore(db)).run('c1', 'volumeBackups', { conditions: [], count: true })
    .total

beforeAll(() => {
  db = openDatabase(dbFile)
})
afterAll(() => {
  db.close()
  dir.remove()
})

describe('sync in a worker thread', () => {
  it('runs a full sync off the main thread and reports progress', async () => {
    const progress: SyncProgress[] = []
    const result = await runSyncInWorker(data(35), { onProgress: (p) => progress.push(p) })
    expect(result.outcome).toBe('complete')
    expect(countBackups()).toBe(35)
    expect(progress.filter((p) => p.resource === 'volumeBackups').at(-1)).toEqual({
      resource: 'volumeBackups',
      done: 35,
      total: 35,
    })
  })

  it('a worker killed mid-sync leaves the previous snapshot readable; the next sync completes', async () => {
    const store = new CacheStore(db)
    const before = store.currentSnapshot('c1')
    let killed = false
    const run = runSyncInWorker(data(80, 20), {
      onWorker: (w) =>
        w.on('message', (m: { type: string; progress?: SyncProgress }) => {
          if (!killed && m.progress?.resource === 'volumeBackups' && m.progress.done >= 20) {
            killed = true
            void w.terminate()
          }
        }),
    })
    await expect(run).rejects.toMatchObject({ code: 'cache.sync_worker_died' })
    expect(store.currentSnapshot('c1')).toBe(before)
    expect(countBackups()).toBe(35)
    expect(store.orphans('c1')).toHaveLength(1)
    const result = await runSyncInWorker(data(80))
    expect(result.outcome).toBe('complete')
    expect(countBackups()).toBe(80)
    expect(store.orphans('c1')).toEqual([])
  })

  it('cancel stops the worker and keeps the snapshot', async () => {
    const controller = new AbortController()
    const run = runSyncInWorker(data(50, 20), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.resource === 'volumeBackups' && p.done >= 10) controller.abort()
      },
    })
    await expect(run).rejects.toMatchObject({ code: 'op.cancelled' })
    expect(countBackups()).toBe(80)
    expect(new CacheStore(db).orphans('c1')).toEqual([])
  })
})
