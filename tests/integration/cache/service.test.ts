import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  CacheQueryAnswer,
  CacheStatus,
  CacheSyncReport,
  OperationFinished,
  OperationProgress,
} from '../../../src-main/api/contract/index.js'
import { RESOURCE_NAMES, RESOURCES, type ResourceName } from '../../../src-main/cache/resources.js'
import { ZStackInventorySource } from '../../../src-main/cache/zstack-source.js'
import type { Services } from '../../../src-main/services.js'
import { zstackPasswordKey } from '../../../src-main/vault/keys.js'
import { testServices } from '../../harness/services.js'
import {
  SIM_PASSWORD,
  SIM_PASSWORD_DIGEST,
  type Simulator,
  seeded,
  startTestSimulator,
} from '../../harness/simulator.js'
import { addDatabaseBackup, addVolumeBackup } from '../../sim/seed.js'

/**
 * The offline inventory end to end: `cache.sync` through the router (worker thread, its own REST
 * client) against the simulator, `cache.query` answering from the node or the cache, failures
 * mid-sync, and no secret in the database file.
 */
let sim: Simulator
let svc: Services & { logLines: string[]; removeDir(): void }
let connectionId: string
const sessions: string[] = []

const call = async <T>(name: string, req: unknown): Promise<T> => {
  const r = await svc.router.dispatch(name, req, { transport: 'cli' })
  if (!r.ok) throw Object.assign(new Error(r.error.message.en), { code: r.error.code })
  return r.value as T
}

async function sync(mode: 'full' | 'incremental') {
  const progress: OperationProgress[] = []
  let report: CacheSyncReport | null = null
  let opId = ''
  const finished = new Promise<OperationFinished>((resolve) => {
    const stop = svc.bus.subscribe((name, payload) => {
      const p = payload as { opId: string }
      if (p.opId !== opId) return
      if (name === 'op.progress') progress.push(payload as OperationProgress)
      if (name === 'cache.synced') report = payload as CacheSyncReport
      if (name === 'op.finished') {
        stop()
        resolve(payload as OperationFinished)
      }
    })
  })
  opId = (await call<{ opId: string }>('cache.sync', { connectionId, mode })).opId
  const end = await finished
  return { end, report: report as CacheSyncReport | null, progress }
}

const signal = () => new AbortController().signal
async function serverAll(resource: ResourceName) {
  const source = new ZStackInventorySource(svc.zstack.clientFor(connectionId))
  return (await source.query(RESOURCES[resource].path, { conditions: [], limit: 100_000 }, signal()))
    .inventories
}
const cacheAll = (resource: ResourceName) =>
  svc.cache.local.run(connectionId, resource, { conditions: [], limit: 100_000 }).inventories

async function expectMirror() {
  for (const r of RESOURCE_NAMES) expect(cacheAll(r), r).toEqual(await serverAll(r))
}

beforeAll(async () => {
  sim = await startTestSimulator({ seed: 'demo' })
  const create = sim.sessions.create.bind(sim.sessions)
  sim.sessions.create = () => {
    const s = create()
    sessions.push(s.uuid)
    return s
  }
  svc = testServices()
  connectionId = (
    await call<{ connectionId: string }>('zstack.connect', { endpoint: sim.baseUrl, password: SIM_PASSWORD })
  ).connectionId
})

afterAll(async () => {
  await svc?.close()
  svc?.removeDir()
  await sim?.close()
})

describe('cache.sync and cache.query against the simulator', () => {
  it('a first sync is full, reports progress with rate and ETA, and mirrors the node', async () => {
    const { end, report, progress } = await sync('incremental')
    expect(end.outcome).toBe('succeeded')
    expect(report).toMatchObject({ mode: 'full', outcome: 'complete' })
    expect(new Set(progress.map((p) => p.phase))).toEqual(new Set(RESOURCE_NAMES))
    expect(progress.at(-1)).toMatchObject({ unit: 'items' })
    expect(progress.every((p) => 'ratePerSecond' in p && 'etaSeconds' in p)).toBe(true)
    await expectMirror()
    const status = await call<CacheStatus>('cache.status', { connectionId })
    expect(status).toMatchObject({ synced: true, lastOutcome: 'complete', runningOpId: null })
    expect(status.resources.find((r) => r.resource === 'volumeBackups')?.count).toBe(5)
  })

  it('answers from the node while it is reachable, and says so', async () => {
    const answer = await call<CacheQueryAnswer>('cache.query', {
      connectionId,
      resource: 'volumeBackups',
      q: ['name~=vm-db%'],
      sort: '+name',
      replyWithCount: true,
    })
    expect(answer.source).toBe('node')
    expect(answer.total).toBe(3)
    expect(answer.cache.ageSeconds).toBeGreaterThanOrEqual(0)
    const offline = await call<CacheQueryAnswer>('cache.query', {
      connectionId,
      resource: 'volumeBackups',
      q: ['name~=vm-db%'],
      sort: '+name',
      replyWithCount: true,
      offline: true,
    })
    expect(offline).toEqual({ ...answer, source: 'cache', cache: offline.cache })
  })

  it('whole inventories the node sends refresh the cache', async () => {
    const row = sim.state.volumeBackups.rows.find((b) => b.name === 'web-data-daily')!
    // As on the real node, an UPDATE moves lastOpDate (ON UPDATE CURRENT_TIMESTAMP).
    row.description = 'changed on the node'
    row.lastOpDate = Date.now()
    sim.state.bump()
    const q = { connectionId, resource: 'volumeBackups', q: [`uuid=${row.uuid}`] }
    const online = await call<CacheQueryAnswer>('cache.query', q)
    expect(online.inventories?.[0]?.description).toBe('changed on the node')
    const cached = await call<CacheQueryAnswer>('cache.query', { ...q, offline: true })
    expect(cached).toMatchObject({ source: 'cache', inventories: online.inventories })
    // A projection (fields) is not a whole inventory: it does not touch the cache.
    row.description = 'changed again'
    row.lastOpDate = Date.now()
    sim.state.bump()
    await call('cache.query', { ...q, fields: ['uuid', 'description'] })
    expect(
      (await call<CacheQueryAnswer>('cache.query', { ...q, offline: true })).inventories?.[0]?.description,
    ).toBe('changed on the node')
  })

  it('an incremental sync reflects creates, updates, ref changes and deletes exactly', async () => {
    const s = seeded(sim)
    const dr = (api: string, params: unknown) => call('zstack.dr.call', { connectionId, api, params })
    const web = s.vmWeb
    const webRoot = sim.state.vmVolumes(web.uuid).find((v) => v.type === 'Root')!
    await dr('CreateVolumeBackup', {
      volumeUuid: webRoot.uuid,
      backupStorageUuid: s.bsLocal.uuid,
      name: 'fresh-1',
    })
    await dr('CreateDatabaseBackup', { name: 'fresh-db', backupStorageUuid: s.bsDr.uuid })
    const daily = s.volumeBackup('web-data-daily')
    await dr('SyncBackupFromImageStoreBackupStorage', {
      uuid: daily.uuid,
      srcBackupStorageUuid: s.bsLocal.uuid,
      dstBackupStorageUuid: s.bsOffsite.uuid,
    })
    const vmDbRoot = s.volumeBackup('vm-db-backup-root')
    await dr('DeleteVolumeBackup', { uuid: vmDbRoot.uuid, backupStorageUuids: [s.bsDr.uuid] })
    await dr('DeleteDatabaseBackup', {
      uuid: s.databaseBackup('db-backup-nightly-2').uuid,
      allBackupStorages: true,
    })
    const nightly = s.databaseBackup('db-backup-nightly-1')
    await dr('ExportDatabaseBackupFromBackupStorage', {
      databaseBackupUuid: nightly.uuid,
      backupStorageUuid: s.bsLocal.uuid,
    })
    // Changes made behind the app's back (another console): a deleted backup, a renamed VM.
    // (The app's own changes are in the cache already: see the next test.)
    sim.state.volumeBackups.remove(s.volumeBackup('web-root-weekly').uuid)
    const vm = sim.state.vms.rows.find((v) => v.name === 'vm-app')!
    vm.name = 'vm-app-renamed'
    vm.lastOpDate = Date.now()
    sim.state.bump()
    const { end, report } = await sync('incremental')
    expect(end.outcome).toBe('succeeded')
    expect(report?.mode).toBe('incremental')
    await expectMirror()
    const vb = report!.resources.find((r) => r.resource === 'volumeBackups')!
    expect(vb).toMatchObject({ count: 5, deleted: 1 })
  })

  it('the app’s own changes reach the cache at once: online and offline answers agree, counts follow', async () => {
    const s = seeded(sim)
    const dr = (api: string, params: unknown) => call('zstack.dr.call', { connectionId, api, params })
    const offline = (resource: ResourceName, q: string[]) =>
      call<CacheQueryAnswer>('cache.query', { connectionId, resource, q, offline: true })
    const count = (resource: ResourceName) =>
      call<CacheStatus>('cache.status', { connectionId }).then(
        (st) => st.resources.find((r) => r.resource === resource)?.count,
      )
    const before = await count('volumeBackups')
    const made = (await dr('CreateVolumeBackup', {
      volumeUuid: s.volumeBackup('web-data-daily').volumeUuid,
      backupStorageUuid: s.bsLocal.uuid,
      name: 'own-change',
    })) as { inventory: { uuid: string } }
    expect((await offline('volumeBackups', ['name=own-change'])).inventories).toHaveLength(1)
    expect(await count('volumeBackups')).toBe(before! + 1)

    // A delete from one of two stores leaves the backup on the other; from the last, it is gone.
    await dr('SyncBackupFromImageStoreBackupStorage', {
      uuid: made.inventory.uuid,
      srcBackupStorageUuid: s.bsLocal.uuid,
      dstBackupStorageUuid: s.bsDr.uuid,
    })
    await dr('DeleteVolumeBackup', { uuid: made.inventory.uuid, backupStorageUuids: [s.bsLocal.uuid] })
    const left = (await offline('volumeBackups', [`uuid=${made.inventory.uuid}`])).inventories as {
      backupStorageRefs: { backupStorageUuid: string }[]
    }[]
    expect(left[0]!.backupStorageRefs.map((r) => r.backupStorageUuid)).toEqual([s.bsDr.uuid])
    await dr('DeleteVolumeBackup', { uuid: made.inventory.uuid, backupStorageUuids: [s.bsDr.uuid] })
    expect((await offline('volumeBackups', [`uuid=${made.inventory.uuid}`])).inventories).toEqual([])
    expect(await count('volumeBackups')).toBe(before)
    await expectMirror()
  })

  it('a 503 on one resource: the others sync, that one keeps its rows and shows the error; the next sync repairs', async () => {
    const s = seeded(sim)
    const before = cacheAll('databaseBackups')
    // Made behind the app's back (the app's own changes reach the cache without a sync).
    addDatabaseBackup(
      sim.state,
      { uuid: () => 'fade'.repeat(8) },
      'while-broken',
      [s.bsLocal.uuid],
      Date.now(),
    )
    const volume = sim.state.volumes.rows[0]!
    addVolumeBackup(
      sim.state,
      { uuid: () => 'feed'.repeat(8) },
      volume,
      'direct-insert',
      null,
      [s.bsDr.uuid],
      Date.now(),
    )
    const stop = sim.faults.add({
      method: 'GET',
      path: '/v1/database-backups',
      times: 1000,
      fault: { kind: 'error503', error: { code: 'SYS.1000' } },
    })
    const { end, report } = await sync('full')
    stop()
    expect(end.outcome).toBe('succeeded')
    expect(report?.outcome).toBe('partial')
    expect(report!.resources.find((r) => r.resource === 'databaseBackups')?.error?.code).toBe(
      'zstack.server_error',
    )
    expect(cacheAll('databaseBackups')).toEqual(before)
    expect(cacheAll('volumeBackups')!.some((b) => b.name === 'direct-insert')).toBe(true)
    const status = await call<CacheStatus>('cache.status', { connectionId })
    expect(status.resources.find((r) => r.resource === 'databaseBackups')?.error?.code).toBe(
      'zstack.server_error',
    )
    await sync('incremental')
    await expectMirror()
  })

  it('dropped connections and a cut-off page everywhere: the sync fails, the previous snapshot stays queryable', async () => {
    const before = cacheAll('volumeBackups')
    const statusBefore = await call<CacheStatus>('cache.status', { connectionId })
    sim.state.volumeBackups.remove(sim.state.volumeBackups.rows[0]!.uuid)
    const stops = [
      sim.faults.add({
        method: 'GET',
        path: '/v1/volume-backups',
        times: 1000,
        fault: { kind: 'malformed' },
      }),
      sim.faults.add({ method: 'GET', path: /^\/v1\/(?!accounts)/, times: 1000, fault: { kind: 'drop' } }),
    ]
    const { end } = await sync('full')
    for (const stop of stops) stop()
    expect(end.outcome).toBe('failed')
    expect(end.error?.code).toBe('cache.sync_failed')
    expect(cacheAll('volumeBackups')).toEqual(before)
    const status = await call<CacheStatus>('cache.status', { connectionId })
    expect(status).toMatchObject({ lastOutcome: 'failed', lastFullSyncAt: statusBefore.lastFullSyncAt })
    expect(svc.cache.store.orphans(connectionId)).toEqual([])
    await sync('full')
    await expectMirror()
  })

  it('no secret in the database file: not the password, its digest, nor any session id', async () => {
    expect(sessions.length).toBeGreaterThan(3)
    svc.db.pragma('wal_checkpoint(TRUNCATE)')
    const file = `${svc.dataDir}/zsdr.sqlite`
    const bytes = [file, `${file}-wal`].map((f) => {
      try {
        return readFileSync(f).toString('latin1')
      } catch {
        return ''
      }
    })
    const all = bytes.join('')
    expect(all.length).toBeGreaterThan(50_000)
    for (const secret of [SIM_PASSWORD_DIGEST, ...sessions]) expect(all.includes(secret), secret).toBe(false)
    expect(/["':=]password["'\s,}]/.test(all)).toBe(false)
  })

  it('with the node down, the same query answers from the cache and says so', async () => {
    const q = { connectionId, resource: 'databaseBackups', q: ['name~=%nightly%'], sort: '-createDate' }
    const online = await call<CacheQueryAnswer>('cache.query', q)
    await sim.close()
    const offline = await call<CacheQueryAnswer>('cache.query', q)
    expect(online.source).toBe('node')
    expect(offline.source).toBe('cache')
    expect(offline.nodeError?.code).toMatch(/^zstack\.(connection_refused|unreachable|connection_reset)$/)
    expect(offline.inventories).toEqual(online.inventories)
    expect(offline.cache.syncedAt).not.toBeNull()
    const { end } = await sync('incremental')
    expect(end).toMatchObject({ outcome: 'failed', error: { code: 'cache.sync_failed' } })
    expect((await call<CacheQueryAnswer>('cache.query', q)).inventories).toEqual(online.inventories)
  })

  it('removing the connection forgets its password, its record and its whole cache', async () => {
    expect(svc.db.prepare('SELECT count(*) FROM cache_volume_backups').pluck().get()).toBeGreaterThan(0)
    expect(await call('zstack.connections.remove', { connectionId })).toEqual({ removed: true })
    const left = await call<Array<{ connectionId: string }>>('zstack.connections.list', {})
    expect(left.map((c) => c.connectionId)).not.toContain(connectionId)
    expect(await svc.vault.has(zstackPasswordKey(connectionId))).toBeNull()
    const count = (table: string) => svc.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get()
    for (const table of [
      'cache_snapshots',
      'cache_sync_state',
      'cache_volume_backups',
      'cache_database_backups',
    ])
      expect(count(table), table).toBe(0)
    expect((await call<CacheStatus>('cache.status', { connectionId })).synced).toBe(false)
    expect(await call('zstack.connections.remove', { connectionId })).toEqual({ removed: false })
  })
})
