import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/errors/app-error.js'
import { databaseLines } from '../../../src-main/overview/export.js'
import { reportText } from '../../../src-main/overview/report-text.js'
import {
  DAY,
  databaseBackup,
  dataVolume,
  GiB,
  HOST_SPEC,
  HOUR,
  NOW,
  store,
  vm,
  volumeBackup,
  type World,
  world,
} from '../../fixtures/overview/inventory.js'

let w: World
beforeEach(() => {
  w = world()
})
afterEach(() => w.close())

const local = store('bs-local', 'Connected', '10.0.0.11')
const dr = store('bs-dr', 'Connected', '10.0.0.12')
const broken = store('bs-broken', 'Disconnected', '10.0.0.14')

describe('protection overview of one connection', () => {
  it('an empty connection (never synced) has nothing, says the cache is not synced, and breaches nothing', () => {
    const id = w.connection('empty')
    const o = w.overview.overview(id)
    expect(o.cache).toEqual({ synced: false, syncedAt: null, ageSeconds: null })
    expect(o.items).toEqual([])
    expect(o.counts).toEqual({
      vms: 0,
      vmsOutside: 0,
      vmsNever: 0,
      dataVolumes: 0,
      dataVolumesOutside: 0,
      dataVolumesNever: 0,
      singleStore: 0,
    })
    expect(o.stores).toEqual([])
    expect(o.database).toEqual({
      perStore: [],
      newestExported: null,
      newestOffline: null,
      newestFetched: null,
      newestAgeSeconds: null,
      lastDrill: null,
    })
    expect(o.charts.days).toHaveLength(90)
    expect(o.charts.days.at(-1)).toBe('2017-11-20')
    expect(o.charts.perStore).toEqual([])
    expect(o.rpoHours).toBe(24)
  })

  it('a VM never backed up is a breach, listed first, and counted as never backed up', () => {
    const id = w.connection('c')
    const never = vm('vm-never')
    const fresh = vm('vm-fresh')
    w.sync(id, {
      imageStoreBackupStorages: [local],
      vmInstances: [never.vm, fresh.vm],
      volumes: [never.root, fresh.root],
      volumeBackups: [volumeBackup(fresh.root.uuid as string, HOUR, [local])],
    })
    const o = w.overview.overview(id)
    expect(o.items.map((i) => [i.name, i.breached, i.ageSeconds])).toEqual([
      ['vm-never', true, null],
      ['vm-fresh', false, 3600],
    ])
    expect(o.items[0]).toMatchObject({
      backupCount: 0,
      newestBackupUuid: null,
      stores: [],
      onTwoStores: false,
    })
    expect(o.counts).toMatchObject({ vms: 2, vmsOutside: 1, vmsNever: 1 })
    expect(o.cache.synced).toBe(true)
    expect(o.cache.ageSeconds).toBeGreaterThanOrEqual(0)
  })

  it('one copy on one store is not "on two stores"; a second store makes it so', () => {
    const id = w.connection('c')
    const one = vm('vm-one')
    const two = vm('vm-two')
    w.sync(id, {
      imageStoreBackupStorages: [local, dr],
      vmInstances: [one.vm, two.vm],
      volumes: [one.root, two.root],
      volumeBackups: [
        // an older backup on two stores does not help vm-one: only its newest counts
        volumeBackup(one.root.uuid as string, 3 * HOUR, [local, dr]),
        volumeBackup(one.root.uuid as string, HOUR, [local]),
        volumeBackup(two.root.uuid as string, 2 * HOUR, [local, dr]),
      ],
    })
    const o = w.overview.overview(id)
    const byName = new Map(o.items.map((i) => [i.name, i]))
    expect(byName.get('vm-one')).toMatchObject({ backupCount: 2, onTwoStores: false, ageSeconds: HOUR })
    expect(byName.get('vm-one')!.stores.map((s) => s.name)).toEqual(['bs-local'])
    expect(byName.get('vm-two')).toMatchObject({ backupCount: 1, onTwoStores: true })
    expect(
      byName
        .get('vm-two')!
        .stores.map((s) => s.name)
        .sort(),
    ).toEqual(['bs-dr', 'bs-local'])
    expect(o.counts.singleStore).toBe(1)
  })

  it('backups naming one volume in two cases count as one volume (uuids compare without case)', () => {
    const id = w.connection('c')
    const one = vm('vm-one')
    const upper = (one.root.uuid as string).toUpperCase()
    const newest = volumeBackup(upper, HOUR, [local, dr])
    w.sync(id, {
      imageStoreBackupStorages: [local, dr],
      vmInstances: [one.vm],
      volumes: [one.root],
      volumeBackups: [
        volumeBackup(one.root.uuid as string, 3 * HOUR, [local]),
        newest,
        volumeBackup(one.root.uuid as string, 2 * HOUR, [local]),
      ],
    })
    const [item] = w.overview.overview(id).items
    expect(item).toMatchObject({
      backupCount: 3,
      ageSeconds: HOUR,
      newestBackupUuid: newest.uuid,
      onTwoStores: true,
    })
  })

  it('a copy on a disconnected store does not count towards two stores', () => {
    const id = w.connection('c')
    const a = vm('vm-a')
    w.sync(id, {
      imageStoreBackupStorages: [local, broken],
      vmInstances: [a.vm],
      volumes: [a.root],
      volumeBackups: [volumeBackup(a.root.uuid as string, HOUR, [local, broken])],
    })
    const o = w.overview.overview(id)
    expect(o.items[0]!.stores).toEqual(
      expect.arrayContaining([
        { uuid: broken.uuid, name: 'bs-broken', connected: false },
        { uuid: local.uuid, name: 'bs-local', connected: true },
      ]),
    )
    expect(o.items[0]!.onTwoStores).toBe(false)
    expect(o.stores.find((s) => s.name === 'bs-broken')).toMatchObject({ status: 'Disconnected' })
  })

  it('a backup exactly at the RPO target is within it; one second older is a breach; the target is editable', () => {
    const id = w.connection('c')
    const edge = vm('vm-edge')
    const over = vm('vm-over')
    w.sync(id, {
      imageStoreBackupStorages: [local],
      vmInstances: [edge.vm, over.vm],
      volumes: [edge.root, over.root],
      volumeBackups: [
        volumeBackup(edge.root.uuid as string, DAY, [local]),
        volumeBackup(over.root.uuid as string, DAY + 1, [local]),
      ],
    })
    let o = w.overview.overview(id)
    expect(o.items.map((i) => [i.name, i.breached])).toEqual([
      ['vm-over', true],
      ['vm-edge', false],
    ])
    expect(o.counts).toMatchObject({ vms: 2, vmsOutside: 1, vmsNever: 0 })

    expect(w.overview.setRpoHours(id, 48)).toEqual({ rpoHours: 48 })
    o = w.overview.overview(id)
    expect(o.rpoHours).toBe(48)
    expect(o.counts.vmsOutside).toBe(0)
    // stored per connection
    expect(w.overview.rpoHours(w.connection('other'))).toBe(24)
  })

  it('orders breaches first, worst first, and lists data volumes with their VM', () => {
    const id = w.connection('c')
    const a = vm('vm-a')
    const b = vm('vm-b')
    const c = vm('vm-c')
    const data = dataVolume('data-1', a.vm.uuid as string)
    const detached = dataVolume('data-detached', null)
    w.sync(id, {
      imageStoreBackupStorages: [local],
      vmInstances: [a.vm, b.vm, c.vm],
      volumes: [a.root, b.root, c.root, data, detached],
      volumeBackups: [
        volumeBackup(a.root.uuid as string, 2 * DAY, [local]),
        volumeBackup(b.root.uuid as string, 10 * DAY, [local]),
        volumeBackup(c.root.uuid as string, 2 * HOUR, [local]),
        volumeBackup(data.uuid as string, 5 * DAY, [local]),
        // not Ready: restores nothing, so it does not count
        volumeBackup(c.root.uuid as string, HOUR, [local], { status: 'Creating' }),
      ],
    })
    const o = w.overview.overview(id)
    expect(o.items.map((i) => i.name)).toEqual(['data-detached', 'vm-b', 'data-1', 'vm-a', 'vm-c'])
    expect(o.items.find((i) => i.name === 'data-1')).toMatchObject({
      kind: 'dataVolume',
      vmUuid: a.vm.uuid,
      vmName: 'vm-a',
    })
    expect(o.items.find((i) => i.name === 'vm-c')).toMatchObject({ ageSeconds: 2 * HOUR, backupCount: 1 })
    expect(o.counts).toMatchObject({
      vms: 3,
      vmsOutside: 2,
      dataVolumes: 2,
      dataVolumesOutside: 2,
      dataVolumesNever: 1,
    })
    expect(o.charts.ageBuckets).toEqual([
      { bucket: '1d', count: 1 },
      { bucket: '2d', count: 0 },
      { bucket: '7d', count: 1 },
      { bucket: '30d', count: 1 },
      { bucket: 'older', count: 0 },
      { bucket: 'never', count: 0 },
    ])
  })

  it('image stores: space used by backups, growth per week and days until full; backups per day', () => {
    const id = w.connection('c')
    const a = vm('vm-a')
    const full = store('bs-full', 'Connected', '10.0.0.15', 14 * GiB)
    w.sync(id, {
      imageStoreBackupStorages: [full, dr],
      vmInstances: [a.vm],
      volumes: [a.root],
      volumeBackups: [
        // 28 GiB over the last 28 days = 7 GiB a week = 1 GiB a day; one from 60 days ago counts as used only
        ...Array.from({ length: 28 }, (_, d) => volumeBackup(a.root.uuid as string, d * DAY + HOUR, [full])),
        volumeBackup(a.root.uuid as string, 60 * DAY, [full, dr]),
      ],
      databaseBackups: [databaseBackup(2 * DAY, [dr])],
    })
    const o = w.overview.overview(id)
    const f = o.stores.find((s) => s.name === 'bs-full')!
    expect(f).toMatchObject({ usedByBackups: 29 * GiB, growthPerWeek: 7 * GiB, daysUntilFull: 14 })
    const d = o.stores.find((s) => s.name === 'bs-dr')!
    // database backups count too: 1 GiB in 28 days, 100 GiB free
    expect(d).toMatchObject({ usedByBackups: 2 * GiB, growthPerWeek: GiB / 4, daysUntilFull: 2800 })
    const series = o.charts.perStore.find((s) => s.store.name === 'bs-full')!
    expect(series.counts.reduce((x, y) => x + y, 0)).toBe(29)
    expect(series.counts.at(-1)).toBe(1)
    expect(o.charts.perStore.find((s) => s.store.name === 'bs-dr')!.counts.reduce((x, y) => x + y)).toBe(1)
  })

  it('management database: newest per store, newest exported, newest reachable without the node', () => {
    const id = w.connection('c', 'http://10.0.0.5:8080/zstack')
    w.sync(id, {
      imageStoreBackupStorages: [local, dr],
      databaseBackups: [
        databaseBackup(3 * DAY, [local, dr], 'http://10.0.0.11/export/db.gz'),
        databaseBackup(DAY, [local]),
        databaseBackup(2 * DAY, [dr]),
      ],
    })
    // The node's own dump folder (by the endpoint's host), an image store of this connection, and
    // a host that belongs to another cloud (ignored).
    const node = w.catalog.upsertHost('root@10.0.0.5:22', HOST_SPEC, null)
    w.catalog.recordScan(
      node,
      [{ kind: 'dump-file' }],
      [dumpFile('/var/lib/zstack/mysql-backup/old.gz', '2017-11-17T12:00:00')],
    )
    const other = w.catalog.upsertHost('root@192.168.9.9:22', HOST_SPEC, null)
    w.catalog.recordScan(
      other,
      [{ kind: 'dump-file' }],
      [dumpFile('/var/lib/zstack/mysql-backup/new.gz', '2017-11-20T11:00:00')],
    )
    const bs = w.catalog.upsertHost('root@10.0.0.12:22', HOST_SPEC, null)
    w.catalog.recordScan(bs, [{ kind: 'dump-file' }], [dumpFile('/backup/mid.gz', '2017-11-18T12:00:00')])
    const old = w.catalog.list().find((b) => b.name === 'old.gz')!
    w.catalog.recordFetch(old.id, { localPath: '/tmp/old.gz', sha256: 'x', size: 1, uncompressedSize: 1 })

    const db = w.overview.overview(id).database
    expect(db.perStore.map((p) => [p.store.name, p.ageSeconds])).toEqual([
      ['bs-dr', 2 * DAY],
      ['bs-local', DAY],
    ])
    expect(db.newestExported).toMatchObject({ ageSeconds: 3 * DAY })
    expect(db.newestOffline).toMatchObject({
      name: 'mid.gz',
      hostLabel: 'root@10.0.0.12:22',
      fetched: false,
      at: '2017-11-18 12:00:00',
      ageSeconds: 2 * DAY,
    })
    expect(db.newestFetched).toMatchObject({ name: 'old.gz', ageSeconds: 3 * DAY })
    expect(db.newestAgeSeconds).toBe(DAY)

    const [line] = w.overview.lines([id])
    expect(line).toMatchObject({ connectionName: 'c', newestDatabaseBackupAgeSeconds: DAY })
  })

  it("last proven backup: the newest finished drill of this connection's catalogued backups", () => {
    const id = w.connection('c', 'http://10.0.0.5:8080/zstack')
    w.sync(id, { imageStoreBackupStorages: [local, dr] })
    const node = w.catalog.upsertHost('root@10.0.0.5:22', HOST_SPEC, null)
    w.catalog.recordScan(
      node,
      [{ kind: 'dump-file' }],
      [dumpFile('/backup/a.gz', '2017-11-19T12:00:00'), dumpFile('/backup/b.gz', '2017-11-18T12:00:00')],
    )
    const other = w.catalog.upsertHost('root@192.168.9.9:22', HOST_SPEC, null)
    w.catalog.recordScan(other, [{ kind: 'dump-file' }], [dumpFile('/backup/x.gz', '2017-11-20T11:00:00')])
    const idOf = (name: string) => w.catalog.list().find((b) => b.name === name)!.id
    expect(w.overview.overview(id).database.lastDrill).toBeNull()

    const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString()
    const drill = w.db.prepare(
      `INSERT INTO drill_runs (run_id, backup_id, backup_path, host, started_at, finished_at, outcome, restore_ms, report_json)
       VALUES (?, ?, '/backup/f.gz', 'root@10.0.0.5:22', ?, ?, ?, ?, 'not json')`,
    )
    drill.run('r1', idOf('b.gz'), ago(5 * HOUR), ago(4 * HOUR), 'passed', 61_000)
    drill.run('r2', idOf('a.gz'), ago(3 * HOUR), ago(2 * HOUR), 'failed', 84_240)
    // Another cloud's backup, drilled later: proves nothing for this connection.
    drill.run('r3', idOf('x.gz'), ago(HOUR), ago(HOUR / 2), 'passed', 1000)
    // Still running (no end): does not hide the last result.
    drill.run('r4', idOf('a.gz'), ago(60), null, 'running', null)
    expect(w.overview.overview(id).database.lastDrill).toEqual({
      name: 'a.gz',
      hostLabel: 'root@10.0.0.5:22',
      outcome: 'failed',
      finishedAt: ago(2 * HOUR),
      ageSeconds: 2 * HOUR,
      restoreSeconds: 84.2,
    })
    const lines = new Map(databaseLines(w.overview.overview(id).database, reportText('en')))
    expect(lines.get('Last proven backup (recovery drill)')).toBe(
      `${ago(2 * HOUR)} (2 h): failed, restored in 84.2 s — a.gz @ root@10.0.0.5:22`,
    )

    drill.run('r5', idOf('b.gz'), ago(HOUR), ago(HOUR / 4), 'passed', null)
    expect(w.overview.overview(id).database.lastDrill).toMatchObject({
      name: 'b.gz',
      outcome: 'passed',
      ageSeconds: HOUR / 4,
      restoreSeconds: null,
    })
  })

  it('one line per connection; an unknown connection is a clear error', () => {
    const a = w.connection('a')
    const b = w.connection('b')
    const x = vm('vm-x')
    w.sync(a, { vmInstances: [x.vm], volumes: [x.root] })
    expect(w.overview.lines().map((l) => [l.connectionName, l.counts.vms, l.counts.vmsNever])).toEqual([
      ['a', 1, 1],
      ['b', 0, 0],
    ])
    expect(w.overview.lines([b]).map((l) => l.connectionId)).toEqual([b])
    try {
      w.overview.overview('nope')
      expect.unreachable()
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('overview.unknown_connection')
    }
    expect(() => w.overview.setRpoHours('nope', 12)).toThrow(/No saved connection/)
  })
})

function dumpFile(location: string, createdAt: string) {
  return {
    kind: 'dump-file' as const,
    location,
    name: location.split('/').at(-1)!,
    zstackVersion: null,
    createdAt,
    size: 10,
  }
}
