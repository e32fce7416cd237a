import { join } from 'node:path'
import type { RestorePlan, RestoreRunSummary } from '../../api/contract/restore.js'
import type { EventBus } from '../../api/event-bus.js'
import type { OperationRegistry } from '../../api/operations.js'
import type { Database } from '../../db/index.js'
import { AppError } from '../../errors/app-error.js'
import { registerSecret } from '../../errors/redact.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { type RestoreRunOptions, type RestoreRunResult, runRestore } from './engine.js'
import type { RestoreSettings } from './preflight.js'
import { RestoreRuns } from './runs-store.js'

/** What a plan or run request carries once validated (see `restoreRequest` in the contract). */
export interface RestoreJob<Target> {
  target: Target
  backupFile: string
  mysql: Omit<RestoreSettings['mysql'], 'password'> & { rootPassword?: string | undefined }
  skipUi: boolean
  safetyDir?: string | undefined
  zstackCtl?: string | undefined
}

export interface RestoreServiceDeps<Target> {
  db: Database
  bus: EventBus
  ops: OperationRegistry
  dataDir: string
  /** Opens the management-node host; called again to reconnect for a rollback. */
  connect(target: Target, signal?: AbortSignal): Promise<RemoteHost>
  /** The `user@host:port` a target stands for (report, history, keychain key). */
  label(target: Target): Promise<string>
  /** The MySQL root password remembered in the keychain for a host, if any. */
  rememberedPassword?(label: string): Promise<string | null>
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
export class RestoreService<Target> {
  private readonly runs: RestoreRuns
  private readonly waiting = new Map<string, Waiting>()

  constructor(private readonly deps: RestoreServiceDeps<Target>) {
    this.runs = new RestoreRuns(deps.db)
  }

  get reportDir(): string {
    return join(this.deps.dataDir, 'restore')
  }

  /** Preflight only: connects, checks, returns the plan. Changes nothing (a dry-run report is kept). */
  async plan(job: RestoreJob<Target>, runId: string): Promise<RestorePlan> {
    const result = await this.execute(job, runId, { dryRun: true, confirm: async () => false })
    if (!result.plan)
      throw new AppError(result.error?.code ?? 'restore.internal', result.error?.message ?? unexpected)
    return result.plan
  }

  /** Starts a run; it waits for `confirm` unless `yes`. */
  run(job: RestoreJob<Target>, yes: boolean): { opId: string; done: Promise<RestoreRunResult> } {
    return this.deps.ops.start('restore', `Restore ${job.backupFile}`, async (op) => {
      const result = await this.execute(job, op.opId, {
        confirm: (plan) =>
          yes
            ? Promise.resolve(true)
            : new Promise<boolean>((resolve) => {
                this.waiting.set(op.opId, { expected: plan.confirmationText, resolve })
                op.signal.addEventListener('abort', () => resolve(false), { once: true })
              }),
        progress: (u) => op.progress(u),
        signal: op.signal,
      }).finally(() => this.waiting.delete(op.opId))
      if (result.outcome !== 'restored') {
        throw new AppError(
          result.error?.code ?? `restore.${result.outcome}`,
          result.error?.message ?? unexpected,
          { outcome: result.outcome, report: result.reportPaths.text },
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

  private async execute(
    job: RestoreJob<Target>,
    runId: string,
    options: Pick<RestoreRunOptions, 'confirm' | 'dryRun' | 'progress' | 'signal'>,
  ): Promise<RestoreRunResult> {
    const label = await this.deps.label(job.target)
    const password = job.mysql.rootPassword ?? (await this.deps.rememberedPassword?.(label)) ?? null
    if (password === null) {
      throw new AppError('restore.mysql_password_missing', {
        en: `No MySQL root password for ${label}: type it, or keep it in the keychain.`,
        zh: `没有 ${label} 的 MySQL root 密码：请输入，或保存在系统钥匙串中。`,
      })
    }
    registerSecret(password)
    const { rootPassword: _omit, ...mysql } = job.mysql
    this.runs.started(runId, label, job.backupFile)
    const result = await runRestore({
      runId,
      settings: {
        backupFile: job.backupFile,
        mysql: { ...mysql, password },
        skipUi: job.skipUi,
        laptopDir: this.reportDir,
        ...(job.safetyDir ? { safetyDir: job.safetyDir } : {}),
        ...(job.zstackCtl ? { zstackCtl: job.zstackCtl } : {}),
      },
      connect: () => this.deps.connect(job.target, options.signal),
      sinks: [(entry) => this.deps.bus.emit('restore.log', entry)],
      ...options,
    })
    this.runs.finished(result, result.steps)
    return result
  }
}

const unexpected = { en: 'The restore did not complete.', zh: '恢复未完成。' }
