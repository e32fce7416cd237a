import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import type { ZStackClient } from '../../../src-main/zstack/client.js'
import { callDr } from '../../../src-main/zstack/dr-api.js'
import { readLogStream } from '../../../src-main/zstack/log-stream.js'
import { queryAll } from '../../../src-main/zstack/query-client.js'
import { query } from '../../../src-shared/query/index.js'
import { type Simulator, seeded, startTestSimulator } from '../../harness/simulator.js'
import { simClient } from '../../harness/zstack-client.js'

let sim: Simulator
let client: ZStackClient
let S: ReturnType<typeof seeded>

beforeAll(async () => {
  sim = await startTestSimulator()
  client = simClient(sim).client
  S = seeded(sim)
})
afterAll(() => sim.close())

const vb = (uuid: string) => sim.state.volumeBackups.get(uuid)
const refsOf = (b: { backupStorageRefs: { backupStorageUuid: string }[] } | undefined) =>
  (b?.backupStorageRefs ?? []).map((r) => r.backupStorageUuid).sort()

/** The sent request (method + path) of the last call, to check the wire format. */
const lastSent = () => sim.requests.filter((r) => !r.path.includes('/api-jobs/')).at(-1)!

describe('the 21 DR APIs through the client', () => {
  it('4.1 CreateVolumeBackup creates a Ready backup on the image store', async () => {
    const vol = sim.state.vmVolumes(S.vmApp.uuid)[0]!
    const r = await callDr(client, 'CreateVolumeBackup', {
      volumeUuid: vol.uuid,
      backupStorageUuid: S.bsLocal.uuid,
      name: 'app-root',
      description: 'd',
      userTags: ['nightly'],
    })
    expect(lastSent()).toMatchObject({
      method: 'POST',
      path: `/zstack/v1/volumes/${vol.uuid}/volume-backups`,
    })
    expect(r.inventory).toMatchObject({
      volumeUuid: vol.uuid,
      name: 'app-root',
      status: 'Ready',
      type: 'Root',
    })
    expect(refsOf(vb(r.inventory.uuid))).toEqual([S.bsLocal.uuid])
    expect(sim.state.tagsOf(r.inventory.uuid).user).toEqual(['nightly'])
  })

  it('4.2 DeleteVolumeBackup with backupStorageUuids removes only those refs, then the backup', async () => {
    const b = S.volumeBackup('vm-db-backup-root')
    const copy = await callDr(client, 'CreateVolumeBackup', {
      volumeUuid: b.volumeUuid,
      backupStorageUuid: S.bsLocal.uuid,
      name: 'to-delete',
    })
    const uuid = copy.inventory.uuid
    await callDr(client, 'SyncBackupFromImageStoreBackupStorage', {
      uuid,
      srcBackupStorageUuid: S.bsLocal.uuid,
      dstBackupStorageUuid: S.bsDr.uuid,
    })
    const reply = await callDr(client, 'DeleteVolumeBackup', {
      uuid,
      backupStorageUuids: [S.bsLocal.uuid],
      deleteMode: 'Permissive',
    })
    expect(reply).toEqual({})
    expect(lastSent().path).toBe(`/zstack/v1/volume-backups/${uuid}`)
    expect(refsOf(vb(uuid))).toEqual([S.bsDr.uuid])
    await callDr(client, 'DeleteVolumeBackup', { uuid, allBackupStorages: true })
    expect(vb(uuid)).toBeUndefined()
    // Deleting what is already gone succeeds, as on the real node.
    await expect(callDr(client, 'DeleteVolumeBackup', { uuid, allBackupStorages: true })).resolves.toEqual({})
  })

  it('4.3 QueryVolumeBackup: q, GET by uuid, and VM backups as groupUuid groups', async () => {
    const r = await callDr(client, 'QueryVolumeBackup', query().where('groupUuid', '=', S.vmDbGroup).build())
    expect(r.inventories).toHaveLength(3)
    expect(new Set(r.inventories.map((b) => b.groupUuid))).toEqual(new Set([S.vmDbGroup]))
    const all = await queryAll(client, 'volumeBackups', query().build(), { pageSize: 2 })
    expect(all).toHaveLength(sim.state.volumeBackups.rows.length)
    expect(new Set(all.map((b) => (b as { uuid: string }).uuid)).size).toBe(all.length)
    // Bounded: stops at maxRows, and the reported total still says how many there are.
    let total = 0
    const capped = await queryAll(client, 'volumeBackups', query().build(), {
      pageSize: 2,
      maxRows: 3,
      onPage: (_done, t) => {
        total = t
      },
    })
    expect(capped).toEqual(all.slice(0, 3))
    expect(total).toBe(all.length)
  })

  for (const [api, mediaType] of [
    ['CreateDataVolumeTemplateFromVolumeBackup', 'DataVolumeTemplate'],
    ['CreateRootVolumeTemplateFromVolumeBackup', 'RootVolumeTemplate'],
  ] as const) {
    it(`${api === 'CreateDataVolumeTemplateFromVolumeBackup' ? '4.4' : '4.5'} ${api} adds an image (${mediaType})`, async () => {
      const b = S.volumeBackup('web-data-daily')
      const before = sim.state.images.rows.length
      const r = await callDr(client, api, {
        backupUuid: b.uuid,
        backupStorageUuid: S.bsLocal.uuid,
        name: `tpl-${mediaType}`,
        platform: 'Linux',
        system: false,
      })
      expect(r.inventory).toMatchObject({
        mediaType,
        name: `tpl-${mediaType}`,
        status: 'Ready',
        platform: 'Linux',
      })
      expect(sim.state.images.rows).toHaveLength(before + 1)
      expect(sim.state.images.get(r.inventory.uuid)!.backupStorageRefs[0]!.backupStorageUuid).toBe(
        S.bsLocal.uuid,
      )
    })
  }

  it('4.6 RevertVolumeFromVolumeBackup needs the VM stopped, then updates the volume', async () => {
    const running = S.volumeBackup('web-data-daily')
    await expect(
      callDr(client, 'RevertVolumeFromVolumeBackup', { uuid: running.uuid }),
    ).rejects.toMatchObject({
      code: 'zstack.server_error',
    })
    const b = S.volumeBackup('vm-db-backup-root')
    const vol = sim.state.volumes.get(b.volumeUuid)!
    const before = vol.lastOpDate
    sim.advanceClock(1000) // record dates are whole seconds, as on the real node
    const reply = await callDr(client, 'RevertVolumeFromVolumeBackup', {
      uuid: b.uuid,
      backupStorageUuid: S.bsLocal.uuid,
    })
    expect(reply).toEqual({})
    expect(vol.lastOpDate).toBeGreaterThan(before)
    expect(vol.actualSize).toBe(b.size)
  })

  it('4.7 RecoverBackupFromImageStoreBackupStorage copies a backup back (adds the dst ref)', async () => {
    const b = S.volumeBackup('web-root-weekly')
    expect(refsOf(b)).toEqual([S.bsDr.uuid])
    const r = await callDr(client, 'RecoverBackupFromImageStoreBackupStorage', {
      uuid: b.uuid,
      srcBackupStorageUuid: S.bsDr.uuid,
      dstBackupStorageUuid: S.bsLocal.uuid,
    })
    expect(lastSent()).toMatchObject({ method: 'PUT', path: `/zstack/v1/volume-backups/${b.uuid}/actions` })
    expect(r.inventory.backupStorageRefs!.map((x) => x.backupStorageUuid).sort()).toEqual(
      [S.bsLocal.uuid, S.bsDr.uuid].sort(),
    )
  })

  it('4.8 SyncBackupFromImageStoreBackupStorage adds a backupStorageRef; a second sync fails', async () => {
    const b = S.volumeBackup('web-data-daily')
    const r = await callDr(client, 'SyncBackupFromImageStoreBackupStorage', {
      uuid: b.uuid,
      srcBackupStorageUuid: S.bsLocal.uuid,
      dstBackupStorageUuid: S.bsDr.uuid,
    })
    expect(r.inventory.backupStorageRefs).toHaveLength(2)
    expect(refsOf(vb(b.uuid))).toEqual([S.bsLocal.uuid, S.bsDr.uuid].sort())
    await expect(
      callDr(client, 'SyncBackupFromImageStoreBackupStorage', {
        uuid: b.uuid,
        srcBackupStorageUuid: S.bsLocal.uuid,
        dstBackupStorageUuid: S.bsDr.uuid,
      }),
    ).rejects.toMatchObject({ code: 'zstack.server_error' })
  })

  it('4.9 CreateVmBackup makes one volume backup per VM volume sharing a groupUuid', async () => {
    const r = await callDr(client, 'CreateVmBackup', {
      rootVolumeUuid: S.vmWeb.rootVolumeUuid,
      backupStorageUuid: S.bsLocal.uuid,
      name: 'web-full',
    })
    expect(lastSent().path).toBe(`/zstack/v1/volumes/${S.vmWeb.rootVolumeUuid}/vm-backups`)
    expect(r.inventories).toHaveLength(sim.state.vmVolumes(S.vmWeb.uuid).length)
    const groups = new Set(r.inventories.map((b) => b.groupUuid))
    expect(groups.size).toBe(1)
    expect([...groups][0]).toMatch(/^[0-9a-f]{32}$/)
  })

  it('4.10 DeleteVmBackup removes the given refs of every backup of the group', async () => {
    const r = await callDr(client, 'CreateVmBackup', {
      rootVolumeUuid: S.vmApp.rootVolumeUuid,
      backupStorageUuid: S.bsLocal.uuid,
      name: 'app-full',
    })
    const group = r.inventories[0]!.groupUuid!
    await callDr(client, 'SyncVmBackupFromImageStoreBackupStorage', {
      groupUuid: group,
      srcBackupStorageUuid: S.bsLocal.uuid,
      dstBackupStorageUuid: S.bsDr.uuid,
    })
    await callDr(client, 'DeleteVmBackup', { groupUuid: group, backupStorageUuids: [S.bsDr.uuid] })
    expect(lastSent().path).toBe(`/zstack/v1/vm-backups/${group}`)
    for (const b of sim.state.volumeBackups.where('groupUuid', group))
      expect(refsOf(b)).toEqual([S.bsLocal.uuid])
    await callDr(client, 'DeleteVmBackup', {
      groupUuid: group,
      allBackupStorages: true,
      deleteMode: 'Enforcing',
    })
    expect(sim.state.volumeBackups.where('groupUuid', group)).toHaveLength(0)
  })

  it('4.11 RevertVmFromVmBackup reverts every volume of a stopped VM', async () => {
    const vols = sim.state.vmVolumes(S.vmDb.uuid)
    const before = vols.map((v) => v.lastOpDate)
    sim.advanceClock(1000) // record dates are whole seconds, as on the real node
    expect(
      await callDr(client, 'RevertVmFromVmBackup', {
        groupUuid: S.vmDbGroup,
        backupStorageUuid: S.bsLocal.uuid,
      }),
    ).toEqual({})
    for (const [i, v] of vols.entries()) expect(v.lastOpDate).toBeGreaterThan(before[i]!)
  })

  it('4.12 RecoverVmBackupFromImageStoreBackupStorage and 4.13 SyncVmBackup… add refs to the whole group', async () => {
    const synced = await callDr(client, 'SyncVmBackupFromImageStoreBackupStorage', {
      groupUuid: S.vmDbGroup,
      srcBackupStorageUuid: S.bsDr.uuid,
      dstBackupStorageUuid: S.bsOffsite.uuid,
    })
    expect(synced.inventories).toHaveLength(3)
    for (const b of synced.inventories)
      expect(b.backupStorageRefs!.some((r) => r.backupStorageUuid === S.bsOffsite.uuid)).toBe(true)
    await callDr(client, 'DeleteVmBackup', { groupUuid: S.vmDbGroup, backupStorageUuids: [S.bsLocal.uuid] })
    const recovered = await callDr(client, 'RecoverVmBackupFromImageStoreBackupStorage', {
      groupUuid: S.vmDbGroup,
      srcBackupStorageUuid: S.bsDr.uuid,
      dstBackupStorageUuid: S.bsLocal.uuid,
    })
    expect(recovered.inventories).toHaveLength(3)
    for (const b of sim.state.volumeBackups.where('groupUuid', S.vmDbGroup))
      expect(refsOf(b)).toContain(S.bsLocal.uuid)
  })

  it('4.14 CreateDatabaseBackup, 4.16 QueryDatabaseBackup, 4.21 Sync, 4.15 Delete', async () => {
    const created = await callDr(client, 'CreateDatabaseBackup', {
      name: 'mn-db',
      backupStorageUuid: S.bsLocal.uuid,
    })
    expect(created.inventory).toMatchObject({ name: 'mn-db', status: 'Ready' })
    expect(JSON.parse(created.inventory.metadata!)).toEqual({ version: '3.0.0' })
    const uuid = created.inventory.uuid
    const q = await callDr(client, 'QueryDatabaseBackup', query().where('uuid', '=', uuid).build())
    expect(q.inventories.map((b) => b.name)).toEqual(['mn-db'])
    const synced = await callDr(client, 'SyncDatabaseBackupFromImageStoreBackupStorage', {
      uuid,
      srcBackupStorageUuid: S.bsLocal.uuid,
      dstBackupStorageUuid: S.bsDr.uuid,
    })
    expect(synced.inventory.backupStorageRefs).toHaveLength(2)
    await callDr(client, 'DeleteDatabaseBackup', { uuid, backupStorageUuids: [S.bsLocal.uuid] })
    expect(refsOf(sim.state.databaseBackups.get(uuid))).toEqual([S.bsDr.uuid])
    await callDr(client, 'DeleteDatabaseBackup', { uuid, allBackupStorages: true })
    expect(sim.state.databaseBackups.get(uuid)).toBeUndefined()
  })

  it('4.17 RecoverDatabaseFromBackup answers logListenPort whose SSE stream carries the restore log', async () => {
    const b = S.databaseBackup('db-backup-nightly-1')
    const r = await callDr(client, 'RecoverDatabaseFromBackup', {
      backupStorageUrl: `ssh://root:s3cret@${S.bsLocal.hostname}:22/zstack_bs`,
      backupInstallPath: b.backupStorageRefs[0]!.installPath,
      mysqlRootPassword: 'rootpw',
    })
    expect(lastSent()).toMatchObject({ method: 'PUT', path: '/zstack/v1/database-backups/actions' })
    expect(Number.isInteger(r.logListenPort)).toBe(true)
    const lines: string[] = []
    // The log never ends by itself (tail -f): read up to the restore's last line.
    for await (const line of readLogStream(client.endpoint, r.logListenPort)) {
      lines.push(line)
      if (line === 'Recover data successfully') break
    }
    expect(lines[0]).toMatch(/Checking the backup file/)
    expect(lines.at(-1)).toBe('Recover data successfully')
    expect(sim.state.databaseRecoveries.at(-1)).toMatchObject({
      installPath: b.backupStorageRefs[0]!.installPath,
    })
    const byUuid = await callDr(client, 'RecoverDatabaseFromBackup', {
      uuid: b.uuid,
      mysqlRootPassword: 'rootpw',
    })
    expect(byUuid.logListenPort).toBeGreaterThan(0)
    expect(sim.state.databaseRecoveries.at(-1)!.backupUuid).toBe(b.uuid)
  })

  it('4.18 Export, 4.19 GetDatabaseBackupFromImageStore, 4.20 DeleteExported', async () => {
    const b = S.databaseBackup('db-backup-nightly-2')
    const exported = await callDr(client, 'ExportDatabaseBackupFromBackupStorage', {
      databaseBackupUuid: b.uuid,
      backupStorageUuid: S.bsLocal.uuid,
    })
    expect(lastSent().path).toBe(
      `/zstack/v1/database-backups/${b.uuid}/backup-storage/${S.bsLocal.uuid}/actions`,
    )
    expect(exported.databaseBackupUrl).toMatch(/^http:\/\/10\.0\.0\.11:8001\/.+\.gz$/)
    expect(b.backupStorageRefs[0]!.exportUrl).toBe(exported.databaseBackupUrl)

    const listed = await callDr(client, 'GetDatabaseBackupFromImageStore', {
      url: `ssh://root:s3cret@${S.bsLocal.hostname}:22/zstack_bs`,
      registryPort: 8000,
    })
    expect(listed.backups.length).toBeGreaterThan(0)
    for (const x of listed.backups) {
      expect(Object.keys(x).sort()).toEqual(['createdTime', 'installPath', 'name', 'version'])
      expect(x.installPath).toMatch(/^zstore:\/\/zsbak\//)
    }

    // An unreachable image store: the error keeps the cause chain and never shows the ssh password.
    const unreachable = await callDr(client, 'GetDatabaseBackupFromImageStore', {
      url: 'ssh://root:p%40ss w0rd@10.9.9.9:22/zstack_bs',
    }).catch((e: unknown) => e as AppError)
    expect(unreachable).toBeInstanceOf(AppError)
    expect((unreachable as AppError).details).toMatchObject({ causes: ['SYS.1000'] })
    const shown = JSON.stringify((unreachable as AppError).toEnvelope())
    expect(shown).not.toMatch(/p%40ss|p@ss|p%2540ss|w0rd/)

    await callDr(client, 'DeleteExportedDatabaseBackupFromBackupStorage', {
      databaseBackupUuid: b.uuid,
      backupStorageUuid: S.bsLocal.uuid,
    })
    expect(lastSent()).toMatchObject({
      method: 'DELETE',
      path: `/zstack/v1/exported-database-backup/${b.uuid}/backup-storage/${S.bsLocal.uuid}`,
    })
    expect(b.backupStorageRefs[0]!.exportUrl).toBeNull()
  })

  it('reads: image-store backup storages, volumes, VM instances, images', async () => {
    const bs = await queryAll<{ name: string }>(client, 'imageStoreBackupStorages', query().build())
    expect(bs.map((b) => b.name).sort()).toEqual(['bs-broken', 'bs-dr', 'bs-local', 'bs-offsite'])
    const vms = await queryAll<{ name: string; allVolumes: unknown[] }>(
      client,
      'vmInstances',
      query().build(),
    )
    expect(vms.find((v) => v.name === 'vm-db')!.allVolumes).toHaveLength(3)
    expect((await queryAll(client, 'volumes', query().where('type', '=', 'Root').build())).length).toBe(3)
    expect((await queryAll(client, 'images', query().build())).length).toBeGreaterThanOrEqual(2)
  })
})
