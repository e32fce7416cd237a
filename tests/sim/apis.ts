import { readSearchParams } from '../../src-shared/query/index.js'
import { argError, notFound, SimApiError, SimHttpError } from './errors.js'
import { gsonDate } from './gson.js'
import { newUuid } from './ids.js'
import { restoreLogLines } from './log-streams.js'
import type { QueryView } from './query-engine.js'
import { type ApiContext, compile, type RecordContext, type Route } from './route.js'
import { schedulerRoutes, schedulerViews } from './scheduler.js'
import { addDatabaseBackup, imageRef } from './seed.js'
import type {
  DatabaseBackup,
  Image,
  ImageStoreBackupStorage,
  SimState,
  Volume,
  VolumeBackup,
} from './state.js'
import { toInventory } from './state.js'
import { queryViews } from './views.js'

/**
 * Every REST API the simulator serves besides login/logout/session checks and job polling:
 * the reads the product uses and the 21 Disaster Recovery APIs of the digest, with the state
 * changes the real service makes.
 */
export function buildRoutes(state: SimState) {
  const views = queryViews(state)
  const scheduler = schedulerViews(state.scheduler)
  const routes: Route[] = [
    ...queryRoutes('/v1/zones', 'QueryZone', views.zones),
    ...queryRoutes('/v1/backup-storage/image-store', 'QueryImageStoreBackupStorage', views.backupStorages),
    ...queryRoutes('/v1/volumes', 'QueryVolume', views.volumes),
    ...queryRoutes('/v1/vm-instances', 'QueryVmInstance', views.vms),
    ...queryRoutes('/v1/images', 'QueryImage', views.images),
    ...queryRoutes('/v1/volume-backups', 'QueryVolumeBackup', views.volumeBackups),
    // Before the /{uuid} query route: the same prefix with a literal segment.
    {
      api: 'GetDatabaseBackupFromImageStore',
      method: 'GET',
      pattern: '/v1/database-backups/image-store',
      run: getDatabaseBackupFromImageStore,
    },
    ...queryRoutes('/v1/database-backups', 'QueryDatabaseBackup', views.databaseBackups),
    ...drRoutes(),
    ...queryRoutes('/v1/scheduler/jobs', 'QuerySchedulerJob', scheduler.jobs),
    ...queryRoutes('/v1/scheduler/triggers', 'QuerySchedulerTrigger', scheduler.triggers),
    ...schedulerRoutes(),
  ]
  return routes.map(compile)
}

function queryRoutes<T extends { uuid: string }>(base: string, api: string, view: QueryView<T>): Route[] {
  const run = (ctx: ApiContext, uuid?: string) => {
    const options = readSearchParams(ctx.query)
    if (uuid !== undefined) options.conditions.unshift({ field: 'uuid', op: '=', value: uuid })
    // RestServer.writeResponse sets `schema` on every query reply (JsonSchemaBuilder); its
    // content here (the inventory class by JSON path) is a guess: clients must ignore it.
    return {
      ...ctx.queries.run(base, view, options),
      schema: { inventories: `org.zstack.sdk.${api.slice(5)}Inventory` },
    }
  }
  return [
    { api, method: 'GET', pattern: base, run: (ctx) => run(ctx) },
    { api, method: 'GET', pattern: `${base}/{uuid}`, run: (ctx) => run(ctx, ctx.path.uuid!) },
  ]
}

function drRoutes(): Route[] {
  return [
    {
      api: 'CreateVolumeBackup',
      method: 'POST',
      pattern: '/v1/volumes/{volumeUuid}/volume-backups',
      bodyKey: 'params',
      run: createVolumeBackup,
    },
    {
      api: 'DeleteVolumeBackup',
      method: 'DELETE',
      pattern: '/v1/volume-backups/{uuid}',
      run: deleteVolumeBackup,
    },
    {
      api: 'CreateDataVolumeTemplateFromVolumeBackup',
      method: 'POST',
      pattern: '/v1/images/data-volume-templates/from/volume-template/{backupUuid}',
      bodyKey: 'params',
      run: (ctx) => createTemplate(ctx, 'DataVolumeTemplate'),
    },
    {
      api: 'CreateRootVolumeTemplateFromVolumeBackup',
      method: 'POST',
      pattern: '/v1/images/root-volume-templates/from/volume-template/{backupUuid}',
      bodyKey: 'params',
      run: (ctx) => createTemplate(ctx, 'RootVolumeTemplate'),
    },
    {
      api: 'RevertVolumeFromVolumeBackup',
      method: 'PUT',
      pattern: '/v1/volume-backups/{uuid}/actions',
      bodyKey: 'revertVolumeFromVolumeBackup',
      run: revertVolume,
    },
    {
      api: 'RecoverBackupFromImageStoreBackupStorage',
      method: 'PUT',
      pattern: '/v1/volume-backups/{uuid}/actions',
      bodyKey: 'recoverBackupFromImageStoreBackupStorage',
      run: copyVolumeBackup,
    },
    {
      api: 'SyncBackupFromImageStoreBackupStorage',
      method: 'PUT',
      pattern: '/v1/volume-backups/{uuid}/actions',
      bodyKey: 'syncBackupFromImageStoreBackupStorage',
      run: copyVolumeBackup,
    },
    {
      api: 'CreateVmBackup',
      method: 'POST',
      pattern: '/v1/volumes/{rootVolumeUuid}/vm-backups',
      bodyKey: 'params',
      run: createVmBackup,
    },
    { api: 'DeleteVmBackup', method: 'DELETE', pattern: '/v1/vm-backups/{groupUuid}', run: deleteVmBackup },
    {
      api: 'RevertVmFromVmBackup',
      method: 'PUT',
      pattern: '/v1/vm-backups/{groupUuid}/actions',
      bodyKey: 'revertVmFromVmBackup',
      run: revertVm,
    },
    {
      api: 'RecoverVmBackupFromImageStoreBackupStorage',
      method: 'PUT',
      pattern: '/v1/vm-backups/{groupUuid}/actions',
      bodyKey: 'recoverVmBackupFromImageStoreBackupStorage',
      run: copyVmBackup,
    },
    {
      api: 'SyncVmBackupFromImageStoreBackupStorage',
      method: 'PUT',
      pattern: '/v1/vm-backups/{groupUuid}/actions',
      bodyKey: 'syncVmBackupFromImageStoreBackupStorage',
      run: copyVmBackup,
    },
    {
      api: 'CreateDatabaseBackup',
      method: 'POST',
      pattern: '/v1/database-backups',
      bodyKey: 'params',
      run: createDatabaseBackup,
    },
    {
      api: 'DeleteDatabaseBackup',
      method: 'DELETE',
      pattern: '/v1/database-backups/{uuid}',
      run: deleteDatabaseBackup,
    },
    {
      api: 'RecoverDatabaseFromBackup',
      method: 'PUT',
      pattern: '/v1/database-backups/actions',
      bodyKey: 'recoverDatabaseFromBackup',
      run: recoverDatabase,
    },
    {
      api: 'ExportDatabaseBackupFromBackupStorage',
      method: 'PUT',
      pattern: '/v1/database-backups/{databaseBackupUuid}/backup-storage/{backupStorageUuid}/actions',
      bodyKey: 'exportDatabaseBackupFromBackupStorage',
      run: exportDatabaseBackup,
    },
    {
      api: 'DeleteExportedDatabaseBackupFromBackupStorage',
      method: 'DELETE',
      pattern: '/v1/exported-database-backup/{databaseBackupUuid}/backup-storage/{backupStorageUuid}',
      run: deleteExportedDatabaseBackup,
    },
    {
      api: 'SyncDatabaseBackupFromImageStoreBackupStorage',
      method: 'PUT',
      pattern: '/v1/database-backups/{uuid}/actions',
      bodyKey: 'syncDatabaseBackupFromImageStoreBackupStorage',
      run: syncDatabaseBackup,
    },
  ]
}

// ---- parameters ---------------------------------------------------------------------------

/** A body field of the wrong JSON type is a Gson binding failure: plain-text 400. */
export function optString(ctx: ApiContext, key: string): string | undefined {
  const v = ctx.args[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw new SimHttpError(400, `Invalid value for field[${key}]: expected a string`)
  return v
}

/** A missing mandatory field is the API validator's argument error (503 SYS.1007). */
export function reqString(ctx: ApiContext, key: string): string {
  const v = optString(ctx, key)
  if (v === undefined || v === '') throw argError(`field[${key}] is mandatory, can not be null`)
  return v
}

function optBoolean(ctx: ApiContext, key: string): boolean | undefined {
  const v = ctx.args[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'boolean')
    throw new SimHttpError(400, `Invalid value for field[${key}]: expected a boolean`)
  return v
}

export function optEnum<T extends string>(
  ctx: ApiContext,
  key: string,
  values: readonly T[],
  fromQuery = false,
) {
  const v = fromQuery ? (ctx.query.get(key) ?? undefined) : optString(ctx, key)
  if (v === undefined) return undefined
  if (!values.includes(v as T))
    throw argError(`field[${key}] must be one of ${values.join(',')}, but got ${v}`)
  return v as T
}

/** Lists in the query string: repeated parameters, or comma-separated as Spring also binds them. */
function queryList(ctx: ApiContext, key: string): string[] | undefined {
  const all = ctx.query
    .getAll(key)
    .flatMap((v) => v.split(','))
    .filter((v) => v !== '')
  return all.length > 0 ? all : undefined
}

export function resourceUuid(ctx: ApiContext, taken: (uuid: string) => boolean): string {
  const wanted = optString(ctx, 'resourceUuid')
  if (wanted === undefined) return newUuid()
  if (!/^[0-9a-f]{32}$/.test(wanted)) throw argError(`resourceUuid[${wanted}] is not a valid uuid`)
  if (taken(wanted)) throw argError(`resource[uuid:${wanted}] already exists`)
  return wanted
}

// ---- lookups ------------------------------------------------------------------------------

function backupStorage(state: SimState, uuid: string): ImageStoreBackupStorage {
  const bs = state.backupStorages.get(uuid)
  if (!bs) throw notFound('BackupStorageVO', uuid)
  return bs
}

/** A disconnected image store fails the operation, with the agent's error as the cause. */
export function usable(state: SimState, uuid: string, operation: string): ImageStoreBackupStorage {
  const bs = backupStorage(state, uuid)
  if (bs.status !== 'Connected') {
    throw new SimApiError({
      code: 'SYS.1006',
      details: `failed to ${operation} on image store backup storage[uuid:${uuid}]`,
      cause: {
        code: 'SYS.1006',
        details: `backup storage[uuid:${uuid}, name:${bs.name}] is not Connected, current status is ${bs.status}`,
        cause: {
          code: 'SYS.1000',
          details: `unable to connect to http://${bs.hostname}:8000: Connection refused`,
        },
      },
    })
  }
  return bs
}

function volumeBackup(state: SimState, uuid: string): VolumeBackup {
  const b = state.volumeBackups.get(uuid)
  if (!b) throw notFound('VolumeBackupVO', uuid)
  return b
}

function group(state: SimState, groupUuid: string): VolumeBackup[] {
  const members = state.volumeBackups.where('groupUuid', groupUuid)
  if (members.length === 0) throw argError(`no volume backup with groupUuid[${groupUuid}]`)
  return [...members]
}

function databaseBackup(state: SimState, uuid: string): DatabaseBackup {
  const b = state.databaseBackups.get(uuid)
  if (!b) throw notFound('DatabaseBackupVO', uuid)
  return b
}

export function volume(state: SimState, uuid: string): Volume {
  const v = state.volumes.get(uuid)
  if (!v) throw notFound('VolumeVO', uuid)
  return v
}

/** Reverting a volume needs its VM stopped, as on the real node. */
function requireStoppedVm(state: SimState, v: Volume): void {
  if (!v.vmInstanceUuid) return
  const vm = state.vms.get(v.vmInstanceUuid)
  if (vm && vm.state !== 'Stopped') {
    throw new SimApiError({
      code: 'SYS.1006',
      details: `the vm[uuid:${vm.uuid}] of volume[uuid:${v.uuid}] is ${vm.state}; stop it before reverting`,
    })
  }
}

// ---- volume backups -----------------------------------------------------------------------

async function createVolumeBackup(ctx: ApiContext) {
  const v = volume(ctx.state, ctx.path.volumeUuid!)
  const name = reqString(ctx, 'name')
  const bs = usable(ctx.state, reqString(ctx, 'backupStorageUuid'), 'create volume backup')
  const uuid = resourceUuid(ctx, (u) => ctx.state.volumeBackups.get(u) !== undefined)
  const b = startVolumeBackup(ctx, v, uuid, name, optString(ctx, 'description') ?? null, null, bs.uuid)
  await ctx.work()
  finishVolumeBackup(ctx, b)
  return { inventory: toInventory(b) }
}

export function startVolumeBackup(
  ctx: RecordContext,
  v: Volume,
  uuid: string,
  name: string,
  description: string | null,
  groupUuid: string | null,
  bsUuid: string,
): VolumeBackup {
  const now = ctx.now()
  const b = ctx.state.volumeBackups.add({
    uuid,
    volumeUuid: v.uuid,
    name,
    description,
    type: v.type,
    state: 'Enabled',
    status: 'Creating',
    size: v.actualSize,
    metadata: JSON.stringify({ volumeName: v.name, vmInstanceUuid: v.vmInstanceUuid, format: v.format }),
    groupUuid,
    createDate: now,
    lastOpDate: now,
    backupStorageRefs: [
      {
        volumeBackupUuid: uuid,
        backupStorageUuid: bsUuid,
        installPath: `zstore://volumebackup/${uuid}`,
        status: 'Creating',
        createDate: now,
        lastOpDate: now,
      },
    ],
  })
  ctx.state.addTags(uuid, ctx.systemTags, ctx.userTags)
  return b
}

export function finishVolumeBackup(ctx: RecordContext, b: VolumeBackup): void {
  const now = ctx.now()
  b.status = 'Ready'
  b.lastOpDate = now
  for (const r of b.backupStorageRefs) {
    r.status = 'Ready'
    r.lastOpDate = now
  }
  ctx.state.bump()
}

async function deleteVolumeBackup(ctx: ApiContext) {
  // A delete of something already gone succeeds: ZStack skips the existence check for deletes.
  const b = ctx.state.volumeBackups.get(ctx.path.uuid!)
  const mode = optEnum(ctx, 'deleteMode', ['Permissive', 'Enforcing'] as const, true) ?? 'Permissive'
  const only = queryList(ctx, 'backupStorageUuids')
  if (b) removeVolumeBackupRefs(ctx, b, only, mode)
  await ctx.work()
  return undefined
}

function removeVolumeBackupRefs(
  ctx: ApiContext,
  b: VolumeBackup,
  only: string[] | undefined,
  mode: 'Permissive' | 'Enforcing',
): void {
  const doomed = b.backupStorageRefs.filter((r) => !only || only.includes(r.backupStorageUuid))
  if (mode === 'Permissive')
    for (const r of doomed) usable(ctx.state, r.backupStorageUuid, 'delete volume backup')
  b.backupStorageRefs = b.backupStorageRefs.filter((r) => !doomed.includes(r))
  if (b.backupStorageRefs.length === 0) ctx.state.volumeBackups.remove(b.uuid)
  else {
    b.lastOpDate = ctx.now()
    ctx.state.bump()
  }
}

async function createTemplate(ctx: ApiContext, mediaType: Image['mediaType']) {
  const b = volumeBackup(ctx.state, ctx.path.backupUuid!)
  const name = reqString(ctx, 'name')
  const bs = usable(ctx.state, reqString(ctx, 'backupStorageUuid'), 'create image from volume backup')
  if (!b.backupStorageRefs.some((r) => r.backupStorageUuid === bs.uuid)) {
    throw argError(`volume backup[uuid:${b.uuid}] is not on backup storage[uuid:${bs.uuid}]`)
  }
  const platform =
    optEnum(ctx, 'platform', ['Linux', 'Windows', 'Other', 'Paravirtualization', 'WindowsVirtio'] as const) ??
    'Linux'
  const uuid = resourceUuid(ctx, (u) => ctx.state.images.get(u) !== undefined)
  const now = ctx.now()
  const image = ctx.state.images.add({
    uuid,
    name,
    description: optString(ctx, 'description') ?? null,
    exportUrl: null,
    exportMd5Sum: null,
    state: 'Enabled',
    status: 'Creating',
    size: ctx.state.volumes.get(b.volumeUuid)?.size ?? b.size,
    actualSize: b.size,
    md5Sum: null,
    url: `volume-backup://${b.uuid}`,
    mediaType,
    guestOsType: optString(ctx, 'guestOsType') ?? null,
    type: 'zstack',
    platform,
    format: 'qcow2',
    system: optBoolean(ctx, 'system') ?? false,
    createDate: now,
    lastOpDate: now,
    backupStorageRefs: [{ ...imageRef(uuid, bs.uuid, now), status: 'Downloading' }],
  })
  ctx.state.addTags(uuid, ctx.systemTags, ctx.userTags)
  await ctx.work()
  image.status = 'Ready'
  image.lastOpDate = ctx.now()
  for (const r of image.backupStorageRefs) r.status = 'Ready'
  ctx.state.bump()
  return { inventory: toInventory(image) }
}

async function revertVolume(ctx: ApiContext) {
  const b = volumeBackup(ctx.state, ctx.path.uuid!)
  const from = pickRef(ctx, b)
  usable(ctx.state, from, 'revert volume from volume backup')
  const v = volume(ctx.state, b.volumeUuid)
  requireStoppedVm(ctx.state, v)
  await ctx.work()
  revertFrom(ctx, v, b)
  return undefined
}

/** `backupStorageUuid` is optional: without it the node uses the first image store holding the backup. */
function pickRef(ctx: ApiContext, b: VolumeBackup): string {
  const wanted = optString(ctx, 'backupStorageUuid')
  if (wanted === undefined) return b.backupStorageRefs[0]!.backupStorageUuid
  backupStorage(ctx.state, wanted)
  if (!b.backupStorageRefs.some((r) => r.backupStorageUuid === wanted)) {
    throw argError(`volume backup[uuid:${b.uuid}] is not on backup storage[uuid:${wanted}]`)
  }
  return wanted
}

function revertFrom(ctx: ApiContext, v: Volume, b: VolumeBackup): void {
  v.actualSize = b.size
  v.lastOpDate = ctx.now()
  ctx.state.bump()
}

async function copyVolumeBackup(ctx: ApiContext) {
  const b = volumeBackup(ctx.state, ctx.path.uuid!)
  const { src, dst } = srcDst(ctx)
  checkCopy(b, src, dst)
  await ctx.work()
  addRef(ctx, b, dst)
  return { inventory: toInventory(b) }
}

function srcDst(ctx: ApiContext) {
  const src = reqString(ctx, 'srcBackupStorageUuid')
  const dst = reqString(ctx, 'dstBackupStorageUuid')
  if (src === dst) throw argError('srcBackupStorageUuid and dstBackupStorageUuid must differ')
  usable(ctx.state, src, 'read backup')
  usable(ctx.state, dst, 'write backup')
  return { src, dst }
}

function checkCopy(b: VolumeBackup | DatabaseBackup, src: string, dst: string): void {
  const refs = b.backupStorageRefs as { backupStorageUuid: string }[]
  if (!refs.some((r) => r.backupStorageUuid === src)) {
    throw argError(`backup[uuid:${b.uuid}] is not on backup storage[uuid:${src}]`)
  }
  if (refs.some((r) => r.backupStorageUuid === dst)) {
    throw new SimApiError({
      code: 'SYS.1006',
      details: `backup[uuid:${b.uuid}] already exists on backup storage[uuid:${dst}]`,
    })
  }
}

function addRef(ctx: ApiContext, b: VolumeBackup, dst: string): void {
  const now = ctx.now()
  const template = b.backupStorageRefs[0]!
  b.backupStorageRefs.push({
    ...template,
    backupStorageUuid: dst,
    status: 'Ready',
    createDate: now,
    lastOpDate: now,
  })
  b.lastOpDate = now
  ctx.state.bump()
}

// ---- VM backups (groups of volume backups) ------------------------------------------------

async function createVmBackup(ctx: ApiContext) {
  const root = volume(ctx.state, ctx.path.rootVolumeUuid!)
  if (root.type !== 'Root' || !root.vmInstanceUuid) {
    throw argError(`volume[uuid:${root.uuid}] is not the root volume of a VM`)
  }
  const name = reqString(ctx, 'name')
  const bs = usable(ctx.state, reqString(ctx, 'backupStorageUuid'), 'create VM backup')
  const groupUuid = resourceUuid(ctx, (u) => ctx.state.volumeBackups.where('groupUuid', u).length > 0)
  const description = optString(ctx, 'description') ?? null
  const backups = ctx.state
    .vmVolumes(root.vmInstanceUuid)
    .map((v) => startVolumeBackup(ctx, v, newUuid(), name, description, groupUuid, bs.uuid))
  await ctx.work()
  for (const b of backups) finishVolumeBackup(ctx, b)
  return { inventories: backups.map(toInventory) }
}

async function deleteVmBackup(ctx: ApiContext) {
  const members = ctx.state.volumeBackups.where('groupUuid', ctx.path.groupUuid!)
  const mode = optEnum(ctx, 'deleteMode', ['Permissive', 'Enforcing'] as const, true) ?? 'Permissive'
  const only = queryList(ctx, 'backupStorageUuids')
  for (const b of [...members]) removeVolumeBackupRefs(ctx, b, only, mode)
  await ctx.work()
  return undefined
}

async function revertVm(ctx: ApiContext) {
  const members = group(ctx.state, ctx.path.groupUuid!)
  const pairs = members.map((b) => {
    usable(ctx.state, pickRef(ctx, b), 'revert VM from VM backup')
    const v = volume(ctx.state, b.volumeUuid)
    requireStoppedVm(ctx.state, v)
    return { v, b }
  })
  await ctx.work()
  for (const { v, b } of pairs) revertFrom(ctx, v, b)
  return undefined
}

async function copyVmBackup(ctx: ApiContext) {
  const members = group(ctx.state, ctx.path.groupUuid!)
  const { src, dst } = srcDst(ctx)
  for (const b of members) checkCopy(b, src, dst)
  await ctx.work()
  for (const b of members) addRef(ctx, b, dst)
  return { inventories: members.map(toInventory) }
}

// ---- database backups ---------------------------------------------------------------------

async function createDatabaseBackup(ctx: ApiContext) {
  const name = reqString(ctx, 'name')
  const bs = usable(ctx.state, reqString(ctx, 'backupStorageUuid'), 'create database backup')
  const uuid = resourceUuid(ctx, (u) => ctx.state.databaseBackups.get(u) !== undefined)
  const b = addDatabaseBackup(ctx.state, { uuid: () => uuid }, name, [bs.uuid], ctx.now())
  b.description = optString(ctx, 'description') ?? null
  b.status = 'Creating'
  for (const r of b.backupStorageRefs) r.status = 'Creating'
  ctx.state.addTags(uuid, ctx.systemTags, ctx.userTags)
  await ctx.work()
  b.status = 'Ready'
  b.lastOpDate = ctx.now()
  for (const r of b.backupStorageRefs) {
    r.status = 'Ready'
    r.lastOpDate = b.lastOpDate
  }
  ctx.state.bump()
  return { inventory: toInventory(b) }
}

async function deleteDatabaseBackup(ctx: ApiContext) {
  const b = ctx.state.databaseBackups.get(ctx.path.uuid!)
  const only = queryList(ctx, 'backupStorageUuids')
  if (b) {
    const doomed = b.backupStorageRefs.filter((r) => !only || only.includes(r.backupStorageUuid))
    for (const r of doomed) usable(ctx.state, r.backupStorageUuid, 'delete database backup')
    b.backupStorageRefs = b.backupStorageRefs.filter((r) => !doomed.includes(r))
    if (b.backupStorageRefs.length === 0) ctx.state.databaseBackups.remove(b.uuid)
    else b.lastOpDate = ctx.now()
    ctx.state.bump()
  }
  await ctx.work()
  return undefined
}

const SSH_URL = /^ssh:\/\/([^:@/]+)(?::([^@/]*))?@([^:/]+)(?::(\d+))?(\/.*)?$/
const ZSBAK = /^zstore:\/\/zsbak\/([0-9a-zA-Z]+)$/

async function recoverDatabase(ctx: ApiContext) {
  reqString(ctx, 'mysqlRootPassword')
  const uuid = optString(ctx, 'uuid') ?? ctx.query.get('uuid') ?? undefined
  let installPath: string
  let backupUuid: string | null = null
  if (uuid !== undefined) {
    const b = databaseBackup(ctx.state, uuid)
    const ref = b.backupStorageRefs[0]
    if (!ref) throw argError(`database backup[uuid:${uuid}] is on no backup storage`)
    usable(ctx.state, ref.backupStorageUuid, 'recover database')
    installPath = ref.installPath
    backupUuid = b.uuid
  } else {
    const url = reqString(ctx, 'backupStorageUrl')
    installPath = reqString(ctx, 'backupInstallPath')
    if (!SSH_URL.test(url))
      throw argError(`backupStorageUrl[${redactUrl(url)}] is not ssh://user:password@host:port/path`)
    if (!ZSBAK.test(installPath))
      throw argError(`backupInstallPath[${installPath}] is not zstore://zsbak/<id>`)
  }
  ctx.state.databaseRecoveries.push({ backupUuid, installPath, startedAt: ctx.now() })
  const port = await ctx.logStreams.start(restoreLogLines('/var/lib/zstack/tmp/zsdb'))
  await ctx.work()
  return { logListenPort: port }
}

function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:@/]+:)[^@]*@/, '$1*****@')
}

async function exportDatabaseBackup(ctx: ApiContext) {
  const b = databaseBackup(ctx.state, ctx.path.databaseBackupUuid!)
  const bs = usable(ctx.state, ctx.path.backupStorageUuid!, 'export database backup')
  const ref = b.backupStorageRefs.find((r) => r.backupStorageUuid === bs.uuid)
  if (!ref) throw argError(`database backup[uuid:${b.uuid}] is not on backup storage[uuid:${bs.uuid}]`)
  await ctx.work()
  ref.exportUrl = `http://${bs.hostname}:8001/export/zstack-db-backup-${b.uuid}.gz`
  ref.lastOpDate = ctx.now()
  ctx.state.bump()
  return { databaseBackupUrl: ref.exportUrl }
}

async function deleteExportedDatabaseBackup(ctx: ApiContext) {
  const b = databaseBackup(ctx.state, ctx.path.databaseBackupUuid!)
  const bs = usable(ctx.state, ctx.path.backupStorageUuid!, 'delete exported database backup')
  const ref = b.backupStorageRefs.find((r) => r.backupStorageUuid === bs.uuid)
  await ctx.work()
  if (ref) {
    ref.exportUrl = null
    ref.lastOpDate = ctx.now()
    ctx.state.bump()
  }
  return undefined
}

async function syncDatabaseBackup(ctx: ApiContext) {
  const b = databaseBackup(ctx.state, ctx.path.uuid!)
  const { src, dst } = srcDst(ctx)
  checkCopy(b, src, dst)
  await ctx.work()
  const now = ctx.now()
  b.backupStorageRefs.push({
    ...b.backupStorageRefs[0]!,
    backupStorageUuid: dst,
    exportUrl: null,
    status: 'Ready',
    createDate: now,
    lastOpDate: now,
  })
  b.lastOpDate = now
  ctx.state.bump()
  return { inventory: toInventory(b) }
}

/**
 * Lists the database backups (`zsbak` images) on the image store at `url`, as zstack-ctl reads
 * them with `zstcli images -name zsbak`. Only image stores the simulator knows are reachable.
 */
function getDatabaseBackupFromImageStore(ctx: ApiContext) {
  const port = ctx.query.get('registryPort')
  if (port !== null && !/^\d+(\.0+)?$/.test(port)) {
    throw new SimHttpError(400, `Invalid value for query parameter[registryPort]: ${port}`)
  }
  const url = ctx.query.get('url')
  if (!url) throw argError('field[url] is mandatory, can not be null')
  const m = SSH_URL.exec(url)
  if (!m) throw argError(`url[${redactUrl(url)}] is not ssh://user:password@host:port/path`)
  const host = m[3]!
  const bs = ctx.state.backupStorages.rows.find((b) => b.hostname === host)
  if (bs?.status !== 'Connected') {
    throw new SimApiError({
      code: 'SYS.1006',
      details: `failed to list database backups on image store ${host}:${port ?? '8000'}`,
      cause: { code: 'SYS.1000', details: `dial tcp ${host}:${port ?? '8000'}: connect: connection refused` },
    })
  }
  const backups = ctx.state.databaseBackups.rows.flatMap((b) =>
    b.backupStorageRefs
      .filter((r) => r.backupStorageUuid === bs.uuid && r.status === 'Ready')
      .map((r) => ({
        name: backupFileName(b.createDate),
        version: versionOf(b),
        installPath: r.installPath,
        createdTime: gsonDate(b.createDate),
      })),
  )
  return { backups }
}

/** The file name zstack-ctl dump_mysql gives a backup taken at `ms` (local time). */
function backupFileName(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `zstack-backup-db-${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}.gz`
}

function versionOf(b: DatabaseBackup): string {
  try {
    return (JSON.parse(b.metadata ?? '{}') as { version?: string }).version ?? '3.0.0'
  } catch {
    return '3.0.0'
  }
}
