import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalQueryEngine } from '../../../src-main/cache/local-query.js'
import { RESOURCES, type ResourceName } from '../../../src-main/cache/resources.js'
import { CacheStore, type Inventory } from '../../../src-main/cache/store.js'
import { SyncEngine, type SyncOptions, type SyncProgress } from '../../../src-main/cache/sync.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { AppError } from '../../../src-main/errors/app-error.js'
import { databaseBackup, gson, MemoryServer, T0, volumeBackup } from './fixtures/memory-server.js'

let db: Database
let store: CacheStore
let engine: LocalQueryEngine
let server: MemoryServer

const BS2 = 'c'.repeat(32)

function sync(mode: SyncOptions['mode'], extra: Partial<SyncOptions> = {}) {
  return new SyncEngine(store, server, { connectionId: 'c1', mode, pageSize: 7, ...extra }).run()
}

/** Every resource, everything, as the cache answers it. */
function cached(resource: ResourceName): Inventory[] {
  return engine.run('c1', resource, { conditions: [], limit: 100_000 }).inventories!
}

function expectMirrors() {
  for (const resource of Object.keys(RESOURCES) as ResourceName[]) {
    expect(cached(resource), resource).toEqual(server.rows.get(resource))
  }
}

beforeEach(() => {
  db = openDatabase(':memory:')
  store = new CacheStore(db)
  engine = new LocalQueryEngine(db, store)
  server = new MemoryServer({
    volumeBackups: Array.from({ length: 30 }, (_, i) => volumeBackup(i)),
    databaseBackups: Array.from({ length: 9 }, (_, i) => databaseBackup(i)),
  })
})
afterEach(() => db.close())

describe('sync engine', () => {
  it('a full sync pages through every resource, in server order, with progress', async () => {
    const progress: SyncProgress[] = []
    const result = await sync('full', { onProgress: (p) => progress.push(p) })
    expect(result.outcome).toBe('complete')
    expect(result.resources.find((r) => r.resource === 'volumeBackups')?.count).toBe(30)
    expectMirrors()
    const vb = progress.filter((p) => p.resource === 'volumeBackups')
    expect(vb.at(-1)).toEqual({ resource: 'volumeBackups', done: 30, total: 30 })
    expect(vb.map((p) => p.done)).toEqual([0, 7, 14, 21, 28, 30])
    // Paged as the server expects: limit/start, the first page asking for the total.
    const pages = server.requests.filter((r) => r.path === '/v1/volume-backups')
    expect(pages.map((r) => r.options.start)).toEqual([0, 7, 14, 21, 28])
    expect(pages[0]!.options.replyWithCount).toBe(true)
  })

  it('an incremental sync reflects creates, updates, ref changes and deletes exactly', async () => {
    await sync('full')
    const later = T0 + 3_600_000
    const vbs = server.rows.get('volumeBackups')!
    const updated = { ...vbs[4]!, name: 'renamed', lastOpDate: gson(later) }
    const refAdded = structuredClone(vbs[6]!) as Inventory & { backupStorageRefs: Inventory[] }
    refAdded.backupStorageRefs.push({
      ...refAdded.backupStorageRefs[0]!,
      backupStorageUuid: BS2,
      lastOpDate: gson(later),
    })
    const next = vbs
      .map((r, i) => (i === 4 ? updated : i === 6 ? refAdded : r))
      .filter((_, i) => i !== 10 && i !== 20)
    next.push(volumeBackup(100, later), volumeBackup(101, later))
    server.set('volumeBackups', next)
    server.set('databaseBackups', server.rows.get('databaseBackups')!.slice(1))
    server.requests = []
    const result = await sync('incremental')
    expect(result.mode).toBe('incremental')
    const vb = result.resources.find((r) => r.resource === 'volumeBackups')!
    expect(vb).toMatchObject({ count: 30, deleted: 2 })
    expect(result.resources.find((r) => r.resource === 'databaseBackups')).toMatchObject({
      count: 8,
      deleted: 1,
    })
    expectMirrors()
    expect(
      engine.run('c1', 'volumeBackups', fromQ(`backupStorageRefs.backupStorageUuid=${BS2}`)).inventories,
    ).toEqual([refAdded])
    // Without a full re-download: the backups are listed whole only by uuid (resources that were
    // empty have no lastOpDate to start from and are listed again: they are small).
    const unconditional = server.requests.filter(
      (r) => r.path.endsWith('backups') && r.options.conditions.length === 0 && !r.options.count,
    )
    expect(unconditional.length).toBeGreaterThan(0)
    expect(unconditional.every((r) => r.options.fields?.join() === 'uuid')).toBe(true)
  })

  it('an incremental sync with no change asks only for changes and counts', async () => {
    await sync('full')
    server.requests = []
    const result = await sync('incremental', { overlapMs: 1000 })
    expect(result.resources.every((r) => r.deleted === 0)).toBe(true)
    expect(server.requests.some((r) => r.options.fields)).toBe(false)
    expect(server.requests.filter((r) => r.path === '/v1/volume-backups').map((r) => r.options)).toEqual([
      { conditions: [{ field: 'lastOpDate', op: '>=', value: '2017-11-14 22:21:25' }], limit: 7, start: 0 },
      {
        conditions: [{ field: 'backupStorageRefs.lastOpDate', op: '>=', value: '2017-11-14 22:21:25' }],
        limit: 7,
        start: 0,
      },
      { conditions: [], count: true },
    ])
    expectMirrors()
  })

  it('a resource that fails keeps its previous rows and error; the others move on', async () => {
    await sync('full')
    server.set('databaseBackups', [...server.rows.get('databaseBackups')!, databaseBackup(50)])
    server.set('volumeBackups', server.rows.get('volumeBackups')!.slice(0, 3))
    server.fault = (path) => (path === '/v1/database-backups' ? boom() : null)
    const result = await sync('full')
    expect(result.outcome).toBe('partial')
    const failed = result.resources.find((r) => r.resource === 'databaseBackups')!
    expect(failed.error?.code).toBe('zstack.unreachable')
    expect(cached('databaseBackups')).toHaveLength(9)
    expect(cached('volumeBackups')).toHaveLength(3)
    const states = store.resourceStates(store.currentSnapshot('c1')!)
    expect(states.find((s) => s.resource === 'databaseBackups')?.error?.code).toBe('zstack.unreachable')
    server.fault = null
    await sync('incremental')
    expectMirrors()
    expect(store.resourceStates(store.currentSnapshot('c1')!).every((s) => s.error === null)).toBe(true)
  })

  it('a first full sync cut off mid-way publishes no partial rows: that resource is "never synced" with its error', async () => {
    // volume-backups: 30 rows in pages of 7; the third page fails after 14 rows were copied.
    server.fault = (p, o) => (p === '/v1/volume-backups' && o.start === 14 ? boom() : null)
    const result = await sync('full')
    expect(result.outcome).toBe('partial')
    expect(result.resources.find((r) => r.resource === 'volumeBackups')).toMatchObject({
      count: 0,
      error: { code: 'zstack.unreachable' },
    })
    const snapshot = store.currentSnapshot('c1')!
    expect(
      db.prepare('SELECT count(*) FROM cache_volume_backups WHERE snapshot_id = ?').pluck().get(snapshot),
    ).toBe(0)
    expect(store.resourceStates(snapshot).find((s) => s.resource === 'volumeBackups')).toMatchObject({
      count: 0,
      syncedAt: null,
      error: { code: 'zstack.unreachable' },
    })
    expect(() => cached('volumeBackups')).toThrow(expect.objectContaining({ code: 'cache.not_synced' }))
    expect(cached('databaseBackups')).toHaveLength(9)
    server.fault = null
    await sync('incremental')
    expectMirrors()
  })

  it('a sync failing everywhere mid-page leaves the previous snapshot; the next one repairs it', async () => {
    await sync('full')
    const before = cached('volumeBackups')
    const snapshot = store.currentSnapshot('c1')
    server.set('volumeBackups', server.rows.get('volumeBackups')!.slice(5))
    // Everything fails but the first page of volume-backups: it is cut off after that page.
    server.fault = (p, o) => (p === '/v1/volume-backups' && o.start === 0 ? null : boom())
    server.requests = []
    await expect(sync('full')).rejects.toMatchObject({ code: 'cache.sync_failed' })
    expect(store.currentSnapshot('c1')).toBe(snapshot)
    expect(cached('volumeBackups')).toEqual(before)
    expect(store.syncState('c1')).toMatchObject({
      lastOutcome: 'failed',
      lastError: { code: 'cache.sync_failed' },
    })
    server.fault = null
    await sync('full')
    expectMirrors()
    expect(store.orphans('c1')).toEqual([])
  })

  it('a cancelled sync leaves the previous snapshot and no leftovers', async () => {
    await sync('full')
    const before = cached('volumeBackups')
    server.set('volumeBackups', [])
    server.requests = []
    const controller = new AbortController()
    server.fault = (_p, _o, n) => {
      if (n === 3) controller.abort(new AppError('op.cancelled', { en: 'c', zh: 'c' }))
      return null
    }
    await expect(sync('full', { signal: controller.signal })).rejects.toMatchObject({ code: 'op.cancelled' })
    expect(cached('volumeBackups')).toEqual(before)
    expect(store.orphans('c1')).toEqual([])
  })

  it('a snapshot left by a killed sync is invisible and removed by the next sync', async () => {
    await sync('full')
    const orphan = store.createSnapshot('c1')
    store.insertPage(orphan, 'volumeBackups', [volumeBackup(999)])
    expect(cached('volumeBackups')).toHaveLength(30)
    await sync('incremental')
    expect(store.orphans('c1')).toEqual([])
    expect(
      db.prepare('SELECT count(*) FROM cache_volume_backups WHERE snapshot_id = ?').pluck().get(orphan),
    ).toBe(0)
  })

  it('the first sync of a connection is full whatever was asked', async () => {
    const result = await sync('incremental')
    expect(result.mode).toBe('full')
    expectMirrors()
  })
})

function boom(): Error {
  return new AppError('zstack.unreachable', { en: 'node unreachable', zh: '管理节点不可达' })
}

function fromQ(condition: string) {
  const eq = condition.indexOf('=')
  return { conditions: [{ field: condition.slice(0, eq), op: '=' as const, value: condition.slice(eq + 1) }] }
}
