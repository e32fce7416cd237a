import type { DrCallName } from '../../api/contract/choices.js'
import type {
  ScheduleList,
  SchedulePreview,
  ScheduleRow,
  ScheduleWhen,
} from '../../api/contract/schedules.js'
import type { CacheService } from '../../cache/index.js'
import { isNodeDown } from '../../cache/index.js'
import { AppError } from '../../errors/app-error.js'
import type { SchedulerJobInventory, SchedulerTriggerInventory } from '../inventories.js'
import type { ZStackService } from '../service.js'
import { nextCronRuns, nextSimpleRuns } from './next-runs.js'
import { checkTrigger, parseStoreList } from './rules.js'
import { cronInWords, cronOf, intervalInWords } from './when.js'

const NEXT = 5
const BACKUP_TYPES = new Set(['volumeBackup', 'vmBackup', 'databaseBackup'])

/** The resources a schedule list reads; the node and the offline cache both answer them. */
type ListResource = 'schedulerJobs' | 'schedulerTriggers' | 'vmInstances' | 'volumes'
type Fetch = (resource: ListResource, q: string[]) => Promise<Record<string, unknown>[]>

export interface CreateSchedule {
  connectionId: string
  name: string
  type: 'volumeBackup' | 'vmBackup' | 'databaseBackup'
  targetUuid: string
  storeUuids: string[]
  keep: number
  when: ScheduleWhen
  timeZone?: string
}

/**
 * Backup schedules on the node's scheduler, built from the scheduler calls of the DR API table so
 * every call goes through the same client, job history and errors as the DR calls.
 */
export class SchedulesService {
  constructor(
    private readonly zstack: ZStackService,
    private readonly cache: Pick<CacheService, 'query'>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  preview(when: ScheduleWhen, timeZone?: string): SchedulePreview {
    const cron = cronOf(when)
    checkTrigger({ schedulerType: 'cron', cron })
    return {
      cron,
      when: cronInWords(cron),
      nextRuns: nextCronRuns(cron, NEXT, this.clock(), timeZone).map((d) => d.toISOString()),
    }
  }

  /** From the node; when it is down, from the offline cache (read-only), saying so and how old. */
  async list(connectionId: string, timeZone?: string): Promise<ScheduleList> {
    let nodeError: ScheduleList['nodeError']
    try {
      return { source: 'node', rows: await this.rows(connectionId, timeZone) }
    } catch (e) {
      if (!isNodeDown(e)) throw e
      nodeError = e.toEnvelope()
    }
    let age: ScheduleList['cache']
    const fromCache: Fetch = async (resource, q) => {
      const a = await this.cache.query({ connectionId, resource, q, offline: true })
      if (resource === 'schedulerJobs') age = a.cache
      return a.inventories ?? []
    }
    const rows = await this.rows(connectionId, timeZone, fromCache)
    return { source: 'cache', rows, ...(age ? { cache: age } : {}), nodeError }
  }

  private async rows(
    connectionId: string,
    timeZone?: string,
    fetch: Fetch = (resource, q) => this.all(connectionId, resource, q),
  ): Promise<ScheduleRow[]> {
    const [jobs, triggers] = (await Promise.all([
      fetch('schedulerJobs', []),
      fetch('schedulerTriggers', []),
    ])) as unknown as [SchedulerJobInventory[], SchedulerTriggerInventory[]]
    const backupJobs = jobs.filter(isBackupJob)
    const names = await targetNames(
      fetch,
      backupJobs.map((j) => j.targetResourceUuid).filter((u): u is string => !!u),
    )
    const byUuid = new Map(triggers.map((t) => [t.uuid, t]))
    return backupJobs.map((j) => this.row(j, byUuid, names, timeZone))
  }

  async create(req: CreateSchedule): Promise<ScheduleRow> {
    const cron = cronOf(req.when)
    checkTrigger({ schedulerType: 'cron', cron })
    const job = await this.call<{ inventory: SchedulerJobInventory }>(
      req.connectionId,
      'CreateSchedulerJob',
      {
        name: req.name,
        targetResourceUuid: req.targetUuid,
        type: req.type,
        parameters: {
          retentionType: 'Count',
          retentionValue: String(req.keep),
          // The form the node wants is a guess (digest): a JSON list, which the reader also accepts.
          backupStorageUuids: JSON.stringify(req.storeUuids),
          remoteBackupStorageUuid: '',
        },
      },
    )
    const jobUuid = job.inventory.uuid
    try {
      const trigger = await this.call<{ inventory: SchedulerTriggerInventory }>(
        req.connectionId,
        'CreateSchedulerTrigger',
        { name: req.name, schedulerType: 'cron', cron },
      )
      await this.call(req.connectionId, 'AddSchedulerJobToSchedulerTrigger', {
        schedulerJobUuid: jobUuid,
        schedulerTriggerUuid: trigger.inventory.uuid,
      })
    } catch (e) {
      // Half a schedule would never run and would confuse the list: remove the job again.
      await this.delete(req.connectionId, jobUuid).catch(() => undefined)
      throw e
    }
    return this.one(req.connectionId, jobUuid, req.timeZone)
  }

  async setState(connectionId: string, jobUuid: string, enabled: boolean): Promise<{ state: string }> {
    const r = await this.call<{ inventory: SchedulerJobInventory }>(connectionId, 'ChangeSchedulerState', {
      uuid: jobUuid,
      stateEvent: enabled ? 'enable' : 'disable',
    })
    return { state: r.inventory.state ?? (enabled ? 'Enabled' : 'Disabled') }
  }

  async delete(connectionId: string, jobUuid: string) {
    const job = await this.job(connectionId, jobUuid)
    const triggerUuids = job.triggersUuid ?? []
    await this.call(connectionId, 'DeleteSchedulerJob', { uuid: jobUuid })
    const deletedTriggers: string[] = []
    const keptTriggers: string[] = []
    for (const t of await this.triggers(connectionId, triggerUuids)) {
      // Jobs and triggers are many-to-many (digest): a trigger another job uses stays.
      if ((t.jobsUuid ?? []).some((j) => j !== jobUuid)) keptTriggers.push(t.uuid)
      else {
        await this.call(connectionId, 'DeleteSchedulerTrigger', { uuid: t.uuid })
        deletedTriggers.push(t.uuid)
      }
    }
    return { deletedTriggers, keptTriggers }
  }

  /** 3.0.0 cannot update a job's parameters (spec): create again (same name, target, timing), then delete the old one. */
  async recreate(req: {
    connectionId: string
    jobUuid: string
    keep: number
    storeUuids: string[]
    timeZone?: string
  }): Promise<ScheduleRow> {
    const [old] = (await this.rows(req.connectionId, req.timeZone)).filter((r) => r.jobUuid === req.jobUuid)
    if (!old) throw notFound(req.jobUuid)
    if (!old.cron || !old.type || !old.targetUuid)
      throw new AppError(
        'schedules.recreate_unsupported',
        {
          en: 'Only a schedule with a cron trigger, a known type and a target can be re-created here.',
          zh: '只有带 cron 触发器、类型与目标已知的计划可以在此重新创建。',
        },
        { jobUuid: req.jobUuid },
      )
    // The new one first: a failed create leaves the old schedule running, nothing is lost.
    const made = await this.create({
      connectionId: req.connectionId,
      name: old.name,
      type: old.type as CreateSchedule['type'],
      targetUuid: old.targetUuid,
      storeUuids: req.storeUuids,
      keep: req.keep,
      when: { kind: 'cron', cron: old.cron },
      ...(req.timeZone ? { timeZone: req.timeZone } : {}),
    })
    await this.delete(req.connectionId, req.jobUuid)
    return made
  }

  private async one(connectionId: string, jobUuid: string, timeZone?: string): Promise<ScheduleRow> {
    const row = (await this.rows(connectionId, timeZone)).find((r) => r.jobUuid === jobUuid)
    if (!row) throw notFound(jobUuid)
    return row
  }

  private row(
    j: SchedulerJobInventory,
    triggers: Map<string, SchedulerTriggerInventory>,
    names: Map<string, string>,
    timeZone?: string,
  ): ScheduleRow {
    const data = jobData(j)
    const triggerUuids = j.triggersUuid ?? []
    const t = triggerUuids.map((u) => triggers.get(u)).find((x) => x !== undefined)
    const cron = t?.schedulerType === 'cron' ? (t.cron ?? null) : null
    const interval = t?.schedulerType === 'simple' ? (t.schedulerInterval ?? null) : null
    const keep = Number(data.retentionValue)
    return {
      jobUuid: j.uuid,
      name: j.name,
      type: data.type ?? null,
      targetUuid: j.targetResourceUuid ?? null,
      targetName: j.targetResourceUuid ? (names.get(j.targetResourceUuid) ?? null) : null,
      state: j.state ?? 'Unknown',
      triggerUuids,
      cron,
      intervalSeconds: interval,
      when: cron ? safeWords(cron) : interval ? intervalInWords(interval) : null,
      nextRuns: j.state === 'Enabled' && t ? this.nextRuns(t, timeZone) : [],
      keep: Number.isInteger(keep) && keep > 0 ? keep : null,
      storeUuids: parseStoreList(data.backupStorageUuids),
    }
  }

  private nextRuns(t: SchedulerTriggerInventory, timeZone?: string): string[] {
    const now = this.clock()
    try {
      if (t.schedulerType === 'cron' && t.cron) return iso(nextCronRuns(t.cron, NEXT, now, timeZone))
      const start = startSeconds(t.startTime)
      if (t.schedulerType === 'simple' && start !== null && t.schedulerInterval)
        return iso(nextSimpleRuns(start, t.schedulerInterval, t.repeatCount ?? 0, NEXT, now))
    } catch {
      // A trigger the node accepted but this library cannot read: the list shows no next runs.
    }
    return []
  }

  private async call<T = unknown>(connectionId: string, api: DrCallName, params: unknown): Promise<T> {
    return (await this.zstack.callDr({ connectionId, api, params })) as T
  }

  private async all<T>(connectionId: string, resource: ListResource, q: string[] = []): Promise<T[]> {
    const r = await this.zstack.query({ connectionId, resource, q, all: true })
    return r.inventories as T[]
  }

  private async job(connectionId: string, jobUuid: string): Promise<SchedulerJobInventory> {
    const [job] = await this.all<SchedulerJobInventory>(connectionId, 'schedulerJobs', [`uuid=${jobUuid}`])
    if (!job) throw notFound(jobUuid)
    return job
  }

  private triggers(connectionId: string, uuids: string[]): Promise<SchedulerTriggerInventory[]> {
    if (uuids.length === 0) return Promise.resolve([])
    return this.all(connectionId, 'schedulerTriggers', [`uuid?=${uuids.join(',')}`])
  }
}

/** VM and volume names of the targets (a database backup has none). */
async function targetNames(fetch: Fetch, uuids: string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  if (uuids.length === 0) return names
  for (const resource of ['vmInstances', 'volumes'] as const) {
    for (const inv of await fetch(resource, [`uuid?=${[...new Set(uuids)].join(',')}`]))
      names.set(String(inv.uuid), String(inv.name))
  }
  return names
}

/** A backup job, or one whose type is unknown (the type lives in jobData, a guess). */
export function isBackupJob(j: Pick<SchedulerJobInventory, 'jobData'>): boolean {
  const type = jobData(j).type
  return type === undefined || BACKUP_TYPES.has(type)
}

/** jobData is a JSON string the node wrote (its content is a guess): unreadable means unknown. */
function jobData(j: Pick<SchedulerJobInventory, 'jobData'>): Record<string, string | undefined> {
  try {
    const v: unknown = JSON.parse(j.jobData ?? '{}')
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {}
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]),
    )
  } catch {
    return {}
  }
}

function safeWords(cron: string) {
  try {
    return cronInWords(cron)
  } catch {
    return null
  }
}

/** A trigger's start time: a Gson date or Unix seconds (which one the node sends is a guess). */
function startSeconds(v: SchedulerTriggerInventory['startTime']): number | null {
  if (typeof v === 'number') return v > 1e11 ? Math.floor(v / 1000) : v
  if (typeof v !== 'string') return null
  const ms = Date.parse(v)
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000)
}

const iso = (ds: Date[]) => ds.map((d) => d.toISOString())

function notFound(jobUuid: string): AppError {
  return new AppError(
    'schedules.not_found',
    { en: `No schedule ${jobUuid} on this node.`, zh: `此管理节点上没有计划 ${jobUuid}。` },
    { jobUuid },
  )
}
