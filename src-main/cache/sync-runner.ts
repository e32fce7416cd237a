import { Worker } from 'node:worker_threads'
import { cancelledError } from '../api/operations.js'
import { AppError } from '../errors/app-error.js'
import type { Logger } from '../log/logger.js'
import type { SyncProgress, SyncResult } from './sync.js'
import type { SyncLockHolder } from './sync-lock.js'
import type { HostMessage, WorkerData, WorkerMessage } from './sync-protocol.js'

/** How long a cancelled job may take to stop on its own before the worker is terminated. */
const CANCEL_GRACE_MS = 5_000

/**
 * The worker's script: the TypeScript sources run through tsx (development, tests, CLI); a build
 * ships the compiled `sync-worker.js` beside this module.
 */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('./sync-worker-boot.mjs', import.meta.url)
    : new URL('./sync-worker.js', import.meta.url)
}

export interface RunControl {
  signal?: AbortSignal
  onProgress?: (p: SyncProgress) => void
  /** Another process is syncing this connection: this job waits for it (said once). */
  onWait?: (holder: SyncLockHolder) => void
  /** Test hook: the Worker running the job, so a test can kill it mid-sync as a crash would. */
  onWorker?: (worker: Worker) => void
}

interface Pending {
  resolve(r: SyncResult): void
  reject(e: unknown): void
  control: RunControl
}

/**
 * One sync thread, started on first use and kept while the app runs; it does not keep the process
 * alive when idle. If it dies (crash, kill), every job on it fails with `cache.sync_worker_died`
 * and the next job starts a fresh thread.
 */
export class SyncWorkerHost {
  private worker: Worker | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()

  /** `log` receives what an unexpected failure in the thread was (the job itself fails with `internal`). */
  constructor(private readonly log?: Logger) {}

  run(data: WorkerData, control: RunControl = {}): Promise<SyncResult> {
    const worker = this.ensure()
    const id = this.nextId++
    return new Promise<SyncResult>((resolve, reject) => {
      const onAbort = () => {
        worker.postMessage({ type: 'cancel', id } satisfies HostMessage)
        setTimeout(() => {
          if (this.pending.has(id)) void worker.terminate()
        }, CANCEL_GRACE_MS).unref()
      }
      const finish = () => {
        control.signal?.removeEventListener('abort', onAbort)
        this.pending.delete(id)
        if (this.pending.size === 0) worker.unref()
      }
      this.pending.set(id, {
        resolve: (r) => {
          finish()
          resolve(r)
        },
        reject: (e) => {
          finish()
          reject(e)
        },
        control,
      })
      worker.ref()
      control.onWorker?.(worker)
      worker.postMessage({ type: 'run', id, data } satisfies HostMessage)
      if (control.signal?.aborted) onAbort()
      else control.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  async close(): Promise<void> {
    const w = this.worker
    this.worker = null
    await w?.terminate()
  }

  private ensure(): Worker {
    if (this.worker) return this.worker
    const worker = new Worker(workerUrl())
    worker.unref()
    worker.on('message', (m: WorkerMessage) => {
      const job = this.pending.get(m.id)
      if (!job) return
      if (m.type === 'progress') job.control.onProgress?.(m.progress)
      else if (m.type === 'waiting') job.control.onWait?.(m.holder)
      else if (m.type === 'done') job.resolve(m.result)
      else {
        if (m.cause) this.log?.error({ cause: m.cause, code: m.error.code }, 'cache sync failed')
        job.reject(
          m.cancelled ? cancelledError() : new AppError(m.error.code, m.error.message, m.error.details),
        )
      }
    })
    const died = (how: string) => {
      if (this.worker === worker) this.worker = null
      for (const job of [...this.pending.values()]) {
        job.reject(job.control.signal?.aborted ? cancelledError() : workerDied(how))
      }
    }
    worker.on('error', () => died('crashed'))
    worker.on('exit', (code) => died(`exited (code ${code})`))
    this.worker = worker
    return worker
  }
}

/** The process-wide sync thread, for callers without a service (benchmarks, scripts). */
const shared = new SyncWorkerHost()

export function runSyncInWorker(data: WorkerData, control: RunControl = {}): Promise<SyncResult> {
  return shared.run(data, control)
}

function workerDied(how: string): AppError {
  return new AppError(
    'cache.sync_worker_died',
    {
      en: `The sync stopped unexpectedly (its worker ${how}). The previous offline inventory is intact; run the sync again.`,
      zh: `同步意外中止（工作线程${how === 'crashed' ? '崩溃' : '退出'}）。之前的离线清单完好无损；请重新同步。`,
    },
    { how },
  )
}
