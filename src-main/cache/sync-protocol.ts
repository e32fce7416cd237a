import type { ErrorEnvelope } from '../errors/app-error.js'
import type { CallSite } from '../zstack/errors.js'
import type { ResourceName } from './resources.js'
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

/** A node's answer to a live query, parsed (and written into the cache) in the thread, not the main one. */
export interface ReplyJob {
  dbFile: string
  connectionId: string
  resource: ResourceName
  /** The reply body as received: untrusted until parsed and checked. */
  body: string
  /** Whole inventories: upsert them into the connection's current snapshot. */
  refresh: boolean
  /** Where the body came from, for a malformed body's error. */
  site: CallSite
}

/** Parent → worker. */
export type HostMessage =
  | { type: 'run'; id: number; data: WorkerData }
  | { type: 'cancel'; id: number }
  | { type: 'reply'; id: number; job: ReplyJob }

/** Worker → parent, about job `id`. */
export type WorkerMessage =
  | { type: 'progress'; id: number; progress: SyncProgress }
  | { type: 'done'; id: number; result: SyncResult }
  | { type: 'waiting'; id: number; holder: SyncLockHolder }
  /** A reply's rows in slices (JSON text): the parent parses one slice per turn of its event loop. */
  | { type: 'rows'; id: number; json: string }
  | { type: 'replied'; id: number; inventories: boolean; total?: number; refreshError?: ErrorCause }
  /** `cause`: what an unexpected error was (name, code, redacted message), for the parent's log. */
  | { type: 'error'; id: number; error: ErrorEnvelope; cancelled: boolean; cause?: ErrorCause }

export interface ErrorCause {
  name: string
  code?: string
  message: string
}
