import { z } from 'zod'
import type { ErrorEnvelope, LocalizedText } from '../../errors/app-error.js'
import { opId } from './app.js'
import { defineCall, defineEvent } from './define.js'
import type { RestoreDrift, VmHaPlan } from './restore-drift.js'
import { sshHostSchema, sshSessionFields } from './ssh.js'

/** Steps of a restore run, in order; `rollback*` only run when something failed after the first drop. */
export type RestoreStepId =
  | 'preflight'
  | 'confirm'
  | 'safety_dump'
  | 'stop_node'
  | 'restore'
  | 'verify'
  | 'vm_ha'
  | 'rollback'
  | 'verify_rollback'
  | 'start_node'
  | 'report'

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'unknown'

/** One line of the preflight plan. `fail` blocks the restore; `warn` and `unknown` are shown. */
export interface PlanCheck {
  id:
    | 'ssh'
    | 'tools'
    | 'mysql_login'
    | 'backup_integrity'
    | 'backup_statements'
    | 'version'
    | 'node_status'
    | 'disk_host'
    | 'disk_laptop'
    | 'databases'
    | 'drift'
    | 'vm_ha'
  status: CheckStatus
  text: LocalizedText
  /** The error behind a failed check, when one says it (the window words some codes its own way). */
  error?: ErrorEnvelope
}

export interface BackupFacts {
  path: string
  sha256: string
  size: number
  uncompressedSize: number
  /** Highest Flyway version in the dump's `zstack.schema_version`. */
  schemaVersion: string | null
  databases: { name: string; tables: number; rows: number }[]
}

export interface RestorePlan {
  target: { label: string; hostName: string | null; hostKeyFingerprint: string | null }
  backup: BackupFacts | null
  mysql: {
    host: string | null
    port: number | null
    socket: string | null
    /** Where the endpoint came from: flags, the node's zstack.properties, or the localhost:3306 default. */
    source: 'options' | 'zstack.properties' | 'default'
  }
  node: { zstackCtl: boolean; running: boolean | null; schemaVersion: string | null }
  safetyDump: {
    hostDir: string
    estimatedBytes: number
    hostFreeBytes: number | null
    laptopFreeBytes: number | null
  }
  /** Databases that will be dropped and restored, in order. */
  databases: string[]
  /** What the restore would undo: live resources compared with the backup's rows. */
  drift: RestoreDrift
  vmHa: VmHaPlan
  checks: PlanCheck[]
  /** True when no check failed: the restore may go ahead after confirmation. */
  ok: boolean
  /** What the user must type to confirm (the host's name as it reports it). */
  confirmationText: string
}

export type * from './restore-drift.js'

export type RestoreOutcome = 'dry_run' | 'refused' | 'restored' | 'rolled_back' | 'rollback_failed' | 'failed'

export interface RestoreLogEntry {
  opId: string
  seq: number
  at: string
  level: 'info' | 'warn' | 'error'
  step: RestoreStepId
  message: string
  /** Present once, when the plan is ready and the run waits for the typed host name. */
  awaitingConfirmation?: RestorePlan
  /** Present on the last entry. */
  outcome?: RestoreOutcome
  reportPaths?: { json: string; text: string }
}

export interface RestoreRunSummary {
  runId: string
  startedAt: string
  finishedAt: string | null
  target: string
  backupPath: string
  outcome: RestoreOutcome | 'running'
  reportJson: string | null
  reportText: string | null
}

const mysqlOptions = z
  .object({
    host: z.string().min(1).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    socket: z.string().min(1).optional(),
    /** Sent by the window or CLI, registered as a secret on arrival; never stored or logged. Absent: the keychain. */
    rootPassword: z.string().max(1000).optional(),
    propertiesPath: z.string().min(1).optional(),
  })
  .strict()

export const restoreRequest = z
  .object({
    /** The management-node host. */
    target: sshHostSchema,
    ...sshSessionFields,
    /** A file on this computer, or a backup from the catalog of `db.scan` (fetched first when needed). */
    backup: z.union([
      z.object({ file: z.string().min(1).max(4096) }).strict(),
      z.object({ backupId: z.number().int().positive() }).strict(),
    ]),
    mysql: mysqlOptions,
    skipUi: z.boolean().default(false),
    /** Folder on the host for the safety dump (zstack-ctl's own backup folder by default). */
    safetyDir: z.string().min(1).optional(),
    /** zstack-ctl on the host when it is not on the PATH of the SSH user. */
    zstackCtl: z.string().min(1).optional(),
    /** Go on although volumes' install paths differ (zstack-ctl would refuse); recorded in the report. */
    acceptDrift: z.boolean().default(false),
    /** Leave VM HA as the backup has it instead of switching it off in the restored database. */
    keepHa: z.boolean().default(false),
  })
  .strict()

export const restoreCalls = {
  /** Runs the preflight only and returns the plan; changes nothing anywhere. */
  'restore.plan': defineCall<RestorePlan>()(() => restoreRequest),
  /** Starts a run; it waits for `restore.confirm` unless `yes` (scripts). Progress and log arrive as events. */
  'restore.run': defineCall<{ opId: string }>()(() =>
    restoreRequest.extend({ yes: z.boolean().default(false) }).strict(),
  ),
  /** Confirms a waiting run by typing the host's name; a wrong name is refused and the run keeps waiting. */
  'restore.confirm': defineCall<{ accepted: boolean }>()(() =>
    z.object({ opId, typedHostName: z.string(), abort: z.boolean().default(false) }).strict(),
  ),
  'restore.runs': defineCall<RestoreRunSummary[]>()(() =>
    z.object({ limit: z.number().int().min(1).max(500).default(50) }).strict(),
  ),
}

export const restoreEvents = {
  'restore.log': defineEvent<RestoreLogEntry>(),
}
