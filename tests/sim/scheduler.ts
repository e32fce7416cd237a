import { Cron } from 'croner'
import { finishVolumeBackup, optEnum, optString, reqString, resourceUuid, startVolumeBackup } from './apis.js'
import { argError, notFound, SimApiError } from './errors.js'
import { gsonDate, wholeSeconds } from './gson.js'
import { newUuid } from './ids.js'
import type { QueryView } from './query-engine.js'
import type { ApiContext, RecordContext, Route } from './route.js'
import { addDatabaseBackup } from './seed.js'
import { type Ms, type SimState, Table, toInventory } from './state.js'

/**
 * The 3.0.0 scheduler (spec digest "Scheduled backups and retention"; sources there: the 3.0.0
 * SDK actions, schema, i18n and woodpecker tests). Every rule says where it comes from or "guess";
 * tests/sim/README.md lists them. Jobs fire only when the simulator's clock moves (advanceClock).
 */

export const JOB_TYPES = [
  'startVm',
  'stopVm',
  'rebootVm',
  'volumeSnapshot',
  'volumeBackup',
  'vmBackup',
  'databaseBackup',
] as const

export interface SchedulerJob {
  uuid: string
  name: string
  description: string | null
  targetResourceUuid: string
  /** Not in the inventory (digest: "no type field"); kept inside jobData as the node does (guess). */
  type: (typeof JOB_TYPES)[number]
  state: 'Enabled' | 'Disabled'
  jobData: string
  createDate: Ms
  lastOpDate: Ms
}

export interface SchedulerTrigger {
  uuid: string
  name: string
  description: string | null
  schedulerType: 'simple' | 'cron'
  cron: string | null
  schedulerInterval: number | null
  repeatCount: number | null
  startTime: Ms | null
  stopTime: Ms | null
  createDate: Ms
  lastOpDate: Ms
}

/** One run of a job, as the node would log it (3.0.0 has no job-history API: the record is for tests). */
export interface SchedulerRun {
  jobUuid: string
  at: Ms
  ok: boolean
  error: string | null
  created: string[]
  deleted: string[]
}

/** The simulated node's time zone for cron triggers (guess: the node's zone is not in any inventory). */
export const SIM_TIME_ZONE = 'UTC'
/** 3.0.0 limits (digest): cron column 32 characters, start time in 32-bit Unix seconds. */
const MAX_CRON = 32
const MAX_START_S = 2 ** 31 - 1

export class SimScheduler {
  readonly jobs: Table<SchedulerJob>
  readonly triggers: Table<SchedulerTrigger>
  /** Job-trigger pairs (digest: many-to-many). */
  readonly links: { jobUuid: string; triggerUuid: string }[] = []
  readonly runs: SchedulerRun[] = []
  /** What each run created, per job, oldest first: the units Count retention deletes. */
  private readonly made = new Map<string, { kind: 'volume' | 'group' | 'database'; uuid: string }[]>()
  private checkedUntil: Ms | null = null

  constructor(private readonly state: SimState) {
    this.jobs = new Table<SchedulerJob>('SchedulerJobVO', state)
    this.triggers = new Table<SchedulerTrigger>('SchedulerTriggerVO', state)
  }

  triggersOf(jobUuid: string): string[] {
    return this.links.filter((l) => l.jobUuid === jobUuid).map((l) => l.triggerUuid)
  }

  jobsOf(triggerUuid: string): string[] {
    return this.links.filter((l) => l.triggerUuid === triggerUuid).map((l) => l.jobUuid)
  }

  jobInventory(j: SchedulerJob): Record<string, unknown> {
    const { type: _type, ...rest } = j
    return { ...toInventory(rest), triggersUuid: this.triggersOf(j.uuid) }
  }

  triggerInventory(t: SchedulerTrigger): Record<string, unknown> {
    return {
      ...toInventory(t),
      startTime: t.startTime === null ? null : gsonDate(t.startTime),
      stopTime: t.stopTime === null ? null : gsonDate(t.stopTime),
      jobsUuid: this.jobsOf(t.uuid),
    }
  }

  /**
   * Runs every enabled job whose trigger fired in (last check, now], in time order (called when
   * the clock moves). Quartz misfire handling is not modelled: every missed fire runs (guess).
   */
  runUntil(now: Ms): void {
    const from = this.checkedUntil ?? now
    this.checkedUntil = now
    const due: { at: Ms; job: SchedulerJob }[] = []
    for (const { jobUuid, triggerUuid } of this.links) {
      const job = this.jobs.get(jobUuid)
      const trigger = this.triggers.get(triggerUuid)
      if (!job || !trigger || job.state !== 'Enabled') continue
      for (const at of fireTimes(trigger, from, now)) due.push({ at, job })
    }
    due.sort((a, b) => a.at - b.at)
    for (const { at, job } of due) this.run(job, at)
  }

  /** Starts the clock for runs: fires after `now` count, earlier ones never happened. */
  start(now: Ms): void {
    this.checkedUntil ??= now
  }

  private run(job: SchedulerJob, at: Ms): void {
    const ctx: RecordContext = {
      state: this.state,
      now: () => wholeSeconds(at),
      systemTags: [],
      userTags: [],
    }
    const data = JSON.parse(job.jobData) as Record<string, string>
    const run: SchedulerRun = { jobUuid: job.uuid, at, ok: true, error: null, created: [], deleted: [] }
    try {
      const stores = storeList(data.backupStorageUuids)
      for (const bs of stores) usableStore(this.state, bs, job)
      const made = this.made.get(job.uuid) ?? []
      const unit = backupOnce(ctx, job, stores, `${job.name}-${gsonStamp(at)}`)
      made.push(unit)
      run.created.push(unit.uuid)
      this.made.set(job.uuid, made)
      // Count retention (digest): keep the newest N of this job's backups, delete the oldest.
      const keep = Number(data.retentionValue)
      while (data.retentionType === 'Count' && made.length > keep) {
        const old = made.shift()!
        removeUnit(this.state, old)
        run.deleted.push(old.uuid)
      }
    } catch (e) {
      run.ok = false
      run.error = e instanceof Error ? e.message : String(e)
    }
    this.runs.push(run)
  }

  /** Deleting a job stops its runs; its backups stay (guess: retention only acts on runs). */
  deleteJob(uuid: string): void {
    this.jobs.remove(uuid)
    this.made.delete(uuid)
    this.unlink((l) => l.jobUuid === uuid)
  }

  deleteTrigger(uuid: string): void {
    this.triggers.remove(uuid)
    this.unlink((l) => l.triggerUuid === uuid)
  }

  unlink(match: (l: { jobUuid: string; triggerUuid: string }) => boolean): void {
    for (let i = this.links.length - 1; i >= 0; i--) if (match(this.links[i]!)) this.links.splice(i, 1)
    this.state.bump()
  }
}

/** Fire times in (from, to]. Simple: start + k × interval, repeatCount more after the first (0 = forever: guess). */
function fireTimes(t: SchedulerTrigger, from: Ms, to: Ms): Ms[] {
  const out: Ms[] = []
  if (t.schedulerType === 'cron') {
    const cron = new Cron(t.cron!, {
      mode: '6-or-7-parts',
      alternativeWeekdays: true,
      paused: true,
      timezone: SIM_TIME_ZONE,
    })
    let next = cron.nextRun(new Date(from))
    while (next && next.getTime() <= to && out.length < 10_000) {
      out.push(next.getTime())
      next = cron.nextRun(next)
    }
    return out
  }
  const start = t.startTime!
  const step = t.schedulerInterval! * 1000
  for (let k = 0; out.length < 10_000; k++) {
    if (t.repeatCount && k > t.repeatCount) break
    const at = start + k * step
    if (at > to) break
    if (at > from) out.push(at)
  }
  return out
}

/** Guess (digest): `backupStorageUuids` in a job's parameters is a JSON list or a comma list. */
function storeList(v: string | undefined): string[] {
  if (!v) return []
  if (v.trim().startsWith('[')) return (JSON.parse(v) as unknown[]).map(String)
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

/** A disconnected store fails the run (guess at the log text: the DR APIs' own error for it). */
function usableStore(state: SimState, uuid: string, job: SchedulerJob): void {
  const bs = state.backupStorages.get(uuid)
  if (!bs) throw new Error(`scheduler job[uuid:${job.uuid}]: backup storage[uuid:${uuid}] not found`)
  if (bs.status !== 'Connected')
    throw new Error(
      `scheduler job[uuid:${job.uuid}] failed: backup storage[uuid:${uuid}, name:${bs.name}] is not Connected, current status is ${bs.status}`,
    )
}

function gsonStamp(at: Ms): string {
  return new Date(at).toISOString().slice(0, 19).replace(/[-:T]/g, '')
}

type Unit = { kind: 'volume' | 'group' | 'database'; uuid: string }

/**
 * One backup as the DR APIs make it. The backup goes to every listed store (guess); vmBackup
 * targets the VM (digest; one test targets the root volume: accepted too, guess).
 */
function backupOnce(ctx: RecordContext, job: SchedulerJob, stores: string[], name: string): Unit {
  const state = ctx.state
  if (job.type === 'databaseBackup') {
    return {
      kind: 'database',
      uuid: addDatabaseBackup(state, { uuid: newUuid }, name, stores, ctx.now()).uuid,
    }
  }
  const withStores = (vUuid: string, groupUuid: string | null) => {
    const v = state.volumes.get(vUuid)
    if (!v) throw new Error(`scheduler job[uuid:${job.uuid}]: volume[uuid:${vUuid}] not found`)
    const b = startVolumeBackup(ctx, v, newUuid(), name, null, groupUuid, stores[0]!)
    for (const bs of stores.slice(1))
      b.backupStorageRefs.push({ ...b.backupStorageRefs[0]!, backupStorageUuid: bs })
    finishVolumeBackup(ctx, b)
    return b
  }
  if (job.type === 'volumeBackup')
    return { kind: 'volume', uuid: withStores(job.targetResourceUuid, null).uuid }
  const vmUuid =
    state.vms.get(job.targetResourceUuid)?.uuid ?? state.volumes.get(job.targetResourceUuid)?.vmInstanceUuid
  if (!vmUuid)
    throw new Error(`scheduler job[uuid:${job.uuid}]: VM[uuid:${job.targetResourceUuid}] not found`)
  const groupUuid = newUuid()
  for (const v of state.vmVolumes(vmUuid)) withStores(v.uuid, groupUuid)
  return { kind: 'group', uuid: groupUuid }
}

function removeUnit(state: SimState, unit: Unit): void {
  if (unit.kind === 'database') state.databaseBackups.remove(unit.uuid)
  else if (unit.kind === 'volume') state.volumeBackups.remove(unit.uuid)
  else
    for (const b of [...state.volumeBackups.where('groupUuid', unit.uuid)]) state.volumeBackups.remove(b.uuid)
}

// ---- REST ---------------------------------------------------------------------------------

function optInt(ctx: ApiContext, key: string): number | undefined {
  const v = ctx.args[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) throw argError(`field[${key}] must be an integer`)
  return v
}

async function createJob(ctx: ApiContext) {
  const s = ctx.state.scheduler
  const name = reqString(ctx, 'name')
  const type = optEnum(ctx, 'type', JOB_TYPES)
  if (!type) throw argError('field[type] is mandatory, can not be null')
  const target = reqString(ctx, 'targetResourceUuid')
  const exists =
    type === 'databaseBackup' ||
    ctx.state.vms.get(target) !== undefined ||
    ctx.state.volumes.get(target) !== undefined
  if (!exists) throw notFound(type === 'volumeBackup' ? 'VolumeVO' : 'VmInstanceVO', target)
  const raw = ctx.args.parameters ?? {}
  if (typeof raw !== 'object' || Array.isArray(raw)) throw argError('field[parameters] must be a map')
  const parameters = raw as Record<string, unknown>
  // The SDK declares parameters as Map<String,String> (digest); Gson binds other values as strings (guess).
  const data = Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, String(v)]))
  if (type.endsWith('Backup') && (data.retentionType !== 'Count' || !(Number(data.retentionValue) >= 1)))
    throw argError('retentionType must be Count with a retentionValue of at least 1') // guess at the check and text
  const uuid = resourceUuid(ctx, (u) => s.jobs.get(u) !== undefined)
  await ctx.work()
  const now = ctx.now()
  const job = s.jobs.add({
    uuid,
    name,
    description: optString(ctx, 'description') ?? null,
    targetResourceUuid: target,
    type,
    state: 'Enabled',
    jobData: JSON.stringify({ ...data, type }),
    createDate: now,
    lastOpDate: now,
  })
  return { inventory: s.jobInventory(job) }
}

async function createTrigger(ctx: ApiContext) {
  const s = ctx.state.scheduler
  const name = reqString(ctx, 'name')
  const type = optEnum(ctx, 'schedulerType', ['simple', 'cron'] as const)
  if (!type) throw argError('field[schedulerType] is mandatory, can not be null')
  const cron = optString(ctx, 'cron')
  const interval = optInt(ctx, 'schedulerInterval')
  const repeat = optInt(ctx, 'repeatCount')
  const startS = optInt(ctx, 'startTime')
  // 3.0.0 rules (digest): cron only with type cron, ≤ 32 characters; simple needs a start time.
  if (type === 'cron' && !cron) throw argError('cron must be set when schedulerType is cron')
  if (type !== 'cron' && cron !== undefined) throw argError('cron can only be set when schedulerType is cron')
  if (cron && cron.length > MAX_CRON) throw argError(`cron[${cron}] is longer than ${MAX_CRON} characters`)
  if (cron) {
    try {
      new Cron(cron, { mode: '6-or-7-parts', alternativeWeekdays: true, paused: true })
    } catch {
      throw argError(`cron[${cron}] is not a valid cron expression`)
    }
  }
  if (type === 'simple' && startS === undefined)
    throw argError('startTime must be set when schedulerType is simple')
  if (type === 'simple' && (interval === undefined || interval < 1))
    throw argError('schedulerInterval must be at least 1')
  if (repeat !== undefined && repeat < 0) throw argError('repeatCount must not be negative')
  if (startS !== undefined && (startS < 0 || startS > MAX_START_S))
    throw argError('startTime must be before 2038')
  const uuid = resourceUuid(ctx, (u) => s.triggers.get(u) !== undefined)
  await ctx.work()
  const now = ctx.now()
  // startTime 0 means now (digest).
  const start = startS === undefined ? null : startS === 0 ? now : startS * 1000
  const t = s.triggers.add({
    uuid,
    name,
    description: optString(ctx, 'description') ?? null,
    schedulerType: type,
    cron: cron ?? null,
    schedulerInterval: interval ?? null,
    repeatCount: repeat ?? null,
    startTime: start,
    stopTime: type === 'simple' && repeat ? start! + repeat * interval! * 1000 : null,
    createDate: now,
    lastOpDate: now,
  })
  s.start(now)
  return { inventory: s.triggerInventory(t) }
}

async function addJobToTrigger(ctx: ApiContext) {
  const s = ctx.state.scheduler
  const job = s.jobs.get(ctx.path.schedulerJobUuid!)
  if (!job) throw notFound('SchedulerJobVO', ctx.path.schedulerJobUuid!)
  const trigger = s.triggers.get(ctx.path.schedulerTriggerUuid!)
  if (!trigger) throw notFound('SchedulerTriggerVO', ctx.path.schedulerTriggerUuid!)
  // Digest: a job is not added twice to one trigger (3.0.0 refuses; error text is a guess).
  if (s.links.some((l) => l.jobUuid === job.uuid && l.triggerUuid === trigger.uuid))
    throw new SimApiError({
      code: 'SYS.1007',
      details: `scheduler job[uuid:${job.uuid}] is already added to trigger[uuid:${trigger.uuid}]`,
    })
  await ctx.work()
  s.links.push({ jobUuid: job.uuid, triggerUuid: trigger.uuid })
  ctx.state.bump()
  return { inventory: { schedulerJobUuid: job.uuid, schedulerTriggerUuid: trigger.uuid } }
}

async function removeJobFromTrigger(ctx: ApiContext) {
  const { schedulerJobUuid: j, schedulerTriggerUuid: t } = ctx.path
  await ctx.work()
  ctx.state.scheduler.unlink((l) => l.jobUuid === j && l.triggerUuid === t)
  return undefined
}

async function changeState(ctx: ApiContext) {
  const s = ctx.state.scheduler
  const job = s.jobs.get(ctx.path.uuid!)
  if (!job) throw notFound('SchedulerJobVO', ctx.path.uuid!)
  const event = optEnum(ctx, 'stateEvent', ['enable', 'disable'] as const)
  if (!event) throw argError('field[stateEvent] is mandatory, can not be null')
  await ctx.work()
  job.state = event === 'enable' ? 'Enabled' : 'Disabled'
  job.lastOpDate = ctx.now()
  ctx.state.bump()
  return { inventory: s.jobInventory(job) }
}

/** The query views of jobs and triggers (fields of the inventories, digest). */
export function schedulerViews(s: SimScheduler) {
  const common = ['uuid', 'name', 'description', 'createDate', 'lastOpDate'] as const
  const jobs: QueryView<SchedulerJob> = {
    table: s.jobs,
    fields: [...common, 'targetResourceUuid', 'state', 'jobData'],
    nested: {},
    inventory: (j) => s.jobInventory(j),
  }
  const triggers: QueryView<SchedulerTrigger> = {
    table: s.triggers,
    fields: [...common, 'schedulerType', 'cron', 'schedulerInterval', 'repeatCount', 'startTime', 'stopTime'],
    nested: {},
    inventory: (t) => s.triggerInventory(t),
  }
  return { jobs, triggers }
}

/** The scheduler's write APIs (its two queries are built with the other query routes). */
export function schedulerRoutes(): Route[] {
  return [
    {
      api: 'CreateSchedulerJob',
      method: 'POST',
      pattern: '/v1/scheduler/jobs',
      bodyKey: 'params',
      run: createJob,
    },
    {
      api: 'CreateSchedulerTrigger',
      method: 'POST',
      pattern: '/v1/scheduler/triggers',
      bodyKey: 'params',
      run: createTrigger,
    },
    {
      api: 'AddSchedulerJobToSchedulerTrigger',
      method: 'POST',
      pattern: '/v1/scheduler/jobs/{schedulerJobUuid}/scheduler/triggers/{schedulerTriggerUuid}',
      bodyKey: 'params',
      run: addJobToTrigger,
    },
    {
      api: 'RemoveSchedulerJobFromSchedulerTrigger',
      method: 'DELETE',
      pattern: '/v1/scheduler/jobs/{schedulerJobUuid}/scheduler/triggers/{schedulerTriggerUuid}',
      run: removeJobFromTrigger,
    },
    {
      api: 'DeleteSchedulerJob',
      method: 'DELETE',
      pattern: '/v1/scheduler/jobs/{uuid}',
      run: async (ctx) => {
        await ctx.work()
        ctx.state.scheduler.deleteJob(ctx.path.uuid!)
        return undefined
      },
    },
    {
      api: 'DeleteSchedulerTrigger',
      method: 'DELETE',
      pattern: '/v1/scheduler/triggers/{uuid}',
      run: async (ctx) => {
        await ctx.work()
        ctx.state.scheduler.deleteTrigger(ctx.path.uuid!)
        return undefined
      },
    },
    {
      api: 'ChangeSchedulerState',
      method: 'PUT',
      pattern: '/v1/schedulers/{uuid}/actions',
      bodyKey: 'changeSchedulerState',
      run: changeState,
    },
  ]
}
