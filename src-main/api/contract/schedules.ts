import { z } from 'zod'
import type { ErrorEnvelope, LocalizedText } from '../../errors/app-error.js'
import type { CacheAge } from './cache.js'
import { weekDays } from './choices.js'
import { defineCall } from './define.js'

/**
 * Backup schedules on a management node's own scheduler (3.0.0: one job plus one trigger each);
 * issue 16, spec digest "Scheduled backups and retention".
 */

const uuid = z.string().regex(/^[0-9a-f]{32}$/, 'a ZStack uuid is 32 lowercase hex characters')
const connectionId = z.string().regex(/^[0-9a-f]{16}$/, 'a connection id is 16 hex characters')
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM (24 hours)')
export const scheduleTypes = ['volumeBackup', 'vmBackup', 'databaseBackup'] as const

/** When a schedule runs: a preset, or a Quartz cron as typed. */
export const scheduleWhen = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('hourly'), minute: z.number().int().min(0).max(59) }).strict(),
  z.object({ kind: z.literal('daily'), time }).strict(),
  z.object({ kind: z.literal('weekly'), days: z.array(z.enum(weekDays)).min(1), time }).strict(),
  z.object({ kind: z.literal('cron'), cron: z.string().min(1).max(200) }).strict(),
])
export type ScheduleWhen = z.infer<typeof scheduleWhen>

/** An IANA time zone (the node's); the host's when not given. */
const timeZone = z.string().min(1).max(64).optional()

export interface ScheduleRow {
  jobUuid: string
  name: string
  /** From the job's data (the inventory has no type: a guess at jobData's content); null when unknown. */
  type: string | null
  targetUuid: string | null
  /** The VM's or volume's name; null when not found (or a database backup). */
  targetName: string | null
  state: string
  triggerUuids: string[]
  cron: string | null
  /** A simple trigger's interval in seconds. */
  intervalSeconds: number | null
  /** The cron or interval in words. */
  when: LocalizedText | null
  /** ISO times of the next 5 runs in `timeZone`; empty when paused or ended. */
  nextRuns: string[]
  keep: number | null
  storeUuids: string[]
}

/** The schedule list, saying where it came from: the node, or the offline cache when the node is down (read-only). */
export interface ScheduleList {
  source: 'node' | 'cache'
  rows: ScheduleRow[]
  /** The cached jobs' age, when the list comes from the cache. */
  cache?: CacheAge
  /** Why the node was not used (when the list comes from the cache). */
  nodeError?: ErrorEnvelope
}

export interface SchedulePreview {
  cron: string
  when: LocalizedText
  nextRuns: string[]
}

export const scheduleCalls = {
  /** Every backup schedule of a connection, read from the node; from the offline cache when the node is down. */
  'schedules.list': defineCall<ScheduleList>()(() => z.object({ connectionId, timeZone }).strict()),
  /** The Quartz cron of `when`, in words, and its next 5 runs (checked as the node will check it). */
  'schedules.preview': defineCall<SchedulePreview>()(() =>
    z.object({ when: scheduleWhen, timeZone }).strict(),
  ),
  /** One job plus one trigger, attached; a failure after the job was made deletes what was made. */
  'schedules.create': defineCall<ScheduleRow>()(() =>
    z
      .object({
        connectionId,
        name: z.string().min(1).max(255),
        type: z.enum(scheduleTypes),
        targetUuid: uuid,
        storeUuids: z.array(uuid).min(1, 'choose at least one image store'),
        keep: z.number().int().min(1).max(1000),
        when: scheduleWhen,
        timeZone,
      })
      .strict(),
  ),
  /** Pause (disable) or resume (enable): ChangeSchedulerState. */
  'schedules.setState': defineCall<{ state: string }>()(() =>
    z.object({ connectionId, jobUuid: uuid, enabled: z.boolean() }).strict(),
  ),
  /** Deletes the job, and each of its triggers that no other job uses. */
  'schedules.delete': defineCall<{ deletedTriggers: string[]; keptTriggers: string[] }>()(() =>
    z.object({ connectionId, jobUuid: uuid }).strict(),
  ),
  /**
   * 3.0.0 cannot change a job's retention or stores: deletes the schedule and creates it again
   * with the same name, target and timing. `confirmRecreate` is the user's yes to exactly that.
   */
  'schedules.recreate': defineCall<ScheduleRow>()(() =>
    z
      .object({
        connectionId,
        jobUuid: uuid,
        keep: z.number().int().min(1).max(1000),
        storeUuids: z.array(uuid).min(1, 'choose at least one image store'),
        confirmRecreate: z.literal(true),
        timeZone,
      })
      .strict(),
  ),
}
