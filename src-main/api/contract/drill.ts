import { z } from 'zod'
import { defineCall, defineEvent } from './define.js'
import { restoreRequest } from './restore.js'

/** `refused`: the drill did not start (the restore would refuse the backup, no room, no server binary). */
export type DrillOutcome = 'passed' | 'failed' | 'refused'

/** ZStack's own sanity counts in the restored copy. */
export interface DrillSanity {
  adminAccounts: number
  hosts: number
  vms: number
  primaryStorages: number
  backupStorages: number
}

/** One drill of one backup: the row the catalog keeps and the CLI prints. */
export interface DrillRunSummary {
  runId: string
  /** The catalog backup, when the drill was of one (null for a file given by path). */
  backupId: number | null
  backupPath: string
  backupSha256: string | null
  /** Where the scratch server ran (`user@host:port`). */
  host: string
  startedAt: string
  finishedAt: string | null
  outcome: DrillOutcome | 'running'
  /** How long the restore into the scratch server took: the recovery time this backup needs on this host. */
  restoreMs: number | null
  firstError: { code: string; message: string } | null
  sanity: DrillSanity | null
  /** True when the production databases' checksums were the same before and after; null when not measured. */
  productionUnchanged: boolean | null
  reportJson: string | null
  reportText: string | null
}

export interface DrillLogEntry {
  opId: string
  at: string
  level: 'info' | 'warn' | 'error'
  message: string
}

export const drillRequest = restoreRequest
  .pick({ target: true, backup: true, acceptNewHostKey: true, knownHostsFile: true, sshConfigFile: true })
  .extend({
    /** Folder on the host for the scratch server (default /tmp). */
    tempDir: z
      .string()
      .regex(/^\/[A-Za-z0-9._+/-]{0,200}$/)
      .optional(),
    /** Room kept free beyond the estimate, MiB. */
    diskMarginMb: z.number().int().min(0).max(1_000_000).optional(),
    /** The live server, only read (CHECKSUM TABLE before and after) to show it was not touched. */
    mysql: restoreRequest.shape.mysql.optional(),
  })
  .strict()

export const drillCalls = {
  /** Starts a drill (fetching a catalogued backup first); the log arrives as `drill.log` events. */
  'drill.run': defineCall<{ opId: string }>()(() => drillRequest),
  /** Drill history, newest first; with `backupId`, that backup's drills only. */
  'drill.runs': defineCall<DrillRunSummary[]>()(() =>
    z
      .object({
        limit: z.number().int().min(1).max(500).default(50),
        backupId: z.number().int().positive().optional(),
        runId: z.string().max(64).optional(),
      })
      .strict(),
  ),
  /** The newest drill of every catalogued backup that has one (all of them: one row per backup). */
  'drill.latest': defineCall<DrillRunSummary[]>()(() => z.object({}).strict()),
}

export const drillEvents = {
  'drill.log': defineEvent<DrillLogEntry>(),
}
