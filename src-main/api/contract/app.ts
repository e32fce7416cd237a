import { z } from 'zod'
import { defineCall, defineEvent } from './define.js'

export interface HealthCheck {
  name: string
  ok: boolean
  detail?: string
}

export interface AppHealth {
  name: string
  version: string
  /** Which door the renderer came through: the Electron window or the local web host. */
  transport: 'ipc' | 'web' | 'cli'
  platform: string
  status: 'ok' | 'degraded'
  checks: HealthCheck[]
}

/** A long-running piece of work (sync, fetch, restore) reports through these events. */
export interface OperationProgress {
  opId: string
  kind: string
  /** Short machine-readable phase, e.g. `download`, `verify`. */
  phase: string
  done: number
  total: number | null
  unit: 'bytes' | 'items' | 'steps'
  ratePerSecond: number | null
  etaSeconds: number | null
}

export interface OperationFinished {
  opId: string
  kind: string
  outcome: 'succeeded' | 'failed' | 'cancelled'
  error?: import('../../errors/app-error.js').ErrorEnvelope
}

export interface OperationSummary {
  opId: string
  kind: string
  label: string
  startedAt: string
  state: 'running' | 'succeeded' | 'failed' | 'cancelled'
  lastProgress: OperationProgress | null
  /** What it acts on, by name (a backup's name), when the caller said so. */
  subject: string | null
  /** The ZStack connection it ran against, if any. */
  connectionId: string | null
  finishedAt: string | null
  /** Why it failed or was cancelled (the full cause chain), kept across restarts. */
  error: import('../../errors/app-error.js').ErrorEnvelope | null
}

/** What a caller may say about an operation it starts, for the job history. */
export const operationMeta = {
  /** The target's name as the user knows it (shown in Jobs; never a secret). */
  subject: z.string().min(1).max(300).optional(),
}

export const opId = z.string().regex(/^[0-9a-f]{32}$/, 'an operation id is 32 hex characters')

export const appCalls = {
  'app.health': defineCall<AppHealth>()(() =>
    z
      .object({
        /** Also run SQLite's `quick_check` over the whole database (slow on a big one): only on request. */
        deep: z.boolean().optional(),
      })
      .strict(),
  ),
  'ops.list': defineCall<OperationSummary[]>()(() => z.object({}).strict()),
  'ops.cancel': defineCall<{ cancelled: boolean }>()(() => z.object({ opId }).strict()),
}

export const appEvents = {
  'op.progress': defineEvent<OperationProgress>(),
  'op.finished': defineEvent<OperationFinished>(),
}
