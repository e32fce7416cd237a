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
import { type CallSite, malformedReply } from '../zstack/errors.js'
import type { InventorySource, SourceReply } from './source.js'
import { CacheStore, type Inventory } from './store.js'
import { SyncEngine } from './sync.js'
import { acquireSyncLock } from './sync-lock.js'
import type {
  ErrorCause,
  HostMessage,
  ReplyJob,
  SourceSpec,
  WorkerData,
  WorkerMessage,
} from './sync-protocol.js'

const port = parentPort!
const jobs = new Map<number, AbortController>()
const post = (m: WorkerMessage) => port.postMessage(m)

port.on('message', (m: HostMessage) => {
  if (m.type === 'run') void run(m.id, m.data)
  else if (m.type === 'reply') convert(m.id, m.job)
  else jobs.get(m.id)?.abort(cancelledError())
})

/** Rows per slice sent back: one slice parses in a few ms on the parent's thread. */
const ROWS_PER_MESSAGE = 250
/** One connection per database file for replies, kept while the thread lives. */
const replyStores = new Map<string, CacheStore>()

/** Parses and checks a node's reply, writes whole inventories into the cache, sends the rows back in slices. */
function convert(id: number, job: ReplyJob): void {
  let reply: SourceReply
  try {
    reply = parseReply(job.body, job.site)
  } catch (e) {
    post({ type: 'error', id, error: toEnvelope(e), cancelled: false })
    return
  }
  const rows = reply.inventories
  let refreshError: ErrorCause | undefined
  if (job.refresh && rows?.length) {
    try {
      refresh(job, rows)
    } catch (e) {
      refreshError = causeOf(e)
    }
  }
  for (let i = 0; rows && i < rows.length; i += ROWS_PER_MESSAGE) {
    post({ type: 'rows', id, json: JSON.stringify(rows.slice(i, i + ROWS_PER_MESSAGE)) })
  }
  post({
    type: 'replied',
    id,
    inventories: rows !== undefined,
    ...(reply.total !== undefined ? { total: reply.total } : {}),
    ...(refreshError ? { refreshError } : {}),
  })
}

/** The node's rows replace the cached ones of the current snapshot (new ones are appended). */
function refresh(job: ReplyJob, rows: readonly Inventory[]): void {
  let store = replyStores.get(job.dbFile)
  if (!store) {
    store = new CacheStore(openDatabase(job.dbFile))
    replyStores.set(job.dbFile, store)
  }
  const snapshotId = store.currentSnapshot(job.connectionId)
  if (snapshotId === null) return
  const target = store
  target.transaction(() => target.upsert(snapshotId, job.resource, rows))
}

/** `{inventories?: object[], total?: number}` or a malformed-reply error: the body is the node's, unchecked. */
function parseReply(body: string, site: CallSite): SourceReply {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    throw malformedReply(200, body, site)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformedReply(200, body, site)
  const { inventories, total } = value as { inventories?: unknown; total?: unknown }
  const rowsOk =
    inventories === undefined ||
    (Array.isArray(inventories) &&
      inventories.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r)))
  if (!rowsOk || (total !== undefined && typeof total !== 'number')) throw malformedReply(200, body, site)
  return {
    ...(inventories !== undefined ? { inventories: inventories as Inventory[] } : {}),
    ...(total !== undefined ? { total: total as number } : {}),
  }
}

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
    db?.close()
    // Before the logout: the host may end this thread once it has the result, and a lock left
    // behind by a live process would make every other sync of the connection wait.
    release?.()
    await source?.close?.().catch(() => {})
  }
}

/** An unexpected error, described for the log (its text may quote data: it is redacted). */
function causeOf(e: unknown): ErrorCause {
  const err: NodeJS.ErrnoException = e instanceof Error ? e : new Error(String(e))
  return { name: err.name, ...(err.code ? { code: err.code } : {}), message: redact(err.message) }
}
