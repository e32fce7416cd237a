import { z } from 'zod'
import type { ErrorEnvelope } from '../../errors/app-error.js'
import { type CacheResource, cacheResources } from './choices.js'
import { defineCall, defineEvent } from './define.js'

/**
 * The offline inventory: sync a connection's resources into the local cache, see how fresh it
 * is, and query — from the management node when it answers, from the cache when it does not.
 */
export interface CacheResourceState {
  resource: CacheResource
  count: number
  syncedAt: string | null
  /** The last attempt's error for this resource (its rows are then from an earlier sync). */
  error: ErrorEnvelope | null
}

export interface CacheStatus {
  connectionId: string
  /** False until the first sync succeeded: queries cannot be answered offline yet. */
  synced: boolean
  lastFullSyncAt: string | null
  lastIncrementalSyncAt: string | null
  lastAttemptAt: string | null
  lastOutcome: string | null
  lastError: ErrorEnvelope | null
  /** Seconds since the cache last heard from the node (the oldest resource counts). */
  ageSeconds: number | null
  resources: CacheResourceState[]
  /** The sync running now for this connection, if any. */
  runningOpId: string | null
}

export interface CacheSyncReport {
  connectionId: string
  mode: 'full' | 'incremental'
  outcome: 'complete' | 'partial'
  durationMs: number
  resources: {
    resource: CacheResource
    count: number
    changed?: number
    deleted?: number
    error?: ErrorEnvelope
  }[]
}

export interface CacheAge {
  /** When the cached rows of this resource were fetched; null if never. */
  syncedAt: string | null
  ageSeconds: number | null
}

/** A query's answer, in the server's reply shape, saying where it came from. */
export interface CacheQueryAnswer {
  source: 'node' | 'cache'
  inventories?: Record<string, unknown>[]
  total?: number
  cache: CacheAge
  /** Why the node was not used (unreachable, timeout...), when the answer comes from the cache. */
  nodeError?: ErrorEnvelope
}

const connectionId = z.string().min(1).max(64)

export const cacheCalls = {
  'cache.sync': defineCall<{ opId: string }>()(() =>
    z.object({ connectionId, mode: z.enum(['full', 'incremental']).default('incremental') }).strict(),
  ),
  'cache.status': defineCall<CacheStatus>()(() => z.object({ connectionId }).strict()),
  'cache.query': defineCall<CacheQueryAnswer>()(() =>
    z
      .object({
        connectionId,
        resource: z.enum(cacheResources),
        /** Conditions as on the wire: `name~=%web%`, `backupStorageRefs.backupStorageUuid=...`. */
        q: z.array(z.string().max(10_000)).max(100).default([]),
        limit: z.number().int().min(0).optional(),
        start: z.number().int().min(0).optional(),
        count: z.boolean().optional(),
        replyWithCount: z.boolean().optional(),
        /** `+field` or `-field`. */
        sort: z.string().max(200).optional(),
        fields: z.array(z.string().max(200)).max(100).optional(),
        groupBy: z.string().max(200).optional(),
        /** Answer from the cache without trying the node. */
        offline: z.boolean().optional(),
      })
      .strict(),
  ),
}

export const cacheEvents = {
  /** A sync ended (also reported by `op.finished`); carries the per-resource outcome. */
  'cache.synced': defineEvent<CacheSyncReport & { opId: string }>(),
}
