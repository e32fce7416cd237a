import {
  type Condition,
  DEFAULT_LIMIT,
  fromSearchParams,
  groupRows,
  type QueryOptions,
} from '../../src-shared/query/index.js'
import type { CacheQueryAnswer, CacheStatus } from '../api/contract/index.js'
import type { EventBus } from '../api/event-bus.js'
import type { OperationRegistry } from '../api/operations.js'
import type { Database } from '../db/index.js'
import { type AppError, isAppError, type toEnvelope } from '../errors/app-error.js'
import type { Logger } from '../log/logger.js'
import type { DrChange } from '../zstack/dr-changes.js'
import { LocalQueryEngine } from './local-query.js'
import { RESOURCES, type ResourceName } from './resources.js'
import type { SourceReply } from './source.js'
import { CacheStore, type Inventory } from './store.js'
import type { SyncMode, SyncResult } from './sync.js'
import type { SourceSpec } from './sync-protocol.js'
import { SyncWorkerHost } from './sync-runner.js'

/** What the cache needs from the ZStack side (connections, credentials, a live client). */
export interface CacheBackend {
  /** How the sync worker builds its own client for this connection (throws when not connected). */
  sourceFor(connectionId: string): Promise<SourceSpec>
  /** One live query on the management node: its reply body, unparsed (the worker parses it). */
  queryNode(connectionId: string, path: string, options: QueryOptions, signal: AbortSignal): Promise<string>
}

export interface CacheServiceOptions {
  db: Database
  /** The database file the worker opens (the same one as `db`). */
  dbFile: string
  ops: OperationRegistry
  bus: EventBus
  backend: CacheBackend
  log: Logger
  /** An incremental sync becomes full when the last full one is older (ref deletions need it). */
  fullSyncMaxAgeMs?: number
  /** How long a live query may take before the cache answers instead. */
  nodeTimeoutMs?: number
  pageSize?: number
}

export interface QueryRequest {
  connectionId: string
  resource: ResourceName
  q: string[]
  limit?: number | undefined
  start?: number | undefined
  count?: boolean | undefined
  replyWithCount?: boolean | undefined
  sort?: string | undefined
  fields?: string[] | undefined
  groupBy?: string | undefined
  offline?: boolean | undefined
}

/** Node failures after which the cache answers instead: the node is down or unreachable. */
const UNREACHABLE = new Set([
  'zstack.connection_refused',
  'zstack.host_not_found',
  'zstack.unreachable',
  'zstack.connection_reset',
  'zstack.timeout',
  'zstack.not_connected',
  'zstack.internal_error',
  'zstack.malformed_reply',
  'zstack.tls_error',
])

/** Whether the cache should answer instead of the node (the node is down or unreachable). */
export function isNodeDown(e: unknown): e is AppError {
  return isAppError(e) && UNREACHABLE.has(e.code)
}

/**
 * The offline inventory as a service: syncs run as operations (progress, cancel) in a worker;
 * queries go to the node when it answers and to the cache when it does not, and say which.
 */
export class CacheService {
  readonly store: CacheStore
  readonly local: LocalQueryEngine
  private readonly running = new Map<string, { opId: string; done: Promise<SyncResult> }>()
  private readonly workers: SyncWorkerHost

  constructor(private readonly o: CacheServiceOptions) {
    this.workers = new SyncWorkerHost(o.log)
    this.store = new CacheStore(o.db)
    this.local = new LocalQueryEngine(o.db, this.store)
    o.bus.subscribe((name, payload) => {
      if (name === 'zstack.connection.removed')
        this.forget((payload as { connectionId: string }).connectionId)
    })
  }

  /** Drops a removed connection's cache; a sync still running for it is cancelled and dropped once it stops. */
  private forget(connectionId: string): void {
    const running = this.running.get(connectionId)
    if (!running) return this.store.dropConnection(connectionId)
    this.o.ops.cancel(running.opId)
    const drop = () => this.store.dropConnection(connectionId)
    running.done.then(drop, drop)
  }

  /** Starts a sync (or returns the one already running for this connection). */
  startSync(connectionId: string, mode: SyncMode): { opId: string; done: Promise<SyncResult> } {
    const existing = this.running.get(connectionId)
    if (existing) return existing
    const effective = this.effectiveMode(connectionId, mode)
    const label = `Sync offline inventory (${effective})`
    const started = this.o.ops.start('cache.sync', { label, connectionId }, async (op) => {
      const source = await this.o.backend.sourceFor(connectionId)
      const result = await this.workers.run(
        {
          dbFile: this.o.dbFile,
          connectionId,
          mode: effective,
          source,
          ...(this.o.pageSize ? { pageSize: this.o.pageSize } : {}),
        },
        {
          signal: op.signal,
          onProgress: (p) => op.progress({ phase: p.resource, done: p.done, total: p.total, unit: 'items' }),
          onWait: (holder) => {
            op.progress({ phase: 'waiting', done: 0, total: null, unit: 'items' })
            this.o.log.info(
              { connectionId, holder },
              `waiting for another sync of this connection (process ${holder.pid}) to finish`,
            )
          },
        },
      )
      this.o.bus.emit('cache.synced', { opId: op.opId, ...result })
      return result
    })
    const entry = { opId: started.opId, done: started.done }
    this.running.set(connectionId, entry)
    started.done.then(
      () => this.running.delete(connectionId),
      () => this.running.delete(connectionId),
    )
    return entry
  }

  /** Stops the sync thread (a sync still running fails, leaving the previous snapshot). */
  close(): Promise<void> {
    return this.workers.close()
  }

  status(connectionId: string): CacheStatus {
    const state = this.store.syncState(connectionId)
    const resources =
      state?.snapshotId == null
        ? []
        : this.store
            .resourceStates(state.snapshotId)
            .map(({ resource, count, syncedAt, error }) => ({ resource, count, syncedAt, error }))
    const oldest = resources.reduce<string | null>(
      (min, r) => (r.syncedAt && (min === null || r.syncedAt < min) ? r.syncedAt : min),
      null,
    )
    return {
      connectionId,
      synced: state?.snapshotId != null,
      lastFullSyncAt: state?.lastFullSyncAt ?? null,
      lastIncrementalSyncAt: state?.lastIncrementalSyncAt ?? null,
      lastAttemptAt: state?.lastAttemptAt ?? null,
      lastOutcome: state?.lastOutcome ?? null,
      lastError: state?.lastError ?? null,
      ageSeconds: ageSeconds(oldest),
      resources,
      runningOpId: this.running.get(connectionId)?.opId ?? null,
    }
  }

  async query(req: QueryRequest): Promise<CacheQueryAnswer> {
    const options = toOptions(req)
    let nodeError: ReturnType<typeof toEnvelope> | undefined
    if (!req.offline) {
      try {
        const signal = AbortSignal.timeout(this.o.nodeTimeoutMs ?? 10_000)
        const reply = options.groupBy
          ? await this.groupedNodeAnswer(req, options.groupBy, options, signal)
          : await this.nodeReply(req, options, signal)
        return { source: 'node', ...reply, cache: this.age(req.connectionId, req.resource) }
      } catch (e) {
        if (!isNodeDown(e)) throw e
        nodeError = e.toEnvelope()
      }
    }
    const reply = this.local.run(req.connectionId, req.resource, options)
    return {
      source: 'cache',
      ...reply,
      cache: this.age(req.connectionId, req.resource),
      ...(nodeError ? { nodeError } : {}),
    }
  }

  /** One query GET to the node, parsed and checked in the worker (which also refreshes the cache). */
  private async nodeReply(
    req: QueryRequest,
    options: QueryOptions,
    signal: AbortSignal,
  ): Promise<SourceReply> {
    const path = RESOURCES[req.resource].path
    const body = await this.o.backend.queryNode(req.connectionId, path, options, signal)
    return this.workers.convertReply({
      dbFile: this.o.dbFile,
      connectionId: req.connectionId,
      resource: req.resource,
      body,
      // Whole inventories only (not a projection); not while a sync is replacing the snapshot.
      refresh: !options.fields?.length && !this.running.has(req.connectionId),
      site: { method: 'GET', url: path },
    })
  }

  /**
   * A 3.0.0 node ignores `groupBy`, so a grouped query reads every matching row and groups here
   * (`groupRows`, as the offline cache does); paging and counts are of groups.
   */
  private async groupedNodeAnswer(
    req: QueryRequest,
    groupBy: string,
    options: QueryOptions,
    signal: AbortSignal,
  ): Promise<SourceReply> {
    const { groupBy: _local, start = 0, limit = DEFAULT_LIMIT, count, replyWithCount, ...rest } = options
    if (rest.fields && !rest.fields.includes(groupBy)) rest.fields = [...rest.fields, groupBy]
    const rows: Inventory[] = []
    for (let at = 0; ; at += DEFAULT_LIMIT) {
      const page = (await this.nodeReply(req, { ...rest, start: at }, signal)).inventories ?? []
      rows.push(...page)
      if (page.length < DEFAULT_LIMIT) break
    }
    const groups = groupRows(rows, groupBy)
    if (count) return { total: groups.length }
    const inventories = groups.slice(start, start + limit)
    return replyWithCount ? { inventories, total: groups.length } : { inventories }
  }

  /**
   * The app's own DR call changed these records: re-read them from the node and put them in the
   * current snapshot at once (a deleted one leaves it), so online and offline answers agree and
   * the counts shown on the connection card follow. A sync running now goes first.
   */
  async follow(connectionId: string, changes: readonly DrChange[]): Promise<void> {
    const running = this.running.get(connectionId)
    if (running) {
      // Not awaited: the DR call should not wait for a long sync; its rows follow right after.
      void running.done.then(
        () => this.follow(connectionId, changes),
        () => this.follow(connectionId, changes),
      )
      return
    }
    for (const change of changes) {
      const snapshotId = this.store.currentSnapshot(connectionId)
      if (snapshotId === null) return
      const where: Condition = { field: change.field, op: '?=', value: change.values }
      const path = RESOURCES[change.resource].path
      const body = await this.o.backend.queryNode(
        connectionId,
        path,
        { conditions: [where] },
        AbortSignal.timeout(this.o.nodeTimeoutMs ?? 10_000),
      )
      // The worker checks the reply and writes the records the node still has; the main thread
      // only removes those it no longer lists and recounts.
      const reply = await this.workers.convertReply({
        dbFile: this.o.dbFile,
        connectionId,
        resource: change.resource,
        body,
        refresh: true,
        site: { method: 'GET', url: path },
      })
      const kept = new Set((reply.inventories ?? []).map((i) => String(i.uuid)))
      const cached =
        this.local
          .run(connectionId, change.resource, { conditions: [where], fields: ['uuid'] })
          .inventories?.map((i) => String(i.uuid)) ?? []
      this.store.transaction(() => {
        this.store.deleteRows(
          snapshotId,
          change.resource,
          cached.filter((u) => !kept.has(u)),
        )
        const states = this.store.resourceStates(snapshotId).filter((r) => r.resource === change.resource)
        this.store.writeResourceStates(
          snapshotId,
          states.map((r) => ({ ...r, count: this.store.count(snapshotId, change.resource) })),
        )
      })
    }
  }

  private age(connectionId: string, resource: ResourceName) {
    const snapshotId = this.store.currentSnapshot(connectionId)
    const state =
      snapshotId === null
        ? undefined
        : this.store.resourceStates(snapshotId).find((s) => s.resource === resource)
    const syncedAt = state?.syncedAt ?? null
    return { syncedAt, ageSeconds: ageSeconds(syncedAt) }
  }

  private effectiveMode(connectionId: string, mode: SyncMode): SyncMode {
    if (mode === 'full') return 'full'
    const last = this.store.syncState(connectionId)?.lastFullSyncAt
    const maxAge = this.o.fullSyncMaxAgeMs ?? 24 * 3_600_000
    return !last || Date.now() - Date.parse(last) > maxAge ? 'full' : 'incremental'
  }
}

function ageSeconds(iso: string | null): number | null {
  return iso === null ? null : Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))
}

/** The request's query parts, read exactly as the server reads its URL parameters. */
export function toOptions(req: Omit<QueryRequest, 'connectionId' | 'resource' | 'offline'>): QueryOptions {
  const params = new URLSearchParams()
  for (const q of req.q) params.append('q', q)
  if (req.limit !== undefined) params.set('limit', String(req.limit))
  if (req.start !== undefined) params.set('start', String(req.start))
  if (req.count) params.set('count', 'true')
  if (req.replyWithCount) params.set('replyWithCount', 'true')
  if (req.sort !== undefined) params.set('sort', req.sort)
  if (req.fields?.length) params.set('fields', req.fields.join(','))
  if (req.groupBy !== undefined) params.set('groupBy', req.groupBy)
  return fromSearchParams(params)
}
