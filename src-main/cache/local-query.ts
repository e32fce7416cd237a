import type { Database, Statement } from 'better-sqlite3'
import type { QueryOptions } from '../../src-shared/query/index.js'
import { AppError, type ErrorEnvelope } from '../errors/app-error.js'
import { RESOURCES, type ResourceName } from './resources.js'
import { compileQuery } from './sql-query.js'
import type { CacheStore, Inventory } from './store.js'

const MMAP_BYTES = 256 * 2 ** 20

/** What a query answers, in the server's reply shape. */
export interface QueryReply {
  inventories?: Inventory[]
  total?: number
}

/** Answers ZStack queries from a connection's current snapshot. */
export class LocalQueryEngine {
  /** Prepared statements by SQL text: the UI repeats the same query shapes with new values. */
  private readonly statements = new Map<string, Statement>()

  constructor(
    private readonly db: Database,
    private readonly store: CacheStore,
  ) {
    // Scans of a 100k-row snapshot read ~30 MB: map the file instead of copying through the page cache.
    if ((db.pragma('mmap_size', { simple: true }) as number) < MMAP_BYTES)
      db.pragma(`mmap_size = ${MMAP_BYTES}`)
  }

  run(connectionId: string, resource: ResourceName, options: QueryOptions): QueryReply {
    const snapshotId = this.store.currentSnapshot(connectionId)
    if (snapshotId === null) throw notSynced(connectionId)
    // A resource whose first sync failed has no rows; an empty answer would pass for "there are none".
    const state = this.store.resourceStates(snapshotId).find((s) => s.resource === resource)
    if (state && state.syncedAt === null) throw notSynced(connectionId, resource, state.error)
    return this.runOn(snapshotId, resource, options)
  }

  runOn(snapshotId: number, resource: ResourceName, options: QueryOptions): QueryReply {
    const spec = RESOURCES[resource]
    const q = compileQuery(spec, options, snapshotId)
    const count = () => (this.prepared(q.countSql).get(...q.countParams) as { n: number }).n
    if (options.count) return { total: count() }
    const page = () => {
      const ids = this.prepared(q.pageSql)
        .pluck()
        .all(...q.params) as number[]
      if (ids.length === 0) return []
      const docs = this.prepared(q.docsSql).pluck().all(JSON.stringify(ids)) as string[]
      return docs.map((d) => project(JSON.parse(d) as Inventory, options.fields))
    }
    if (!options.replyWithCount) return { inventories: page() }
    // One read transaction: the page and the total see the same snapshot even while a sync writes.
    return this.db.transaction(() => ({ inventories: page(), total: count() }))()
  }

  private prepared(sql: string): Statement {
    let st = this.statements.get(sql)
    if (!st) {
      if (this.statements.size >= 200) this.statements.clear()
      st = this.db.prepare(sql)
      this.statements.set(sql, st)
    }
    return st
  }
}

/** Only the requested fields, in the requested order (the server omits fields a row lacks). */
function project(inv: Inventory, fields: readonly string[] | undefined): Inventory {
  if (!fields || fields.length === 0) return inv
  const out: Inventory = {}
  for (const f of fields) if (f in inv) out[f] = inv[f]
  return out
}

export function notSynced(
  connectionId: string,
  resource?: ResourceName,
  lastError?: ErrorEnvelope | null,
): AppError {
  if (resource) {
    return new AppError(
      'cache.not_synced',
      {
        en: `${resource} has never been synced for this connection, so the offline inventory has none of them (not "there are none"): sync again while the management node is reachable.${lastError ? ` Last error: ${lastError.message.en}` : ''}`,
        zh: `该连接的 ${resource} 从未同步成功，离线清单中没有这些记录（并非“不存在”）：请在管理节点可达时重新同步。${lastError ? ` 最近的错误：${lastError.message.zh}` : ''}`,
      },
      { connectionId, resource },
    )
  }
  return new AppError(
    'cache.not_synced',
    {
      en: 'There is no offline inventory for this connection yet: sync it once while the management node is reachable (zsdr cache sync <connection>).',
      zh: '该连接还没有离线清单：请在管理节点可达时先同步一次（zsdr cache sync <连接>）。',
    },
    { connectionId },
  )
}
