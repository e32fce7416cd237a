import type { Database, Statement } from 'better-sqlite3'
import type { ProtectedItem, StoreSummary } from '../api/contract/overview.js'
import { isBackupJob } from '../zstack/scheduler/service.js'
import type { ScheduledJobRow, TriggerRow } from './schedule-coverage.js'
import { DAY_MS } from './store-tally.js'

/**
 * The overview's reads of the offline inventory (the cache tables of migration 3), one snapshot
 * at a time. Each question is one aggregate so SQLite does the counting; only one row per VM,
 * volume, store or day reaches JavaScript. Dates are wall ms (cache/dates.ts).
 *
 * Only Ready backups and Ready copies count: one being created, failed or deleted restores nothing.
 */

/** A VM (by its root volume) or a live data volume: what should have a backup. */
export type TargetRow = Pick<ProtectedItem, 'kind' | 'uuid' | 'name' | 'volumeUuid' | 'vmUuid' | 'vmName'>

/** A volume's newest Ready backup (row id) and how many Ready backups it has (per spelling of its uuid). */
export interface NewestRow {
  volumeUuid: string
  count: number
  at: number | null
  id: number
}

export interface NewestDetail {
  uuid: string
  name: string | null
  /** Comma-separated store uuids of its Ready copies. */
  stores: string | null
}

/** Ready copies of volume backups per store and creation day (-1: before the window). */
export interface StoreDayRow {
  store: string
  day: number
  count: number
  bytes: number
}

/** An image store as listed (the summary adds what backups hold there). */
export type StoreRow = Pick<
  StoreSummary,
  'uuid' | 'name' | 'hostname' | 'status' | 'state' | 'totalCapacity' | 'availableCapacity'
>

export interface StoreUsageRow {
  store: string
  used: number
  recent: number
}

export interface DatabaseBackupRow {
  store: string | null
  name: string | null
  at: number | null
}

export type DatabaseStoreRow = StoreUsageRow & DatabaseBackupRow & { store: string }

/** User VMs that exist (destroyed ones are in the recycle bin or gone) and live data volumes. */
const TARGETS_SQL = `SELECT 'vm' AS kind, vm.uuid, vm.name, vm.rootVolumeUuid AS volumeUuid, NULL AS vmUuid, NULL AS vmName
FROM cache_vm_instances vm
WHERE vm.snapshot_id = @s AND coalesce(vm.type, 'UserVm') = 'UserVm'
  AND coalesce(vm.state, '') NOT IN ('Destroyed', 'Expunging')
UNION ALL
SELECT 'dataVolume', v.uuid, v.name, v.uuid, vm.uuid, vm.name
FROM cache_volumes v LEFT JOIN cache_vm_instances vm ON vm.snapshot_id = @s AND vm.uuid = v.vmInstanceUuid
WHERE v.snapshot_id = @s AND v.type = 'Data' AND coalesce(v.status, '') NOT IN ('Deleted', 'Expunging')`

/*
 * The two big aggregates read the tables in row order (NOT INDEXED) and sort in a temporary
 * B-tree, grouping by the exact bytes of the uuid: comparing without case costs a sixth of the
 * newest-backup query and a quarter of the store days (measured in the overview benchmark, where
 * the cache's memory-mapped reads make walking the volumeUuid index no faster). So one volume or
 * store spelt in two cases comes back as two rows; newestByVolume and tallyStores merge them.
 * SQLite returns the bare column `id` of the row holding max(createDate).
 */
const NEWEST_SQL = `SELECT volumeUuid COLLATE BINARY AS volumeUuid, count(*) AS count, max(createDate) AS at, id
FROM cache_volume_backups NOT INDEXED
WHERE snapshot_id = @s AND status = 'Ready' AND volumeUuid IS NOT NULL GROUP BY 1`

const NEWEST_DETAIL_SQL = `SELECT b.id, b.uuid, b.name,
  (SELECT group_concat(r.backupStorageUuid) FROM cache_volume_backup_refs r
   WHERE r.parent_id = b.id AND r.status = 'Ready') AS stores
FROM cache_volume_backups b WHERE b.id IN (SELECT value FROM json_each(@ids))`

const STORE_DAYS_SQL = `SELECT r.backupStorageUuid COLLATE BINARY AS store,
  CASE WHEN b.createDate >= @first * ${DAY_MS} THEN b.createDate / ${DAY_MS} ELSE -1 END AS day,
  count(*) AS count, coalesce(sum(b.size), 0) AS bytes
FROM cache_volume_backup_refs r NOT INDEXED JOIN cache_volume_backups b ON b.id = r.parent_id
WHERE r.snapshot_id = @s AND r.status = 'Ready' AND b.status = 'Ready' AND r.backupStorageUuid IS NOT NULL
GROUP BY 1, 2`

const STORES_SQL = `SELECT uuid, name, hostname, status, state, totalCapacity, availableCapacity
FROM cache_backup_storages WHERE snapshot_id = @s ORDER BY name, uuid`

/**
 * Per store, in one pass: bytes of Ready database backups (`recent`: created since @since) and the
 * newest of them (bare columns of max(), as above).
 */
const DB_PER_STORE_SQL = `SELECT r.backupStorageUuid AS store, sum(b.size) AS used,
       sum(CASE WHEN b.createDate >= @since THEN b.size ELSE 0 END) AS recent, b.name, max(b.createDate) AS at
FROM cache_database_backup_refs r JOIN cache_database_backups b ON b.id = r.parent_id
WHERE r.snapshot_id = @s AND r.status = 'Ready' AND b.status = 'Ready' GROUP BY r.backupStorageUuid`

const DB_EXPORTED_SQL = `SELECT NULL AS store, b.name, max(b.createDate) AS at
FROM cache_database_backup_refs r JOIN cache_database_backups b ON b.id = r.parent_id
WHERE r.snapshot_id = @s AND r.exportUrl IS NOT NULL AND r.exportUrl != '' AND b.status = 'Ready'`

/** Cached scheduler jobs; the trigger list and job data are only in the inventory as sent (the doc). */
const SCHEDULE_JOBS_SQL = `SELECT j.uuid, j.name, j.state, j.targetResourceUuid AS targetUuid,
  json_extract(d.doc, '$.triggersUuid') AS triggers, json_extract(d.doc, '$.jobData') AS jobData
FROM cache_scheduler_jobs j JOIN cache_scheduler_jobs_doc d ON d.id = j.id WHERE j.snapshot_id = @s`

const TRIGGERS_SQL = `SELECT uuid, schedulerType, cron, schedulerInterval FROM cache_scheduler_triggers WHERE snapshot_id = @s`

type StatementName =
  | 'targets'
  | 'newest'
  | 'newestDetail'
  | 'storeDays'
  | 'stores'
  | 'dbPerStore'
  | 'dbExported'
  | 'scheduleJobs'
  | 'triggers'

export class InventoryReader {
  private readonly st: Record<StatementName, Statement>

  constructor(db: Database) {
    this.st = {
      targets: db.prepare(TARGETS_SQL),
      newest: db.prepare(NEWEST_SQL),
      newestDetail: db.prepare(NEWEST_DETAIL_SQL),
      storeDays: db.prepare(STORE_DAYS_SQL),
      stores: db.prepare(STORES_SQL),
      dbPerStore: db.prepare(DB_PER_STORE_SQL),
      dbExported: db.prepare(DB_EXPORTED_SQL),
      scheduleJobs: db.prepare(SCHEDULE_JOBS_SQL),
      triggers: db.prepare(TRIGGERS_SQL),
    }
  }

  targets(s: number): TargetRow[] {
    return this.st.targets.all({ s }) as TargetRow[]
  }

  newest(s: number): NewestRow[] {
    return this.st.newest.all({ s }) as NewestRow[]
  }

  /** uuid, name and stores of these backups (the newest of each volume), by row id. */
  newestDetails(ids: readonly number[]): Map<number, NewestDetail> {
    const rows = this.st.newestDetail.all({ ids: JSON.stringify(ids) }) as (NewestDetail & { id: number })[]
    return new Map(rows.map(({ id, ...d }) => [id, d]))
  }

  /** Copies per store and day from wall-clock day number `firstDay` on; older ones as day -1. */
  storeDays(s: number, firstDay: number): StoreDayRow[] {
    return this.st.storeDays.all({ s, first: firstDay }) as StoreDayRow[]
  }

  stores(s: number): StoreRow[] {
    return this.st.stores.all({ s }) as StoreRow[]
  }

  /** What each store holds of the database backups, and the newest there. */
  databaseStores(s: number, since: number): DatabaseStoreRow[] {
    return this.st.dbPerStore.all({ s, since }) as DatabaseStoreRow[]
  }

  databaseExported(s: number): DatabaseBackupRow | null {
    const row = this.st.dbExported.get({ s }) as DatabaseBackupRow | undefined
    return row?.at == null ? null : row
  }

  /** Backup jobs only (a job that starts or stops a VM protects nothing). */
  scheduleJobs(s: number): ScheduledJobRow[] {
    const rows = this.st.scheduleJobs.all({ s }) as (Omit<ScheduledJobRow, 'triggerUuids'> & {
      triggers: string | null
      jobData: unknown
    })[]
    return rows
      .filter((r) => isBackupJob({ jobData: typeof r.jobData === 'string' ? r.jobData : null }))
      .map(({ triggers, jobData: _data, ...r }) => ({ ...r, triggerUuids: stringList(triggers) }))
  }

  triggers(s: number): TriggerRow[] {
    return this.st.triggers.all({ s }) as TriggerRow[]
  }
}

/** A JSON list from a cached doc (the node's bytes): only its strings count. */
function stringList(json: string | null): string[] {
  try {
    const v: unknown = JSON.parse(json ?? '[]')
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []
  } catch {
    return []
  }
}
