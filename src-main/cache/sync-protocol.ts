import type { ErrorEnvelope } from '../errors/app-error.js'
import type { SyncMode, SyncProgress, SyncResult } from './sync.js'

/**
 * How the worker builds its InventorySource: a module (URL) exporting
 * `createInventorySource(args)`, and plain-data args (base URL, session...). Functions cannot
 * cross a thread boundary; this can. `args` may hold a session id: it stays in memory, never on disk.
 */
export interface SourceSpec {
  module: string
  args: unknown
}

export interface WorkerData {
  dbFile: string
  connectionId: string
  mode: SyncMode
  source: SourceSpec
  pageSize?: number
  overlapMs?: number
}

export type WorkerMessage =
  | { type: 'progress'; progress: SyncProgress }
  | { type: 'done'; result: SyncResult }
  | { type: 'error'; error: ErrorEnvelope; cancelled: boolean }
