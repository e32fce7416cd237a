import { query } from '../../../src-shared/query/index.js'
import { AppError } from '../../errors/app-error.js'
import type { CallOptions, ZStackClient } from '../client.js'
import type { SchedulerTriggerInventory } from '../inventories.js'
import { runQuery } from '../query-client.js'
import { checkQuartzCron } from './next-runs.js'

/**
 * The limits a 3.0.0 node puts on scheduler calls (spec digest, "Scheduled backups and
 * retention"), checked before anything is sent so the user reads why in their language.
 */

/** 3.0.0 keeps startTime in a 32-bit Unix-seconds column: nothing at or after 2038-01-19 03:14:08 UTC. */
export const MAX_START_SECONDS = 2 ** 31 - 1
/** 3.0.0's cron column is 32 characters. */
export const MAX_CRON_LENGTH = 32
const BACKUP_JOB_TYPES = new Set(['volumeBackup', 'vmBackup', 'databaseBackup'])

function fail(rule: string, en: string, zh: string, details: Record<string, unknown> = {}): never {
  throw new AppError(`zstack.scheduler_${rule}`, { en, zh }, { rule, ...details })
}

export function checkTrigger(p: Record<string, unknown>): void {
  const cron = p.cron as string | undefined
  if (p.schedulerType === 'cron') {
    if (!cron)
      fail('cron_missing', 'A cron trigger needs a cron expression.', 'cron 类型的触发器需要 cron 表达式。')
    if (cron.length > MAX_CRON_LENGTH)
      fail(
        'cron_length',
        `The cron expression has ${cron.length} characters; ZStack 3.0.0 stores at most ${MAX_CRON_LENGTH}.`,
        `cron 表达式有 ${cron.length} 个字符；ZStack 3.0.0 最多保存 ${MAX_CRON_LENGTH} 个。`,
        { length: cron.length },
      )
    checkQuartzCron(cron)
  } else {
    if (cron !== undefined)
      fail(
        'cron_not_cron',
        'A cron expression is only taken by a trigger of type "cron".',
        'cron 表达式只能用于 "cron" 类型的触发器。',
      )
    if (p.startTime === undefined)
      fail('simple_start', 'A simple trigger needs a start time.', 'simple 类型的触发器需要开始时间。')
    const interval = p.schedulerInterval as number | undefined
    if (interval === undefined || interval < 1)
      fail(
        'simple_interval',
        'A simple trigger needs an interval of at least 1 second.',
        'simple 类型的触发器需要至少 1 秒的间隔。',
      )
    if (((p.repeatCount as number | undefined) ?? 0) < 0)
      fail('repeat_count', 'The repeat count cannot be negative.', '重复次数不能为负数。')
  }
  const start = p.startTime as number | undefined
  if (start !== undefined && (start < 0 || start > MAX_START_SECONDS))
    fail(
      'start_time',
      'The start time must be between now and 2038-01-19 (ZStack 3.0.0 keeps it in 32 bits).',
      '开始时间必须早于 2038-01-19（ZStack 3.0.0 以 32 位保存）。',
      { startTime: start },
    )
}

/** A backup job keeps the newest N on named stores: an empty store list never means "every store". */
export function checkJob(p: Record<string, unknown>): void {
  if (!BACKUP_JOB_TYPES.has(p.type as string)) return
  const params = (p.parameters ?? {}) as Record<string, string>
  const n = Number(params.retentionValue)
  if (params.retentionType !== 'Count' || !Number.isInteger(n) || n < 1)
    fail(
      'retention',
      'A backup schedule keeps the newest N backups: retentionType "Count" and a retentionValue of at least 1.',
      '备份计划保留最新的 N 个备份：retentionType 为 "Count"，retentionValue 至少为 1。',
    )
  if (parseStoreList(params.backupStorageUuids).length === 0)
    fail('stores', 'Choose at least one image store for the backups.', '请至少选择一个镜像仓库保存备份。')
}

/**
 * The form of `backupStorageUuids` in a job's parameters is a guess (spec digest): read a JSON
 * list or a comma list; anything else is no stores.
 */
export function parseStoreList(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string')
  if (typeof value !== 'string' || value.trim() === '') return []
  if (value.trim().startsWith('[')) {
    try {
      return parseStoreList(JSON.parse(value))
    } catch {
      return []
    }
  }
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

async function checkNotAttached(client: ZStackClient, p: Record<string, unknown>, options: CallOptions) {
  const reply = await runQuery<SchedulerTriggerInventory>(
    client,
    'schedulerTriggers',
    query().where('uuid', '=', String(p.schedulerTriggerUuid)).build(),
    options,
  )
  if (reply.inventories[0]?.jobsUuid?.includes(String(p.schedulerJobUuid)))
    fail(
      'already_attached',
      'This job is already attached to this trigger; ZStack 3.0.0 would run it twice.',
      '该任务已添加到此触发器；ZStack 3.0.0 会重复执行。',
    )
}

/** The pre-send check of each scheduler call (none for other APIs). */
export async function checkSchedulerCall(
  client: ZStackClient,
  api: string,
  p: Record<string, unknown>,
  options: CallOptions,
): Promise<void> {
  if (api === 'CreateSchedulerTrigger') checkTrigger(p)
  else if (api === 'CreateSchedulerJob') checkJob(p)
  else if (api === 'AddSchedulerJobToSchedulerTrigger') await checkNotAttached(client, p, options)
}
