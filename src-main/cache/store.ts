import type { Database, Statement } from 'better-sqlite3'
import type { ErrorEnvelope } from '../errors/app-error.js'
import { redactValue } from '../errors/redact.js'
import { gsonToWallMs } from './dates.js'
import {
  type FieldType,
  type NestedSpec,
  RESOURCES,
  type ResourceName,
  type ResourceSpec,
} from './resources.js'

export type Inventory = Record<string, unknown>

export interface ResourceState {
  resource: ResourceName
  count: number
  /** When this resource's rows were last fetched from the node (ISO UTC); null if never. */
  syncedAt: string | null
  /** Newest `lastOpDate` among the rows (wall ms), where the next incremental sync starts. */
  highWater: number | null
  /** The last attempt's error for this resource, when it failed (the rows are then older). */
  error: ErrorEnvelope | null
}

export interface SyncState {
  connectionId: string
  snapshotId: number | null
  lastFullSyncAt: string | null
  lastIncrementalSyncAt: string | null
  lastAttemptAt: string | null
  lastOutcome: string | null
  lastError: ErrorEnvelope | null
}

interface ResourceStatements {
  insert: Statement
  insertDoc: Statement
  insertRef: Statement | null
  findId: Statement
  update: Statement
  updateDoc: Statement
}

const now = () => new Date().toISOString()

/**
 * All reads and writes of the cache tables. Rows are grouped in snapshots; a connection points at
 * one. Writers: the sync worker (its own connection). Readers: the query engine. WAL mode lets
 * both run at once, and every switch of the pointer is one transaction.
 */
export class CacheStore {
  private readonly statements = new Map<ResourceName, ResourceStatements>()
  private readonly readers = new Map<string, Statement>()

  constructor(readonly db: Database) {}

  syncState(connectionId: string): SyncState | null {
    const row = this.reader('SELECT * FROM cache_sync_state WHERE connection_id = ?').get(connectionId) as
      | Record<string, string | number | null>
      | undefined
    if (!row) return null
    return {
      connectionId,
      snapshotId: row.snapshot_id as number | null,
      lastFullSyncAt: row.last_full_sync_at as string | null,
      lastIncrementalSyncAt: row.last_incremental_sync_at as string | null,
      lastAttemptAt: row.last_attempt_at as string | null,
      lastOutcome: row.last_outcome as string | null,
      lastError: row.last_error ? (JSON.parse(row.last_error as string) as ErrorEnvelope) : null,
    }
  }

  currentSnapshot(connectionId: string): number | null {
    return this.syncState(connectionId)?.snapshotId ?? null
  }

  resourceStates(snapshotId: number): ResourceState[] {
    const rows = this.reader(
      'SELECT * FROM cache_resource_state WHERE snapshot_id = ? ORDER BY resource',
    ).all(snapshotId) as {
      resource: ResourceName
      count: number
      synced_at: string | null
      high_water: number | null
      error: string | null
    }[]
    return rows.map((r) => ({
      resource: r.resource,
      count: r.count,
      syncedAt: r.synced_at,
      highWater: r.high_water,
      error: r.error ? (JSON.parse(r.error) as ErrorEnvelope) : null,
    }))
  }

  /** A new, empty snapshot for a full sync; not visible until `publish`. */
  createSnapshot(connectionId: string): number {
    return Number(
      this.db
        .prepare("INSERT INTO cache_snapshots (connection_id, kind) VALUES (?, 'full')")
        .run(connectionId).lastInsertRowid,
    )
  }

  /** Appends a page of inventories, in the server's order, to a snapshot; returns how many were new. */
  insertPage(snapshotId: number, resource: ResourceName, inventories: readonly Inventory[]): number {
    const st = this.prepared(resource)
    const spec = RESOURCES[resource]
    let added = 0
    this.transaction(() => {
      for (const inv of inventories) {
        // A row seen twice (the server's list shifted between pages) keeps its first place.
        const info = st.insert.run(snapshotId, ...columnValues(spec.fields, inv))
        if (info.changes === 0) continue
        st.insertDoc.run(info.lastInsertRowid, JSON.stringify(inv))
        if (st.insertRef) insertRefs(st.insertRef, spec, snapshotId, Number(info.lastInsertRowid), inv)
        added++
      }
    })
    return added
  }

  /**
   * Inserts new rows at the end (the server appends new rows to its table order) and replaces
   * changed rows in place (keeping their place in that order), with their refs.
   */
  upsert(snapshotId: number, resource: ResourceName, inventories: readonly Inventory[]): void {
    const st = this.prepared(resource)
    const spec = RESOURCES[resource]
    const owned = spec.ownedRefs ? spec.nested[spec.ownedRefs]! : null
    for (const inv of inventories) {
      const values = columnValues(spec.fields, inv)
      const existing = st.findId.get(snapshotId, inv.uuid) as { id: number } | undefined
      let id: number
      if (existing) {
        id = existing.id
        st.update.run(...values, id)
        st.updateDoc.run(JSON.stringify(inv), id)
        if (owned) this.db.prepare(`DELETE FROM ${owned.table} WHERE parent_id = ?`).run(id)
      } else {
        id = Number(st.insert.run(snapshotId, ...values).lastInsertRowid)
        st.insertDoc.run(id, JSON.stringify(inv))
      }
      if (st.insertRef) insertRefs(st.insertRef, spec, snapshotId, id, inv)
    }
  }

  deleteRows(snapshotId: number, resource: ResourceName, uuids: readonly string[]): void {
    const spec = RESOURCES[resource]
    const owned = spec.ownedRefs ? spec.nested[spec.ownedRefs]! : null
    const findId = this.prepared(resource).findId
    for (const uuid of uuids) {
      const row = findId.get(snapshotId, uuid) as { id: number } | undefined
      if (!row) continue
      this.db.prepare(`DELETE FROM ${spec.table}_doc WHERE id = ?`).run(row.id)
      this.db.prepare(`DELETE FROM ${spec.table} WHERE id = ?`).run(row.id)
      if (owned) this.db.prepare(`DELETE FROM ${owned.table} WHERE parent_id = ?`).run(row.id)
    }
  }

  /** A resource's rows in a snapshot: their count, newest lastOpDate and uuids. */
  count(snapshotId: number, resource: ResourceName): number {
    const spec = RESOURCES[resource]
    return (
      this.db.prepare(`SELECT count(*) AS n FROM ${spec.table} WHERE snapshot_id = ?`).get(snapshotId) as {
        n: number
      }
    ).n
  }

  /** Which of these uuids the snapshot has (compared as the server does, ignoring case). */
  existing(snapshotId: number, resource: ResourceName, uuids: readonly string[]): Set<string> {
    const findId = this.prepared(resource).findId
    return new Set(uuids.filter((u) => findId.get(snapshotId, u) !== undefined))
  }

  uuids(snapshotId: number, resource: ResourceName): string[] {
    const spec = RESOURCES[resource]
    return this.db
      .prepare(`SELECT uuid FROM ${spec.table} WHERE snapshot_id = ?`)
      .pluck()
      .all(snapshotId) as string[]
  }

  /**
   * Replaces one resource's rows in `to` by those of `from` (same order): a full sync whose fetch of
   * that resource failed, maybe halfway, keeps the previous rows.
   */
  copyResource(from: number, to: number, resource: ResourceName): void {
    const spec = RESOURCES[resource]
    const cols = Object.keys(spec.fields).map(quote).join(', ')
    this.transaction(() => {
      this.clearResource(to, resource)
      this.db
        .prepare(
          `INSERT INTO ${spec.table} (snapshot_id, ${cols}) SELECT ?, ${cols} FROM ${spec.table} WHERE snapshot_id = ? ORDER BY id`,
        )
        .run(to, from)
      this.db
        .prepare(
          `INSERT INTO ${spec.table}_doc (id, doc)
           SELECT n.id, d.doc FROM ${spec.table} n
           JOIN ${spec.table} o ON o.snapshot_id = ? AND o.uuid = n.uuid
           JOIN ${spec.table}_doc d ON d.id = o.id WHERE n.snapshot_id = ?`,
        )
        .run(from, to)
      if (spec.ownedRefs) {
        const nested = spec.nested[spec.ownedRefs]!
        const refCols = Object.keys(nested.fields).map(quote).join(', ')
        const rCols = Object.keys(nested.fields)
          .map((c) => `r.${quote(c)}`)
          .join(', ')
        this.db
          .prepare(
            `INSERT INTO ${nested.table} (snapshot_id, parent_id, ${refCols})
             SELECT ?, n.id, ${rCols} FROM ${nested.table} r
             JOIN ${spec.table} o ON o.id = r.parent_id
             JOIN ${spec.table} n ON n.snapshot_id = ? AND n.uuid = o.uuid
             WHERE r.snapshot_id = ?`,
          )
          .run(to, to, from)
      }
    })
  }

  /**
   * Makes `snapshotId` the connection's current snapshot with these resource states, in one
   * transaction; returns the snapshot it replaced (the caller drops it).
   */
  publish(
    connectionId: string,
    snapshotId: number,
    states: readonly ResourceState[],
    outcome: { kind: 'full' | 'incremental'; outcome: string; error: ErrorEnvelope | null },
  ): number | null {
    const at = now()
    // Read under the write lock: another process may have published since this sync began.
    const previous = this.transaction(() => {
      const replaced = this.currentSnapshot(connectionId)
      this.ensureState(connectionId)
      this.writeResourceStates(snapshotId, states)
      this.db
        .prepare(
          `UPDATE cache_sync_state SET snapshot_id = ?, last_attempt_at = ?, last_outcome = ?, last_error = ?,
           ${outcome.kind === 'full' ? 'last_full_sync_at' : 'last_incremental_sync_at'} = ? WHERE connection_id = ?`,
        )
        .run(snapshotId, at, outcome.outcome, errorJson(outcome.error), at, connectionId)
      return replaced
    })
    return previous === snapshotId ? null : previous
  }

  /**
   * Refreshes the planner's statistics (bounded sampling, a few ms): with them SQLite knows a
   * snapshot id narrows nothing and scans in row-id order, stopping at LIMIT.
   */
  analyze(): void {
    this.db.pragma('analysis_limit = 1000')
    this.db.exec('ANALYZE')
  }

  /**
   * Runs `work` in one write transaction (an incremental sync applies all its changes at once).
   * IMMEDIATE: the write lock is taken at BEGIN, where SQLite waits for it (busy_timeout); a
   * transaction that read first and then writes fails at once if another process wrote meanwhile.
   */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate()
  }

  writeResourceStates(snapshotId: number, states: readonly ResourceState[]): void {
    const st = this.db.prepare(
      `INSERT INTO cache_resource_state (snapshot_id, resource, count, synced_at, high_water, error)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (snapshot_id, resource) DO UPDATE SET count = excluded.count, synced_at = excluded.synced_at,
         high_water = excluded.high_water, error = excluded.error`,
    )
    for (const s of states) {
      st.run(snapshotId, s.resource, s.count, s.syncedAt, s.highWater, errorJson(s.error))
    }
  }

  /** Records a sync that changed nothing visible (failed or cancelled): the snapshot stays as it was. */
  recordFailure(
    connectionId: string,
    error: ErrorEnvelope,
    resourceErrors: readonly ResourceState[] = [],
  ): void {
    this.transaction(() => {
      this.ensureState(connectionId)
      this.db
        .prepare(
          "UPDATE cache_sync_state SET last_attempt_at = ?, last_outcome = 'failed', last_error = ? WHERE connection_id = ?",
        )
        .run(now(), errorJson(error), connectionId)
      const current = this.currentSnapshot(connectionId)
      if (current === null) return
      const set = this.db.prepare(
        'UPDATE cache_resource_state SET error = ? WHERE snapshot_id = ? AND resource = ?',
      )
      for (const r of resourceErrors) set.run(errorJson(r.error), current, r.resource)
    })
  }

  /** Deletes a snapshot's rows, a table at a time so readers are never blocked for long. */
  dropSnapshot(snapshotId: number): void {
    for (const resource of Object.keys(RESOURCES) as ResourceName[]) {
      this.transaction(() => this.clearResource(snapshotId, resource))
    }
    this.db.prepare('DELETE FROM cache_resource_state WHERE snapshot_id = ?').run(snapshotId)
    this.db.prepare('DELETE FROM cache_snapshots WHERE id = ?').run(snapshotId)
  }

  /** Snapshots of a connection that are not its current one: leftovers of syncs that were killed. */
  orphans(connectionId: string): number[] {
    return this.db
      .prepare(
        `SELECT id FROM cache_snapshots WHERE connection_id = ?
         AND id IS NOT (SELECT snapshot_id FROM cache_sync_state WHERE connection_id = ?)`,
      )
      .pluck()
      .all(connectionId, connectionId) as number[]
  }

  /** Forgets a connection's whole cache (the connection was removed). */
  dropConnection(connectionId: string): void {
    const ids = this.db
      .prepare('SELECT id FROM cache_snapshots WHERE connection_id = ?')
      .pluck()
      .all(connectionId) as number[]
    this.db.prepare('DELETE FROM cache_sync_state WHERE connection_id = ?').run(connectionId)
    for (const id of ids) this.dropSnapshot(id)
  }

  /** Deletes one resource's rows (and their docs and refs) from a snapshot. */
  clearResource(snapshotId: number, resource: ResourceName): void {
    const spec = RESOURCES[resource]
    this.db
      .prepare(
        `DELETE FROM ${spec.table}_doc WHERE id IN (SELECT id FROM ${spec.table} WHERE snapshot_id = ?)`,
      )
      .run(snapshotId)
    this.db.prepare(`DELETE FROM ${spec.table} WHERE snapshot_id = ?`).run(snapshotId)
    if (spec.ownedRefs) {
      this.db
        .prepare(`DELETE FROM ${spec.nested[spec.ownedRefs]!.table} WHERE snapshot_id = ?`)
        .run(snapshotId)
    }
  }

  private ensureState(connectionId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO cache_sync_state (connection_id) VALUES (?)').run(connectionId)
  }

  /** The state lookups every query makes, prepared once (preparing costs more than running them). */
  private reader(sql: string): Statement {
    let st = this.readers.get(sql)
    if (!st) {
      st = this.db.prepare(sql)
      this.readers.set(sql, st)
    }
    return st
  }

  private prepared(resource: ResourceName): ResourceStatements {
    let st = this.statements.get(resource)
    if (st) return st
    const spec = RESOURCES[resource]
    const names = Object.keys(spec.fields)
    const cols = names.map(quote).join(', ')
    const marks = names.map(() => '?').join(', ')
    const owned = spec.ownedRefs ? spec.nested[spec.ownedRefs]! : null
    st = {
      insert: this.db.prepare(
        `INSERT INTO ${spec.table} (snapshot_id, ${cols}) VALUES (?, ${marks}) ON CONFLICT DO NOTHING`,
      ),
      insertDoc: this.db.prepare(`INSERT INTO ${spec.table}_doc (id, doc) VALUES (?, ?)`),
      insertRef: owned ? this.db.prepare(refInsertSql(owned)) : null,
      findId: this.db.prepare(`SELECT id FROM ${spec.table} WHERE snapshot_id = ? AND uuid = ?`),
      update: this.db.prepare(
        `UPDATE ${spec.table} SET ${names.map((n) => `${quote(n)} = ?`).join(', ')} WHERE id = ?`,
      ),
      updateDoc: this.db.prepare(`UPDATE ${spec.table}_doc SET doc = ? WHERE id = ?`),
    }
    this.statements.set(resource, st)
    return st
  }
}

function refInsertSql(nested: NestedSpec): string {
  const names = Object.keys(nested.fields)
  return `INSERT INTO ${nested.table} (snapshot_id, parent_id, ${names.map(quote).join(', ')}) VALUES (?, ?, ${names.map(() => '?').join(', ')})`
}

function insertRefs(
  insert: Statement,
  spec: ResourceSpec,
  snapshotId: number,
  parentId: number,
  inv: Inventory,
): void {
  const nested = spec.nested[spec.ownedRefs!]!
  const refs = inv[spec.ownedRefs!]
  if (!Array.isArray(refs)) return
  for (const ref of refs as Inventory[]) {
    // The parent column is the join key: trust the parent's uuid over a ref that omits it.
    const values = columnValues(nested.fields, {
      ...ref,
      [nested.parentColumn]: ref[nested.parentColumn] ?? inv.uuid,
    })
    insert.run(snapshotId, parentId, ...values)
  }
}

/** An inventory's queryable fields as column values, in spec order. */
export function columnValues(fields: Readonly<Record<string, FieldType>>, inv: Inventory): unknown[] {
  const out: unknown[] = []
  for (const [name, type] of Object.entries(fields)) out.push(toColumn(type, inv[name]))
  return out
}

function toColumn(type: FieldType, value: unknown): unknown {
  if (value === null || value === undefined) return null
  switch (type) {
    case 'date':
      return typeof value === 'string' ? gsonToWallMs(value) : null
    case 'bool':
      return value === true || value === 'true' ? 1 : 0
    case 'int':
      return typeof value === 'number' ? value : Number(value)
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value)
  }
}

function errorJson(error: ErrorEnvelope | null): string | null {
  return error ? JSON.stringify(redactValue(error)) : null
}

function quote(identifier: string): string {
  return `"${identifier}"`
}
