import type { z } from 'zod'
import type { QueryOptions } from '../../src-shared/query/index.js'
import type { DrCallName } from '../api/contract/choices.js'
import type { drParamSchemas } from '../api/contract/zstack.js'
import { AppError } from '../errors/app-error.js'
import { registerSecret } from '../errors/redact.js'
import type { CallOptions, ZStackClient } from './client.js'
import type {
  DatabaseBackupInventory,
  ImageInventory,
  ImageStoreDatabaseBackup,
  QueryResult,
  SchedulerJobInventory,
  SchedulerJobTriggerRef,
  SchedulerTriggerInventory,
  VolumeBackupInventory,
} from './inventories.js'
import { type QueryResource, runQuery } from './query-client.js'
import { checkSchedulerCall } from './scheduler/rules.js'

/**
 * The 21 Disaster Recovery APIs (spec digest §4) with the real server's paths, methods, body keys
 * and parameter names. Each API is one row of DR_APIS; `callDr` turns a row and typed parameters
 * into the request, so no API is hand-assembled twice.
 */
/**
 * Parameters come from the API contract's schemas (one definition for validation and types);
 * the two Query APIs take QueryOptions.
 */
export type DrParams = { [N in DrCallName]: z.output<ReturnType<typeof drParamSchemas>[N]> } & {
  QueryVolumeBackup: QueryOptions
  QueryDatabaseBackup: QueryOptions
  QuerySchedulerJob: QueryOptions
  QuerySchedulerTrigger: QueryOptions
}

type Empty = Record<string, never>

export interface DrReplies {
  CreateVolumeBackup: { inventory: VolumeBackupInventory }
  DeleteVolumeBackup: Empty
  QueryVolumeBackup: QueryResult<VolumeBackupInventory>
  CreateDataVolumeTemplateFromVolumeBackup: { inventory: ImageInventory }
  CreateRootVolumeTemplateFromVolumeBackup: { inventory: ImageInventory }
  RevertVolumeFromVolumeBackup: Empty
  RecoverBackupFromImageStoreBackupStorage: { inventory: VolumeBackupInventory }
  SyncBackupFromImageStoreBackupStorage: { inventory: VolumeBackupInventory }
  CreateVmBackup: { inventories: VolumeBackupInventory[] }
  DeleteVmBackup: Empty
  RevertVmFromVmBackup: Empty
  RecoverVmBackupFromImageStoreBackupStorage: { inventories: VolumeBackupInventory[] }
  SyncVmBackupFromImageStoreBackupStorage: { inventories: VolumeBackupInventory[] }
  CreateDatabaseBackup: { inventory: DatabaseBackupInventory }
  DeleteDatabaseBackup: Empty
  QueryDatabaseBackup: QueryResult<DatabaseBackupInventory>
  RecoverDatabaseFromBackup: { logListenPort: number }
  ExportDatabaseBackupFromBackupStorage: { databaseBackupUrl: string }
  GetDatabaseBackupFromImageStore: { backups: ImageStoreDatabaseBackup[] }
  DeleteExportedDatabaseBackupFromBackupStorage: Empty
  SyncDatabaseBackupFromImageStoreBackupStorage: { inventory: DatabaseBackupInventory }
  CreateSchedulerJob: { inventory: SchedulerJobInventory }
  CreateSchedulerTrigger: { inventory: SchedulerTriggerInventory }
  AddSchedulerJobToSchedulerTrigger: { inventory?: SchedulerJobTriggerRef }
  RemoveSchedulerJobFromSchedulerTrigger: Empty
  QuerySchedulerJob: QueryResult<SchedulerJobInventory>
  QuerySchedulerTrigger: QueryResult<SchedulerTriggerInventory>
  DeleteSchedulerJob: Empty
  DeleteSchedulerTrigger: Empty
  ChangeSchedulerState: { inventory: SchedulerJobInventory }
}

export type DrApiName = keyof DrParams

type Spec =
  | {
      kind: 'async'
      method: 'POST' | 'PUT' | 'DELETE'
      /** Path under /zstack; `{x}` is taken from the parameter `x`. */
      path: string
      /** `params` for POST, the action key for PUT; none for DELETE (parameters go in the query). */
      bodyKey?: string
      /** The parameter naming the resource acted on (kept with the job). */
      target?: string
    }
  | { kind: 'query'; resource: QueryResource }
  | { kind: 'get'; path: string }

export const DR_APIS: Record<DrApiName, Spec> = {
  CreateVolumeBackup: {
    kind: 'async',
    method: 'POST',
    path: '/v1/volumes/{volumeUuid}/volume-backups',
    bodyKey: 'params',
    target: 'volumeUuid',
  },
  DeleteVolumeBackup: { kind: 'async', method: 'DELETE', path: '/v1/volume-backups/{uuid}', target: 'uuid' },
  QueryVolumeBackup: { kind: 'query', resource: 'volumeBackups' },
  CreateDataVolumeTemplateFromVolumeBackup: {
    kind: 'async',
    method: 'POST',
    path: '/v1/images/data-volume-templates/from/volume-template/{backupUuid}',
    bodyKey: 'params',
    target: 'backupUuid',
  },
  CreateRootVolumeTemplateFromVolumeBackup: {
    kind: 'async',
    method: 'POST',
    path: '/v1/images/root-volume-templates/from/volume-template/{backupUuid}',
    bodyKey: 'params',
    target: 'backupUuid',
  },
  RevertVolumeFromVolumeBackup: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/volume-backups/{uuid}/actions',
    bodyKey: 'revertVolumeFromVolumeBackup',
    target: 'uuid',
  },
  RecoverBackupFromImageStoreBackupStorage: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/volume-backups/{uuid}/actions',
    bodyKey: 'recoverBackupFromImageStoreBackupStorage',
    target: 'uuid',
  },
  SyncBackupFromImageStoreBackupStorage: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/volume-backups/{uuid}/actions',
    bodyKey: 'syncBackupFromImageStoreBackupStorage',
    target: 'uuid',
  },
  CreateVmBackup: {
    kind: 'async',
    method: 'POST',
    path: '/v1/volumes/{rootVolumeUuid}/vm-backups',
    bodyKey: 'params',
    target: 'rootVolumeUuid',
  },
  DeleteVmBackup: {
    kind: 'async',
    method: 'DELETE',
    path: '/v1/vm-backups/{groupUuid}',
    target: 'groupUuid',
  },
  RevertVmFromVmBackup: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/vm-backups/{groupUuid}/actions',
    bodyKey: 'revertVmFromVmBackup',
    target: 'groupUuid',
  },
  RecoverVmBackupFromImageStoreBackupStorage: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/vm-backups/{groupUuid}/actions',
    bodyKey: 'recoverVmBackupFromImageStoreBackupStorage',
    target: 'groupUuid',
  },
  SyncVmBackupFromImageStoreBackupStorage: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/vm-backups/{groupUuid}/actions',
    bodyKey: 'syncVmBackupFromImageStoreBackupStorage',
    target: 'groupUuid',
  },
  CreateDatabaseBackup: { kind: 'async', method: 'POST', path: '/v1/database-backups', bodyKey: 'params' },
  DeleteDatabaseBackup: {
    kind: 'async',
    method: 'DELETE',
    path: '/v1/database-backups/{uuid}',
    target: 'uuid',
  },
  QueryDatabaseBackup: { kind: 'query', resource: 'databaseBackups' },
  RecoverDatabaseFromBackup: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/database-backups/actions',
    bodyKey: 'recoverDatabaseFromBackup',
    target: 'uuid',
  },
  ExportDatabaseBackupFromBackupStorage: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/database-backups/{databaseBackupUuid}/backup-storage/{backupStorageUuid}/actions',
    bodyKey: 'exportDatabaseBackupFromBackupStorage',
    target: 'databaseBackupUuid',
  },
  GetDatabaseBackupFromImageStore: { kind: 'get', path: '/v1/database-backups/image-store' },
  DeleteExportedDatabaseBackupFromBackupStorage: {
    kind: 'async',
    method: 'DELETE',
    path: '/v1/exported-database-backup/{databaseBackupUuid}/backup-storage/{backupStorageUuid}',
    target: 'databaseBackupUuid',
  },
  SyncDatabaseBackupFromImageStoreBackupStorage: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/database-backups/{uuid}/actions',
    bodyKey: 'syncDatabaseBackupFromImageStoreBackupStorage',
    target: 'uuid',
  },
  // The 3.0.0 scheduler (spec digest "Scheduled backups and retention").
  CreateSchedulerJob: {
    kind: 'async',
    method: 'POST',
    path: '/v1/scheduler/jobs',
    bodyKey: 'params',
    target: 'targetResourceUuid',
  },
  CreateSchedulerTrigger: {
    kind: 'async',
    method: 'POST',
    path: '/v1/scheduler/triggers',
    bodyKey: 'params',
  },
  AddSchedulerJobToSchedulerTrigger: {
    kind: 'async',
    method: 'POST',
    path: '/v1/scheduler/jobs/{schedulerJobUuid}/scheduler/triggers/{schedulerTriggerUuid}',
    bodyKey: 'params',
    target: 'schedulerJobUuid',
  },
  RemoveSchedulerJobFromSchedulerTrigger: {
    kind: 'async',
    method: 'DELETE',
    path: '/v1/scheduler/jobs/{schedulerJobUuid}/scheduler/triggers/{schedulerTriggerUuid}',
    target: 'schedulerJobUuid',
  },
  QuerySchedulerJob: { kind: 'query', resource: 'schedulerJobs' },
  QuerySchedulerTrigger: { kind: 'query', resource: 'schedulerTriggers' },
  DeleteSchedulerJob: { kind: 'async', method: 'DELETE', path: '/v1/scheduler/jobs/{uuid}', target: 'uuid' },
  DeleteSchedulerTrigger: {
    kind: 'async',
    method: 'DELETE',
    path: '/v1/scheduler/triggers/{uuid}',
    target: 'uuid',
  },
  // The digest gives PUT /schedulers/{uuid}; ZStack's PUT actions all end in /actions (guess).
  ChangeSchedulerState: {
    kind: 'async',
    method: 'PUT',
    path: '/v1/schedulers/{uuid}/actions',
    bodyKey: 'changeSchedulerState',
    target: 'uuid',
  },
}

export const DR_API_NAMES = Object.keys(DR_APIS) as DrApiName[]

/** Calls one DR API by name with typed parameters and reply. */
export async function callDr<N extends DrApiName>(
  client: ZStackClient,
  api: N,
  params: DrParams[N],
  options: CallOptions = {},
): Promise<DrReplies[N]> {
  const spec = DR_APIS[api]
  await checkSchedulerCall(client, api, params as Record<string, unknown>, options)
  const p = deleteScope(api, params as Record<string, unknown>)
  registerParamSecrets(p)
  if (spec.kind === 'query') {
    return (await runQuery(client, spec.resource, params as QueryOptions, options)) as DrReplies[N]
  }
  if (spec.kind === 'get') {
    const qs = queryString(p, new Set())
    return client.get<DrReplies[N]>(qs ? `${spec.path}?${qs}` : spec.path, api, options)
  }
  const used = new Set<string>()
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    used.add(name)
    return encodeURIComponent(String(p[name]))
  })
  for (const k of ['systemTags', 'userTags']) used.add(k)
  let fullPath = path
  let body: unknown
  if (spec.method === 'DELETE') {
    const qs = queryString(p, used)
    if (qs) fullPath = `${path}?${qs}`
  } else {
    const fields: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(p)) if (!used.has(k) && v !== undefined) fields[k] = v
    body = {
      [spec.bodyKey!]: fields,
      systemTags: (p.systemTags as string[] | undefined) ?? [],
      userTags: (p.userTags as string[] | undefined) ?? [],
    }
  }
  const target = spec.target ? ((p[spec.target] as string | undefined) ?? null) : null
  const reply = await client.call<DrReplies[N]>(
    { api, method: spec.method, path: fullPath, body, targetUuid: target },
    options,
  )
  return reply
}

/** The deletes that take `backupStorageUuids`: the node reads a missing or empty list as "every store". */
const SCOPED_DELETES: ReadonlySet<DrApiName> = new Set([
  'DeleteVolumeBackup',
  'DeleteVmBackup',
  'DeleteDatabaseBackup',
])

/**
 * A delete must name its image stores, or say `allBackupStorages: true`: an empty selection in a
 * dialog must never become "delete every copy". Returns the parameters as the node takes them.
 */
function deleteScope(api: DrApiName, p: Record<string, unknown>): Record<string, unknown> {
  if (!SCOPED_DELETES.has(api)) return p
  const { allBackupStorages, ...rest } = p
  const list = p.backupStorageUuids
  const named = Array.isArray(list) && list.length > 0
  if (allBackupStorages === true && list === undefined) return rest
  if (named && allBackupStorages === undefined) return rest
  throw new AppError(
    'zstack.delete_scope',
    allBackupStorages === true
      ? {
          en: `${api}: give either backupStorageUuids or allBackupStorages, not both.`,
          zh: `${api}：backupStorageUuids 与 allBackupStorages 只能给出其一。`,
        }
      : {
          en: `${api}: no image store chosen. Name the stores to delete from (backupStorageUuids), or set allBackupStorages to delete every copy.`,
          zh: `${api}：未选择镜像仓库。请指定要删除的镜像仓库（backupStorageUuids），或设置 allBackupStorages 以删除所有副本。`,
        },
    { api },
  )
}

/** Lists repeat their parameter (`backupStorageUuids=a&backupStorageUuids=b`), as the node binds them. */
function queryString(p: Record<string, unknown>, skip: Set<string>): string {
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(p)) {
    if (skip.has(k) || v === undefined) continue
    if (Array.isArray(v)) for (const item of v) qs.append(k, String(item))
    else qs.set(k, String(v))
  }
  return qs.toString()
}

/** Passwords travelling in parameters (MySQL root, ssh:// URLs) must never reach a log or an error. */
function registerParamSecrets(p: Record<string, unknown>): void {
  if (typeof p.mysqlRootPassword === 'string') registerAllForms(p.mysqlRootPassword)
  for (const key of ['backupStorageUrl', 'url']) {
    const v = p[key]
    // The password as typed, between "user:" and "@" (the URL parser would re-encode it).
    const typed = typeof v === 'string' ? /^[a-z][a-z0-9+.-]*:\/\/[^:/@]*:([^@]*)@/i.exec(v)?.[1] : undefined
    if (!typed) continue
    registerAllForms(typed)
    try {
      registerAllForms(decodeURIComponent(typed))
    } catch {
      // Not valid percent-encoding: the typed form is registered already.
    }
  }
}

/** A secret as typed, percent-encoded, and encoded as a query-string value (spaces as +). */
function registerAllForms(secret: string): void {
  registerSecret(secret)
  registerSecret(encodeURIComponent(secret))
  registerSecret(new URLSearchParams([['x', secret]]).toString().slice(2))
}
