import type { z } from 'zod'
import type { ErrorEnvelope } from '../../errors/app-error.js'
import { appCalls, appEvents } from './app.js'
import { cacheCalls, cacheEvents } from './cache.js'
import { dbBackupCalls, dbBackupEvents } from './db-backups.js'
import { drillCalls, drillEvents } from './drill.js'
import { overviewCalls } from './overview.js'
import { restoreCalls, restoreEvents } from './restore.js'
import { scheduleCalls } from './schedules.js'
import { sshCalls, sshEvents } from './ssh.js'
import { vaultCalls } from './vault.js'
import { zstackCalls, zstackEvents } from './zstack.js'

/**
 * The whole API of the app: every call the renderer (or CLI) can make and every event stream
 * it can receive. Each domain adds its calls in its own file and merges them here.
 */
export const calls = {
  ...appCalls,
  ...zstackCalls,
  ...dbBackupCalls,
  ...sshCalls,
  ...vaultCalls,
  ...restoreCalls,
  ...cacheCalls,
  ...overviewCalls,
  ...drillCalls,
  ...scheduleCalls,
}

export const events = {
  ...appEvents,
  ...zstackEvents,
  ...dbBackupEvents,
  ...sshEvents,
  ...restoreEvents,
  ...cacheEvents,
  ...drillEvents,
}

export type Calls = typeof calls
export type CallName = keyof Calls
/** What a caller sends (before defaults are applied). */
export type CallRequest<N extends CallName> = z.input<Calls[N]['request']>
/** What a handler receives (after validation and defaults). */
export type ParsedRequest<N extends CallName> = z.output<Calls[N]['request']>
export type CallReply<N extends CallName> = NonNullable<Calls[N]['replyType']>['value']

export type Events = typeof events
export type EventName = keyof Events
export type EventPayload<E extends EventName> = NonNullable<Events[E]['payloadType']>['value']

export type Envelope<T> = { ok: true; value: T } | { ok: false; error: ErrorEnvelope }

export type { ErrorEnvelope, LocalizedText } from '../../errors/app-error.js'
export type * from './app.js'
export type * from './cache.js'
export type * from './choices.js'
export type * from './db-backups.js'
export type * from './drill.js'
export type * from './overview.js'
export type * from './restore.js'
export type * from './schedules.js'
export type * from './ssh.js'
export type * from './vault.js'
export type * from './zstack.js'

/** The object the preload exposes as `window.zsdr` and the web client imitates. */
export interface Bridge {
  invoke(name: string, request: unknown): Promise<Envelope<unknown>>
  subscribe(listener: (name: string, payload: unknown) => void): () => void
}

export function isCallName(name: unknown): name is CallName {
  return typeof name === 'string' && Object.hasOwn(calls, name)
}
