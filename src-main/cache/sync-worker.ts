/**
 * The sync thread: it stays up between syncs (starting a thread and loading the modules costs more
 * than a sync with nothing to do) and runs each job with its own connection to the app database,
 * so paging, JSON parsing and inserts never stall the main process. It talks to the parent only
 * through messages (sync-protocol.ts); each job's source is built here from a serialisable spec.
 */
import { parentPort } from 'node:worker_threads'
import { cancelledError } from '../api/operations.js'
import { openDatabase } from '../db/index.js'
import { toEnvelope } from '../errors/app-error.js'
import type { InventorySource } from './source.js'
import { CacheStore } from './store.js'
import { SyncEngine } from './sync.js'
import type { HostMessage, SourceSpec, WorkerData, WorkerMessage } from './sync-protocol.js'

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

async function run(id: number, data: WorkerData): Promise<void> {
  const controller = new AbortController()
  jobs.set(id, controller)
  let source: InventorySource | null = null
  const db = openDatabase(data.dbFile)
  // Each page is its own transaction; WAL + NORMAL keeps commits durable without an fsync each.
  db.pragma('synchronous = NORMAL')
  try {
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
    post({ type: 'error', id, error: toEnvelope(cancelled ? cancelledError() : e), cancelled })
  } finally {
    jobs.delete(id)
    await source?.close?.().catch(() => {})
    db.close()
  }
}
