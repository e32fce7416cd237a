import { z } from 'zod'
import type { ErrorEnvelope } from '../../errors/app-error.js'
import { operationMeta } from './app.js'
import { type DrCallName, drCallNames, queryResources } from './choices.js'
import { defineCall, defineEvent } from './define.js'

/**
 * The ZStack domain of the API: connections to management nodes, the 21 Disaster Recovery
 * calls, queries, the async jobs this app started, and restore log streams.
 */

const uuid = z.string().regex(/^[0-9a-f]{32}$/, 'a ZStack uuid is 32 lowercase hex characters')
const name = z.string().min(1).max(255)
const tags = { systemTags: z.array(z.string()).optional(), userTags: z.array(z.string()).optional() }
const deleteMode = z.enum(['Permissive', 'Enforcing'])
const srcDst = { srcBackupStorageUuid: uuid, dstBackupStorageUuid: uuid }
/**
 * Which image stores a delete removes copies from. The node reads a missing list as "all", so the
 * client demands a non-empty list, or `allBackupStorages: true` as the explicit choice (dr-api.ts).
 */
const deleteFrom = {
  backupStorageUuids: z.array(uuid).optional(),
  allBackupStorages: z.literal(true).optional(),
}
const template = {
  backupUuid: uuid,
  backupStorageUuid: uuid,
  name,
  description: z.string().optional(),
  guestOsType: z.string().optional(),
  platform: z.enum(['Linux', 'Windows', 'Other', 'Paravirtualization', 'WindowsVirtio']).optional(),
  system: z.boolean().optional(),
  resourceUuid: uuid.optional(),
  ...tags,
}

/** The job types of the 3.0.0 scheduler (spec digest); the backup ones are what schedules use. */
export const schedulerJobTypes = [
  'startVm',
  'stopVm',
  'rebootVm',
  'volumeSnapshot',
  'volumeBackup',
  'vmBackup',
  'databaseBackup',
] as const

/**
 * Parameters of each async/sync DR API (the two Query APIs go through `zstack.query`). Built with
 * the `zstack.dr.*` request on its first use (see defineCall): they are most of the contract.
 */
export function drParamSchemas() {
  /** The fields of a Create*Backup (after what it backs up, for a volume or a VM). */
  const newBackup = {
    backupStorageUuid: uuid,
    name,
    description: z.string().optional(),
    resourceUuid: uuid.optional(),
    ...tags,
  }
  return {
    CreateVolumeBackup: z.object({ volumeUuid: uuid, ...newBackup }).strict(),
    DeleteVolumeBackup: z.object({ uuid, ...deleteFrom, deleteMode: deleteMode.optional() }).strict(),
    CreateDataVolumeTemplateFromVolumeBackup: z.object(template).strict(),
    CreateRootVolumeTemplateFromVolumeBackup: z.object(template).strict(),
    RevertVolumeFromVolumeBackup: z.object({ uuid, backupStorageUuid: uuid.optional(), ...tags }).strict(),
    RecoverBackupFromImageStoreBackupStorage: z.object({ uuid, ...srcDst, ...tags }).strict(),
    SyncBackupFromImageStoreBackupStorage: z.object({ uuid, ...srcDst, ...tags }).strict(),
    CreateVmBackup: z.object({ rootVolumeUuid: uuid, ...newBackup }).strict(),
    DeleteVmBackup: z
      .object({
        groupUuid: uuid,
        ...deleteFrom,
        deleteMode: deleteMode.optional(),
      })
      .strict(),
    RevertVmFromVmBackup: z.object({ groupUuid: uuid, backupStorageUuid: uuid.optional(), ...tags }).strict(),
    RecoverVmBackupFromImageStoreBackupStorage: z.object({ groupUuid: uuid, ...srcDst, ...tags }).strict(),
    SyncVmBackupFromImageStoreBackupStorage: z.object({ groupUuid: uuid, ...srcDst, ...tags }).strict(),
    CreateDatabaseBackup: z.object(newBackup).strict(),
    DeleteDatabaseBackup: z.object({ uuid, ...deleteFrom }).strict(),
    RecoverDatabaseFromBackup: z
      .object({
        uuid: uuid.optional(),
        backupStorageUrl: z
          .string()
          .regex(/^ssh:\/\//, 'backupStorageUrl is ssh://user:password@host:port/path')
          .optional(),
        backupInstallPath: z
          .string()
          .regex(/^zstore:\/\/zsbak\//, 'backupInstallPath is zstore://zsbak/<id>')
          .optional(),
        mysqlRootPassword: z.string().min(1),
        ...tags,
      })
      .strict()
      .refine(
        (p) =>
          p.uuid !== undefined || (p.backupStorageUrl !== undefined && p.backupInstallPath !== undefined),
        {
          message: 'give either uuid, or backupStorageUrl and backupInstallPath',
        },
      ),
    ExportDatabaseBackupFromBackupStorage: z
      .object({ databaseBackupUuid: uuid, backupStorageUuid: uuid, ...tags })
      .strict(),
    GetDatabaseBackupFromImageStore: z
      .object({
        url: z.string().regex(/^ssh:\/\//, 'url is ssh://user:password@host:port/path'),
        registryPort: z.number().int().min(1).max(65535).optional(),
      })
      .strict(),
    DeleteExportedDatabaseBackupFromBackupStorage: z
      .object({ databaseBackupUuid: uuid, backupStorageUuid: uuid })
      .strict(),
    SyncDatabaseBackupFromImageStoreBackupStorage: z.object({ uuid, ...srcDst, ...tags }).strict(),
    // The 3.0.0 scheduler (spec digest "Scheduled backups and retention"); its 3.0.0 limits are
    // checked before sending in zstack/scheduler-rules.ts, with messages in both languages.
    CreateSchedulerJob: z
      .object({
        name,
        description: z.string().optional(),
        targetResourceUuid: uuid,
        type: z.enum(schedulerJobTypes),
        parameters: z.record(z.string(), z.string()).optional(),
        resourceUuid: uuid.optional(),
        ...tags,
      })
      .strict(),
    CreateSchedulerTrigger: z
      .object({
        name,
        description: z.string().optional(),
        schedulerType: z.enum(['simple', 'cron']),
        schedulerInterval: z.number().int().optional(),
        repeatCount: z.number().int().optional(),
        startTime: z.number().int().optional(),
        cron: z.string().optional(),
        resourceUuid: uuid.optional(),
        ...tags,
      })
      .strict(),
    AddSchedulerJobToSchedulerTrigger: z
      .object({ schedulerJobUuid: uuid, schedulerTriggerUuid: uuid })
      .strict(),
    RemoveSchedulerJobFromSchedulerTrigger: z
      .object({ schedulerJobUuid: uuid, schedulerTriggerUuid: uuid })
      .strict(),
    DeleteSchedulerJob: z.object({ uuid, deleteMode: deleteMode.optional() }).strict(),
    DeleteSchedulerTrigger: z.object({ uuid, deleteMode: deleteMode.optional() }).strict(),
    ChangeSchedulerState: z.object({ uuid, stateEvent: z.enum(['enable', 'disable']) }).strict(),
  } satisfies Record<DrCallName, z.ZodType>
}

const connectionId = z.string().regex(/^[0-9a-f]{16}$/, 'a connection id is 16 hex characters')
const jobUuid = z.string().regex(/^[0-9a-f]{32}$/, 'a job id is 32 hex characters')

/** The `zstack.dr.*` request, built once for both calls that take it. */
let drRequestBuilt: ReturnType<typeof buildDrRequest> | undefined
function drRequest() {
  drRequestBuilt ??= buildDrRequest()
  return drRequestBuilt
}

function buildDrRequest() {
  const params = drParamSchemas()
  return z.discriminatedUnion(
    'api',
    drCallNames.map((api) =>
      z
        .object({
          connectionId,
          api: z.literal(api),
          params: params[api],
          timeoutMs: z.number().int().min(1000).optional(),
          ...operationMeta,
        })
        .strict(),
    ) as unknown as [z.ZodObject, ...z.ZodObject[]],
  )
}

export interface ConnectionInfo {
  connectionId: string
  name: string
  endpoint: string
  accountName: string
  /** True while this app holds a session (and the password in memory) for it. */
  connected: boolean
  /** Where the webhook receiver listens (the secret part of the path is not shown). */
  webhookUrl: string | null
  lastConnectedAt: string | null
}

export type JobState = 'sending' | 'running' | 'succeeded' | 'failed' | 'expired' | 'detached' | 'unknown'

export interface ZStackJob {
  jobUuid: string
  connectionId: string | null
  endpoint: string
  api: string
  method: string
  path: string
  targetUuid: string | null
  location: string | null
  state: JobState
  result: unknown
  error: ErrorEnvelope | null
  createdAt: string
  updatedAt: string
  finishedAt: string | null
}

export interface QueryReply {
  inventories: Record<string, unknown>[]
  total?: number
}

export interface LogLine {
  streamId: string
  line: string
}

/** `ended`: the restore reported its end. `broken`: the connection was lost and could not be made again. */
export interface LogEnd {
  streamId: string
  reason: 'ended' | 'broken'
  error?: ErrorEnvelope
}

export const zstackCalls = {
  'zstack.connect': defineCall<ConnectionInfo>()(() =>
    z
      .object({
        endpoint: z.string().min(1).max(500),
        accountName: z.string().min(1).max(255).default('admin'),
        password: z.string().min(1),
        /** Keep the password in the OS keychain; false: this session only ("ask each time"). */
        remember: z.boolean().default(true),
        name: z.string().min(1).max(100).optional(),
        insecureTls: z.boolean().default(false),
        webhook: z
          .object({
            bindHost: z.string().min(1),
            port: z.number().int().min(0).max(65535).default(0),
            publicHost: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
  ),
  'zstack.disconnect': defineCall<{ disconnected: boolean }>()(() => z.object({ connectionId }).strict()),
  'zstack.connections.list': defineCall<ConnectionInfo[]>()(() => z.object({}).strict()),
  /** Forgets a saved node on this laptop: session, saved password, offline cache. Job history stays. */
  'zstack.connections.remove': defineCall<{ removed: boolean }>()(() => z.object({ connectionId }).strict()),
  'zstack.session.check': defineCall<{ valid: boolean }>()(() => z.object({ connectionId }).strict()),
  /** Runs one DR API and waits for its result (async APIs: until the job ends). */
  'zstack.dr.call': defineCall<unknown>()(drRequest),
  /** Starts one DR API as an operation and returns at once; the result arrives as `zstack.job.updated`. */
  'zstack.dr.start': defineCall<{ opId: string }>()(drRequest),
  'zstack.query': defineCall<QueryReply>()(() =>
    z
      .object({
        connectionId,
        resource: z.enum(queryResources),
        q: z.array(z.string()).default([]),
        limit: z.number().int().min(0).optional(),
        start: z.number().int().min(0).optional(),
        count: z.boolean().optional(),
        replyWithCount: z.boolean().optional(),
        sort: z
          .object({ field: z.string().min(1), direction: z.enum(['asc', 'desc']) })
          .strict()
          .optional(),
        fields: z.array(z.string().min(1)).optional(),
        groupBy: z.string().min(1).optional(),
        /** Pull every page from `start` (ignores limit), up to 20,000 rows: `total` then says how many match. */
        all: z.boolean().default(false),
      })
      .strict(),
  ),
  'zstack.jobs.list': defineCall<ZStackJob[]>()(() =>
    z
      .object({
        connectionId: connectionId.optional(),
        states: z
          .array(z.enum(['sending', 'running', 'succeeded', 'failed', 'expired', 'detached', 'unknown']))
          .optional(),
        limit: z.number().int().min(1).max(5000).optional(),
      })
      .strict(),
  ),
  /** Polls an unfinished job again (after a restart, a timeout or a cancel). */
  'zstack.jobs.attach': defineCall<{ attached: boolean }>()(() => z.object({ jobUuid }).strict()),
  /** Stops waiting for a job. The management node may still run it. */
  'zstack.jobs.cancel': defineCall<{ cancelled: boolean }>()(() => z.object({ jobUuid }).strict()),
  /**
   * Follows RecoverDatabaseFromBackup's log port (one connection, shared by every viewer): the reply
   * holds the lines so far (`dropped` older ones were not kept); new lines arrive as `zstack.log.line`.
   * The first viewer's `subject` names the recovery in the job history.
   */
  'zstack.logs.open': defineCall<{ streamId: string; lines: string[]; dropped: number }>()(() =>
    z.object({ connectionId, port: z.number().int().min(1).max(65535), ...operationMeta }).strict(),
  ),
  'zstack.logs.close': defineCall<{ closed: boolean }>()(() =>
    z.object({ streamId: z.string().min(1) }).strict(),
  ),
}

export const zstackEvents = {
  'zstack.job.updated': defineEvent<ZStackJob>(),
  'zstack.connection.removed': defineEvent<{ connectionId: string }>(),
  'zstack.log.line': defineEvent<LogLine>(),
  'zstack.log.end': defineEvent<LogEnd>(),
}
