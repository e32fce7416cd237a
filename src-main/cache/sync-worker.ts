/**
 * The sync thread: it stays up between syncs (starting a thread and loading the modules costs more
 * than a sync with nothing to do) and runs each job with its own connection to the app database,
 * so paging, JSON parsing and inserts never stall the main process. It talks to the parent only
 * through messages (sync-protocol.ts); each job's source is built here from a serialisable spec.
 */
import { parentPort } from 'node:worker_threads'
import { cancelledError } from '../api/operations.js'
import { lockError } from '../db/errors.js'
import { type Database, openDatabase } from '../db/index.js'
import { isAppError, toEnvelope } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'
import type { InventorySource } from './source.js'
import { CacheStore } from './store.js'
import { SyncEngine } from './sync.js'
import { acquireSyncLock } from './sync-lock.js'
import type { ErrorCause, HostMessage, SourceSpec, WorkerData, WorkerMessage } from './sync-protocol.js'

const port = parentPort!
const jobs = new Map<number, AbortController>()
const post = (m: WorkerMessage) => port.postMessage(m)

port.on('message', (m: HostMessage) => {
  if (m.type === 'run') void run(m.id, m.data)
  else jobs.get(m.id)?.abort(cancelledError())
})

async function loadSource(spec: SourceSpec): Promise<InventorySource> {
  const mod = (await import(spec.module)) as {
    createInventorySource(args: unknown): InventorySource | Promise<InventorySource>
  }
  return mod.createInventorySource(spec.args)
}

/** Well above any one write of a sync (a page, a publish, dropping a snapshot) in another process. */
const SYNC_BUSY_TIMEOUT_MS = 60_000

async function run(id: number, data: WorkerData): Promise<void> {
  const controller = new AbortController()
  jobs.set(id, controller)
  let source: InventorySource | null = null
  let db: Database | null = null
  let release: (() => void) | null = null
  try {
    release = await acquireSyncLock(data.dbFile, data.connectionId, {
      signal: controller.signal,
      onWait: (holder) => post({ type: 'waiting', id, holder }),
    })
    db = openDatabase(data.dbFile)
    // Each page is its own transaction; WAL + NORMAL keeps commits durable without an fsync each.
    db.pragma('synchronous = NORMAL')
    db.pragma(`busy_timeout = ${SYNC_BUSY_TIMEOUT_MS}`)
    source = await loadSource(data.source)
    const engine = new SyncEngine(new CacheStore(db), source, {
      connectionId: data.connectionId,
      mode: data.mode,
      ...(data.pageSize ? { pageSize: data.pageSize } : {}),
      ...(data.overlapMs !== undefined ? { overlapMs: data.overlapMs } : {}),
      signal: controller.signal,
      onProgress: (progress) => post({ type: 'progress', id, progress }),
    })
    post({ type: 'done', id, result: await engine.run() })
  } catch (e) {
    const cancelled = controller.signal.aborted
    const error = cancelled ? cancelledError() : (lockError(e) ?? e)
    post({
      type: 'error',
      id,
      error: toEnvelope(error),
      cancelled,
      ...(isAppError(e) || cancelled ? {} : { cause: causeOf(e) }),
    })
  } finally {
    jobs.delete(id)
    await source?.close?.().catch(() => {})
    db?.close()
    release?.()
  }
}

/** An unexpected error, described for the log (its text may quote data: it is redacted). */
function causeOf(e: unknown): ErrorCause {
  const err: NodeJS.ErrnoException = e instanceof Error ? e : new Error(String(e))
  return { name: err.name, ...(err.code ? { code: err.code } : {}), message: redact(err.message) }
}
