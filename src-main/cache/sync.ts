import { type Condition, type QueryOptions, wallMsToNodeDate } from '../../src-shared/query/index.js'
import { AppError, type ErrorEnvelope, toEnvelope } from '../errors/app-error.js'
import { gsonToWallMs } from './dates.js'
import { RESOURCES, type ResourceName, SYNC_ORDER } from './resources.js'
import type { InventorySource } from './source.js'
import type { CacheStore, Inventory, ResourceState } from './store.js'

export type SyncMode = 'full' | 'incremental'

export interface SyncProgress {
  resource: ResourceName
  done: number
  total: number | null
}

export interface SyncOptions {
  connectionId: string
  mode: SyncMode
  /** Rows per page (the server's default is 1000). */
  pageSize?: number
  /** How far before the newest `lastOpDate` an incremental sync looks again (clock skew, late commits). */
  overlapMs?: number
  signal?: AbortSignal
  onProgress?: (p: SyncProgress) => void
}

export interface ResourceReport {
  resource: ResourceName
  /** Rows of this resource in the snapshot afterwards. */
  count: number
  /** Incremental: rows added or replaced, and rows removed. */
  changed?: number
  deleted?: number
  error?: ErrorEnvelope
}

export interface SyncResult {
  connectionId: string
  mode: SyncMode
  /** `partial`: some resources failed and kept their previous rows (see their `error`). */
  outcome: 'complete' | 'partial'
  snapshotId: number
  startedAt: string
  durationMs: number
  resources: ResourceReport[]
}

export const DEFAULT_PAGE_SIZE = 1000
export const DEFAULT_OVERLAP_MS = 10 * 60_000
/** uuid lists (deletion checks) are small per row, so they page in bigger steps. */
const UUID_PAGE_SIZE = 20_000
const UUID_BATCH = 200

/**
 * Brings a connection's snapshot up to date from an InventorySource.
 * - Full: pages through every resource into a new snapshot, then switches to it in one
 *   transaction. A resource that fails keeps its previous rows (and its error is recorded), or none
 *   at all when it was never synced (rows copied before the failure are dropped); if every resource fails, or the sync is cancelled or killed, the previous snapshot stays as it was.
 * - Incremental: asks each resource for rows with `lastOpDate` (or a ref's) at or after the newest
 *   one cached minus an overlap; compares the server's count with the cache's and, only when they
 *   differ, the uuid sets, to find deletions (and rows a racing change hid). All changes land in
 *   one transaction.
 */
export class SyncEngine {
  private readonly pageSize: number
  private readonly overlapMs: number
  private readonly signal: AbortSignal
  private readonly onProgress: (p: SyncProgress) => void

  constructor(
    private readonly store: CacheStore,
    private readonly source: InventorySource,
    private readonly options: SyncOptions,
  ) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
    this.overlapMs = options.overlapMs ?? DEFAULT_OVERLAP_MS
    this.signal = options.signal ?? new AbortController().signal
    this.onProgress = options.onProgress ?? (() => {})
  }

  async run(): Promise<SyncResult> {
    const startedAt = new Date()
    const current = this.store.currentSnapshot(this.options.connectionId)
    // Leftovers of a sync that was killed are not visible to anyone; clear them first.
    for (const orphan of this.store.orphans(this.options.connectionId)) this.store.dropSnapshot(orphan)
    const mode: SyncMode = current === null ? 'full' : this.options.mode
    const { snapshotId, reports } =
      mode === 'full' ? await this.full(current) : await this.incremental(current!)
    const failed = reports.filter((r) => r.error)
    return {
      connectionId: this.options.connectionId,
      mode,
      outcome: failed.length > 0 ? 'partial' : 'complete',
      snapshotId,
      startedAt: startedAt.toISOString(),
      durationMs: Date.now() - startedAt.getTime(),
      resources: reports,
    }
  }

  private async full(previous: number | null): Promise<{ snapshotId: number; reports: ResourceReport[] }> {
    const { connectionId } = this.options
    const snapshotId = this.store.createSnapshot(connectionId)
    const previousStates = new Map(
      previous === null ? [] : this.store.resourceStates(previous).map((s) => [s.resource, s] as const),
    )
    const states: ResourceState[] = []
    const reports: ResourceReport[] = []
    try {
      for (const resource of SYNC_ORDER) {
        try {
          const { count, highWater } = await this.fetchAll(resource, snapshotId)
          states.push({ resource, count, syncedAt: new Date().toISOString(), highWater, error: null })
          reports.push({ resource, count })
        } catch (e) {
          if (this.signal.aborted) throw e
          const error = toEnvelope(e)
          const before = previousStates.get(resource)
          // The rows copied before the failure are not the inventory: none of them may become visible.
          if (previous !== null && before) this.store.copyResource(previous, snapshotId, resource)
          else this.store.transaction(() => this.store.clearResource(snapshotId, resource))
          states.push({ ...(before ?? { resource, count: 0, syncedAt: null, highWater: null }), error })
          reports.push({ resource, count: before?.count ?? 0, error })
        }
      }
    } catch (e) {
      this.store.dropSnapshot(snapshotId)
      this.store.recordFailure(connectionId, toEnvelope(e))
      throw e
    }
    if (reports.every((r) => r.error)) {
      this.store.dropSnapshot(snapshotId)
      const error = syncFailed(reports)
      this.store.recordFailure(connectionId, error.toEnvelope(), states)
      throw error
    }
    const outcome = reports.some((r) => r.error) ? 'partial' : 'complete'
    const replaced = this.store.publish(connectionId, snapshotId, states, {
      kind: 'full',
      outcome,
      error: null,
    })
    if (replaced !== null) this.store.dropSnapshot(replaced)
    return { snapshotId, reports }
  }

  /** Pages through a resource into the snapshot, fetching the next page while storing this one. */
  private async fetchAll(
    resource: ResourceName,
    snapshotId: number,
  ): Promise<{ count: number; highWater: number | null }> {
    const path = RESOURCES[resource].path
    let total: number | null = null
    let done = 0
    let highWater: number | null = null
    let start = 0
    let pending = this.page(path, start, true)
    this.onProgress({ resource, done, total })
    for (;;) {
      const reply = await pending
      this.signal.throwIfAborted()
      if (reply.total !== undefined) total = reply.total
      const rows = reply.inventories ?? []
      const more = rows.length === this.pageSize
      if (more) {
        start += this.pageSize
        pending = this.page(path, start, false)
        // Stored below before it is awaited: a failure must not go unobserved meanwhile.
        pending.catch(() => {})
      }
      done += this.store.insertPage(snapshotId, resource, rows)
      highWater = maxLastOp(highWater, rows, RESOURCES[resource].ownedRefs)
      this.onProgress({ resource, done, total: total === null ? null : Math.max(total, done) })
      if (!more) return { count: done, highWater }
    }
  }

  private page(path: string, start: number, replyWithCount: boolean) {
    const options: QueryOptions = { conditions: [], limit: this.pageSize, start }
    if (replyWithCount) options.replyWithCount = true
    return this.source.query(path, options, this.signal)
  }

  private async incremental(snapshotId: number): Promise<{ snapshotId: number; reports: ResourceReport[] }> {
    const { connectionId } = this.options
    const states = new Map(this.store.resourceStates(snapshotId).map((s) => [s.resource, s] as const))
    const plans: {
      resource: ResourceName
      upserts: Inventory[]
      deletes: string[]
      highWater: number | null
    }[] = []
    const reports: ResourceReport[] = []
    const failures: ResourceState[] = []
    for (const resource of SYNC_ORDER) {
      const state = states.get(resource)
      try {
        const plan = await this.changesOf(resource, snapshotId, state)
        plans.push({ resource, ...plan })
      } catch (e) {
        if (this.signal.aborted) {
          this.store.recordFailure(connectionId, toEnvelope(e))
          throw e
        }
        const error = toEnvelope(e)
        failures.push({ ...(state ?? { resource, count: 0, syncedAt: null, highWater: null }), error })
        reports.push({ resource, count: state?.count ?? 0, error })
      }
    }
    if (plans.length === 0) {
      const error = syncFailed(reports)
      this.store.recordFailure(connectionId, error.toEnvelope(), failures)
      throw error
    }
    this.signal.throwIfAborted()
    const syncedAt = new Date().toISOString()
    this.store.transaction(() => {
      const newStates: ResourceState[] = [...failures]
      for (const plan of plans) {
        this.store.upsert(snapshotId, plan.resource, plan.upserts)
        this.store.deleteRows(snapshotId, plan.resource, plan.deletes)
        const count = this.store.count(snapshotId, plan.resource)
        newStates.push({ resource: plan.resource, count, syncedAt, highWater: plan.highWater, error: null })
        reports.push({
          resource: plan.resource,
          count,
          changed: plan.upserts.length,
          deleted: plan.deletes.length,
        })
      }
      const outcome = failures.length > 0 ? 'partial' : 'complete'
      this.store.publish(connectionId, snapshotId, newStates, { kind: 'incremental', outcome, error: null })
    })
    reports.sort((a, b) => SYNC_ORDER.indexOf(a.resource) - SYNC_ORDER.indexOf(b.resource))
    return { snapshotId, reports }
  }

  /** What changed on the server for one resource since the cached rows were fetched. */
  private async changesOf(resource: ResourceName, snapshotId: number, state: ResourceState | undefined) {
    const spec = RESOURCES[resource]
    this.onProgress({ resource, done: 0, total: null })
    const byUuid = new Map<string, Inventory>()
    const collect = async (conditions: Condition[]) => {
      for await (const rows of this.pages(spec.path, conditions, this.pageSize)) {
        for (const row of rows) byUuid.set(String(row.uuid).toLowerCase(), row)
      }
    }
    if (state?.highWater == null) {
      await collect([])
    } else {
      // `yyyy-MM-dd HH:mm:ss` in the node's wall-clock time: the one form its MySQL reads without doubt.
      const since = wallMsToNodeDate(state.highWater - this.overlapMs)
      await collect([{ field: 'lastOpDate', op: '>=', value: since }])
      // A ref added to an existing backup (synced to another image store) changes only the ref.
      if (spec.ownedRefs) await collect([{ field: `${spec.ownedRefs}.lastOpDate`, op: '>=', value: since }])
    }
    const changed = [...byUuid.values()]
    const known = this.store.existing(
      snapshotId,
      resource,
      changed.map((r) => String(r.uuid)),
    )
    const added = changed.filter((r) => !known.has(String(r.uuid))).length
    const serverCount =
      (await this.source.query(spec.path, { conditions: [], count: true }, this.signal)).total ?? 0
    const cachedCount = this.store.count(snapshotId, resource)
    let deletes: string[] = []
    const upserts = changed
    if (serverCount !== cachedCount + added) {
      // Counts disagree: something was deleted (or created out of sight). Compare the uuid sets.
      const serverUuids: string[] = []
      for await (const rows of this.pages(spec.path, [], UUID_PAGE_SIZE, ['uuid'])) {
        for (const row of rows) serverUuids.push(String(row.uuid))
      }
      const onServer = new Set(serverUuids.map((u) => u.toLowerCase()))
      deletes = this.store.uuids(snapshotId, resource).filter((u) => !onServer.has(u.toLowerCase()))
      const cached = new Set(this.store.uuids(snapshotId, resource).map((u) => u.toLowerCase()))
      const missing = serverUuids.filter((u) => !cached.has(u.toLowerCase()) && !byUuid.has(u.toLowerCase()))
      for (let i = 0; i < missing.length; i += UUID_BATCH) {
        const batch = missing.slice(i, i + UUID_BATCH)
        const reply = await this.source.query(
          spec.path,
          { conditions: [{ field: 'uuid', op: '?=', value: batch }], limit: batch.length },
          this.signal,
        )
        // In the server's order, so they append in the order the server lists them.
        const got = new Map((reply.inventories ?? []).map((r) => [String(r.uuid).toLowerCase(), r]))
        for (const u of batch) {
          const row = got.get(u.toLowerCase())
          if (row) upserts.push(row)
        }
      }
    }
    this.onProgress({
      resource,
      done: upserts.length + deletes.length,
      total: upserts.length + deletes.length,
    })
    const highWater = maxLastOp(state?.highWater ?? null, upserts, spec.ownedRefs)
    return { upserts, deletes, highWater }
  }

  private async *pages(path: string, conditions: Condition[], pageSize: number, fields?: string[]) {
    for (let start = 0; ; start += pageSize) {
      const options: QueryOptions = { conditions, limit: pageSize, start }
      if (fields) options.fields = fields
      const reply = await this.source.query(path, options, this.signal)
      const rows = reply.inventories ?? []
      yield rows
      if (rows.length < pageSize) return
    }
  }
}

/** The newest `lastOpDate` among rows and their refs (wall ms). */
function maxLastOp(
  current: number | null,
  rows: readonly Inventory[],
  refsKey: string | undefined,
): number | null {
  let max = current
  const see = (value: unknown) => {
    const ms = typeof value === 'string' ? gsonToWallMs(value) : null
    if (ms !== null && (max === null || ms > max)) max = ms
  }
  for (const row of rows) {
    see(row.lastOpDate)
    const refs = refsKey ? row[refsKey] : undefined
    if (Array.isArray(refs)) for (const ref of refs as Inventory[]) see(ref.lastOpDate)
  }
  return max
}

function syncFailed(reports: readonly ResourceReport[]): AppError {
  const first = reports.find((r) => r.error)?.error
  return new AppError(
    'cache.sync_failed',
    {
      en: `The sync failed for every resource; the previous offline inventory is kept. First error: ${first?.message.en ?? 'unknown'}`,
      zh: `所有资源同步均失败；保留之前的离线清单。第一个错误：${first?.message.zh ?? '未知'}`,
    },
    { resources: reports.map((r) => ({ resource: r.resource, error: r.error })) },
  )
}
