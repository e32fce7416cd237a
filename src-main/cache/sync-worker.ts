/**
 * The sync's thread: opens its own connection to the app database and runs the SyncEngine there,
 * so paging, JSON parsing and inserts never stall the main process. It talks to the parent only
 * through messages (see sync-runner.ts); the source is built here from a serialisable spec.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { cancelledError } from '../api/operations.js'
import { openDatabase } from '../db/index.js'
import { toEnvelope } from '../errors/app-error.js'
import type { InventorySource } from './source.js'
import { CacheStore } from './store.js'
import { SyncEngine } from './sync.js'
import type { SourceSpec, WorkerData, WorkerMessage } from './sync-protocol.js'

const data = workerData as WorkerData
const port = parentPort!
const controller = new AbortController()
port.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') controller.abort(cancelledError())
})
const post = (m: WorkerMessage) => port.postMessage(m)

async function loadSource(spec: SourceSpec): Promise<InventorySource> {
  const mod = (await import(spec.module)) as {
    createInventorySource(args: unknown): InventorySource | Promise<InventorySource>
  }
  return mod.createInventorySource(spec.args)
}

const db = openDatabase(data.dbFile)
let source: InventorySource | null = null
// Each page is its own transaction; WAL + NORMAL keeps them durable at commit points without an fsync each.
db.pragma('synchronous = NORMAL')
try {
  source = await loadSource(data.source)
  const engine = new SyncEngine(new CacheStore(db), source, {
    connectionId: data.connectionId,
    mode: data.mode,
    ...(data.pageSize ? { pageSize: data.pageSize } : {}),
    ...(data.overlapMs !== undefined ? { overlapMs: data.overlapMs } : {}),
    signal: controller.signal,
    onProgress: (p) => post({ type: 'progress', progress: p }),
  })
  post({ type: 'done', result: await engine.run() })
} catch (e) {
  post({
    type: 'error',
    error: toEnvelope(controller.signal.aborted ? cancelledError() : e),
    cancelled: controller.signal.aborted,
  })
} finally {
  await source?.close?.().catch(() => {})
  db.close()
  port.close()
}
