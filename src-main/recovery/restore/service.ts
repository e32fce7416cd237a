import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { RestorePlan, RestoreRunSummary } from '../../api/contract/restore.js'
import type { SshHostRequest } from '../../api/contract/ssh.js'
import type { EventBus } from '../../api/event-bus.js'
import type { OperationControl, OperationRegistry } from '../../api/operations.js'
import type { Database } from '../../db/index.js'
import { AppError } from '../../errors/app-error.js'
import { redact, registerSecret } from '../../errors/redact.js'
import type { SshSessionOptions } from '../../ssh/connector.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { mysqlRootPasswordKey } from '../../vault/keys.js'
import type { BackupCatalog } from '../scan/catalog.js'
import { type RestoreRunOptions, type RestoreRunResult, runRestore } from './engine.js'
import type { RestoreSettings } from './preflight.js'
import { RestoreRuns } from './runs-store.js'

/** What a plan or run request carries once validated (see `restoreRequest` in the contract). */
export interface RestoreJob {
  target: SshHostRequest
  session: SshSessionOptions
  backup: { file: string } | { backupId: number }
  mysql: Omit<RestoreSettings['mysql'], 'password'> & { rootPassword?: string | undefined }
  skipUi: boolean
  safetyDir?: string | undefined
  zstackCtl?: string | undefined
  acceptDrift: boolean
  keepHa: boolean
}

export interface RestoreServiceDeps {
  db: Database
  bus: EventBus
  ops: OperationRegistry
  dataDir: string
  connector: {
    connect(req: SshHostRequest, session: SshSessionOptions, signal?: AbortSignal): Promise<RemoteHost>
    label(req: SshHostRequest, session: SshSessionOptions): Promise<string>
  }
  vault: { get(key: string): Promise<string | null> }
  catalog: BackupCatalog
  /** Copies a catalogued backup here (the `db.fetch` work) and returns the local path. */
  fetch(backupId: number, session: SshSessionOptions, op: OperationControl): Promise<string>
}

interface Waiting {
  expected: string
  resolve(ok: boolean): void
}

/**
 * Plans and runs restores for every door: each run is an operation (progress, cancel) whose log
 * goes out as `restore.log` events, waits for the typed host name through `confirm`, and lands in
 * the `restore_runs` history with its evidence report.
 */
export class RestoreService {
  private readonly runs: RestoreRuns
  private readonly waiting = new Map<string, Waiting>()

  constructor(private readonly deps: RestoreServiceDeps) {
    this.runs = new RestoreRuns(deps.db)
  }

  get reportDir(): string {
    return join(this.deps.dataDir, 'restore')
  }

  /** Preflight only: connects, checks, returns the plan. Changes nothing (a dry-run report is kept). */
  async plan(job: RestoreJob, runId: string): Promise<RestorePlan> {
    const backupFile = this.fetchedFile(job.backup)
    const result = await this.execute(job, backupFile, runId, { dryRun: true, confirm: async () => false })
    if (!result.plan)
      throw new AppError(result.error?.code ?? 'restore.internal', result.error?.message ?? unexpected)
    return result.plan
  }

  /** Starts a run (fetching a catalogued backup first); it waits for `confirm` unless `yes`. */
  run(job: RestoreJob, yes: boolean): { opId: string; done: Promise<RestoreRunResult> } {
    const what = { label: 'Restore the management database', subject: redact(job.target.host) }
    return this.deps.ops.start('restore', what, async (op) => {
      const backupFile =
        'file' in job.backup ? job.backup.file : await this.deps.fetch(job.backup.backupId, job.session, op)
      const result = await this.execute(job, backupFile, op.opId, {
        confirm: (plan) =>
          yes
            ? Promise.resolve(true)
            : new Promise<boolean>((resolve) => {
                this.waiting.set(op.opId, { expected: plan.confirmationText, resolve })
                op.signal.addEventListener('abort', () => resolve(false), { once: true })
              }),
        yes,
        progress: (u) => op.progress(u),
        signal: op.signal,
      }).finally(() => this.waiting.delete(op.opId))
      if (result.outcome !== 'restored') {
        throw new AppError(
          result.error?.code ?? `restore.${result.outcome}`,
          result.error?.message ?? unexpected,
          {
            outcome: result.outcome,
            report: result.reportPaths.text,
          },
        )
      }
      return result
    })
  }

  /** The typed host name must match what the plan showed, exactly (surrounding spaces aside). */
  confirm(opId: string, typedHostName: string, abort: boolean): boolean {
    const waiting = this.waiting.get(opId)
    if (!waiting) return false
    if (abort) {
      waiting.resolve(false)
      return false
    }
    if (typedHostName.trim() !== waiting.expected) return false
    waiting.resolve(true)
    return true
  }

  history(limit: number): RestoreRunSummary[] {
    return this.runs.list(limit)
  }

  private fetchedFile(backup: RestoreJob['backup']): string {
    if ('file' in backup) return backup.file
    const copy = this.deps.catalog.get(backup.backupId)?.fetched
    if (copy && existsSync(copy.localPath)) return copy.localPath
    throw new AppError('restore.backup_not_fetched', {
      en: `Backup #${backup.backupId} has no copy on this computer yet: fetch it first (zsdr db fetch ${backup.backupId}).`,
      zh: `备份 #${backup.backupId} 在本机还没有副本：请先获取（zsdr db fetch ${backup.backupId}）。`,
    })
  }

  private async execute(
    job: RestoreJob,
    backupFile: string,
    runId: string,
    options: Pick<RestoreRunOptions, 'confirm' | 'yes' | 'dryRun' | 'progress' | 'signal'>,
  ): Promise<RestoreRunResult> {
    const label = await this.deps.connector.label(job.target, job.session)
    const password = job.mysql.rootPassword ?? (await this.deps.vault.get(mysqlRootPasswordKey(label)))
    if (password === null) {
      throw new AppError('restore.mysql_password_missing', {
        en: `No MySQL root password for ${label}: type it, or keep it in the keychain.`,
        zh: `没有 ${label} 的 MySQL root 密码：请输入，或保存在系统钥匙串中。`,
      })
    }
    registerSecret(password)
    const { rootPassword: _omit, ...mysql } = job.mysql
    this.runs.started(runId, label, backupFile)
    const result = await runRestore({
      runId,
      settings: {
        backupFile,
        mysql: { ...mysql, password },
        skipUi: job.skipUi,
        laptopDir: this.reportDir,
        acceptDrift: job.acceptDrift,
        keepHa: job.keepHa,
        ...(job.safetyDir ? { safetyDir: job.safetyDir } : {}),
        ...(job.zstackCtl ? { zstackCtl: job.zstackCtl } : {}),
      },
      connect: () => this.deps.connector.connect(job.target, job.session, options.signal),
      sinks: [(entry) => this.deps.bus.emit('restore.log', entry)],
      ...options,
    })
    this.runs.finished(result, result.steps)
    return result
  }
}

const unexpected = { en: 'The restore did not complete.', zh: '恢复未完成。' }
