import type { ErrorEnvelope } from '../errors/app-error.js'
import type { SyncMode, SyncProgress, SyncResult } from './sync.js'
import type { SyncLockHolder } from './sync-lock.js'

/**
 * How the worker builds its InventorySource: a module (URL) exporting
 * `createInventorySource(args)`, and plain-data args (address, account, password). Functions
 * cannot cross a thread boundary; this can. `args` may hold a password: it stays in memory only.
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

/** Parent → worker. */
export type HostMessage = { type: 'run'; id: number; data: WorkerData } | { type: 'cancel'; id: number }

/** Worker → parent, about job `id`. */
export type WorkerMessage =
  | { type: 'progress'; id: number; progress: SyncProgress }
  | { type: 'done'; id: number; result: SyncResult }
  | { type: 'waiting'; id: number; holder: SyncLockHolder }
  /** `cause`: what an unexpected error was (name, code, redacted message), for the parent's log. */
  | { type: 'error'; id: number; error: ErrorEnvelope; cancelled: boolean; cause?: ErrorCause }

export interface ErrorCause {
  name: string
  code?: string
  message: string
}
