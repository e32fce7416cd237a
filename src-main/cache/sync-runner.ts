import { Worker } from 'node:worker_threads'
import { cancelledError } from '../api/operations.js'
import { AppError } from '../errors/app-error.js'
import type { SyncProgress, SyncResult } from './sync.js'
import type { WorkerData, WorkerMessage } from './sync-protocol.js'

/** How long a cancelled worker may take to stop on its own before it is terminated. */
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
  /** Test hook: the Worker, so a test can kill it mid-sync as a crash would. */
  onWorker?: (worker: Worker) => void
}

/** Runs one sync in a worker thread; resolves with its result or rejects with an AppError. */
export function runSyncInWorker(data: WorkerData, control: RunControl = {}): Promise<SyncResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl(), { workerData: data })
    control.onWorker?.(worker)
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      control.signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' })
      setTimeout(() => void worker.terminate(), CANCEL_GRACE_MS).unref()
    }
    if (control.signal?.aborted) onAbort()
    else control.signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') control.onProgress?.(m.progress)
      else if (m.type === 'done') settle(() => resolve(m.result))
      else
        settle(() =>
          reject(
            m.cancelled ? cancelledError() : new AppError(m.error.code, m.error.message, m.error.details),
          ),
        )
    })
    worker.on('error', () => settle(() => reject(workerDied('crashed'))))
    worker.on('exit', (code) =>
      settle(() => reject(control.signal?.aborted ? cancelledError() : workerDied(`exited (code ${code})`))),
    )
  })
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
