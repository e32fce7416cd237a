import { Worker } from 'node:worker_threads'
import { cancelledError } from '../api/operations.js'
import { AppError, type ErrorEnvelope } from '../errors/app-error.js'
import type { Logger } from '../log/logger.js'
import type { SourceReply } from './source.js'
import type { Inventory } from './store.js'
import type { SyncProgress, SyncResult } from './sync.js'
import type { SyncLockHolder } from './sync-lock.js'
import type { HostMessage, ReplyJob, WorkerData, WorkerMessage } from './sync-protocol.js'

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

interface PendingReply {
  /** Row slices as JSON text, parsed one per event-loop turn once the reply is complete. */
  slices: string[]
  resolve(r: SourceReply): void
  reject(e: unknown): void
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
  private readonly replies = new Map<number, PendingReply>()

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
        this.unrefIfIdle(worker)
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

  /**
   * Parses a node's reply to a live query in the thread, writes its whole inventories into the
   * cache there (`job.refresh`), and hands the rows back in slices, so that neither the parse nor
   * the write of a big answer holds up the main thread's other calls.
   */
  convertReply(job: ReplyJob): Promise<SourceReply> {
    const worker = this.ensure()
    const id = this.nextId++
    return new Promise<SourceReply>((resolve, reject) => {
      const settle = () => {
        this.replies.delete(id)
        this.unrefIfIdle(worker)
      }
      this.replies.set(id, {
        slices: [],
        resolve: (r) => {
          settle()
          resolve(r)
        },
        reject: (e) => {
          settle()
          reject(e)
        },
      })
      worker.ref()
      worker.postMessage({ type: 'reply', id, job } satisfies HostMessage)
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
      const reply = this.replies.get(m.id)
      if (reply) return this.onReplyMessage(reply, m)
      const job = this.pending.get(m.id)
      if (!job) return
      if (m.type === 'progress') job.control.onProgress?.(m.progress)
      else if (m.type === 'waiting') job.control.onWait?.(m.holder)
      else if (m.type === 'done') job.resolve(m.result)
      else if (m.type === 'error') {
        if (m.cause) this.log?.error({ cause: m.cause, code: m.error.code }, 'cache sync failed')
        job.reject(m.cancelled ? cancelledError() : fromEnvelope(m.error))
      }
    })
    const died = (how: string) => {
      if (this.worker === worker) this.worker = null
      for (const job of [...this.pending.values()]) {
        job.reject(job.control.signal?.aborted ? cancelledError() : workerDied(how))
      }
      for (const reply of [...this.replies.values()]) reply.reject(workerDied(how))
    }
    worker.on('error', () => died('crashed'))
    worker.on('exit', (code) => died(`exited (code ${code})`))
    this.worker = worker
    return worker
  }

  private onReplyMessage(reply: PendingReply, m: WorkerMessage): void {
    if (m.type === 'rows') reply.slices.push(m.json)
    else if (m.type === 'error') reply.reject(fromEnvelope(m.error))
    else if (m.type === 'replied') {
      if (m.refreshError) this.log?.warn({ cause: m.refreshError }, 'cache refresh from a live query skipped')
      const total = m.total === undefined ? {} : { total: m.total }
      if (!m.inventories) return reply.resolve(total)
      assemble(reply.slices).then((inventories) => reply.resolve({ inventories, ...total }), reply.reject)
    }
  }

  private unrefIfIdle(worker: Worker): void {
    if (this.pending.size === 0 && this.replies.size === 0) worker.unref()
  }
}

/** Parses the slices one per event-loop turn: other calls run in between. */
async function assemble(slices: readonly string[]): Promise<Inventory[]> {
  const rows: Inventory[] = []
  for (const slice of slices) {
    await new Promise((resolve) => setImmediate(resolve))
    for (const row of JSON.parse(slice) as Inventory[]) rows.push(row)
  }
  return rows
}

function fromEnvelope(e: ErrorEnvelope): AppError {
  return new AppError(e.code, e.message, e.details)
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
