import type { Database, Statement } from 'better-sqlite3'

/**
 * The overview's reads of the offline inventory (the cache tables of migration 3), one snapshot
 * at a time. Each question is one aggregate so SQLite does the counting; only one row per VM,
 * volume, store or day reaches JavaScript. Dates are wall ms (cache/dates.ts).
 *
 * Only Ready backups and Ready copies count: one being created, failed or deleted restores nothing.
 */

/** A VM (by its root volume) or a data volume with its newest Ready backup, if any. */
export interface ItemRow {
  kind: 'vm' | 'dataVolume'
  uuid: string
  name: string | null
  volumeUuid: string | null
  vmUuid: string | null
  vmName: string | null
  backupCount: number
  newestUuid: string | null
  newestName: string | null
  newestAt: number | null
  /** Comma-separated store uuids of the newest backup's Ready copies. */
  stores: string | null
}

export interface StoreRow {
  uuid: string
  name: string | null
  hostname: string | null
  status: string | null
  state: string | null
  totalCapacity: number | null
  availableCapacity: number | null
}

export interface StoreUsageRow {
  store: string
  used: number
  recent: number
}

export interface DailyRow {
  store: string
  day: number
  n: number
}

export interface DatabaseBackupRow {
  store: string | null
  name: string | null
  at: number | null
}

export const DAY_MS = 86_400_000

/**
 * The newest Ready backup per volume, and how many there are. SQLite returns the bare columns
 * (id, uuid, name) of the row holding max(createDate), a documented property of its aggregates.
 */
const NEWEST = `newest AS (
  SELECT volumeUuid, count(*) AS n, max(createDate) AS at, id, uuid, name
  FROM cache_volume_backups WHERE snapshot_id = @s AND status = 'Ready' GROUP BY volumeUuid
)`

const STORES_OF = (parent: string) =>
  `(SELECT group_concat(r.backupStorageUuid) FROM cache_volume_backup_refs r
    WHERE r.parent_id = ${parent} AND r.status = 'Ready')`

/** User VMs that exist (destroyed ones are in the recycle bin or gone) and live data volumes. */
const ITEMS_SQL = `WITH ${NEWEST}
SELECT 'vm' AS kind, vm.uuid, vm.name, vm.rootVolumeUuid AS volumeUuid, NULL AS vmUuid, NULL AS vmName,
       coalesce(nw.n, 0) AS backupCount, nw.uuid AS newestUuid, nw.name AS newestName, nw.at AS newestAt,
       ${STORES_OF('nw.id')} AS stores
FROM cache_vm_instances vm LEFT JOIN newest nw ON nw.volumeUuid = vm.rootVolumeUuid
WHERE vm.snapshot_id = @s AND coalesce(vm.type, 'UserVm') = 'UserVm'
  AND coalesce(vm.state, '') NOT IN ('Destroyed', 'Expunging')
UNION ALL
SELECT 'dataVolume', v.uuid, v.name, v.uuid, vm.uuid, vm.name,
       coalesce(nw.n, 0), nw.uuid, nw.name, nw.at, ${STORES_OF('nw.id')}
FROM cache_volumes v LEFT JOIN newest nw ON nw.volumeUuid = v.uuid
LEFT JOIN cache_vm_instances vm ON vm.snapshot_id = @s AND vm.uuid = v.vmInstanceUuid
WHERE v.snapshot_id = @s AND v.type = 'Data' AND coalesce(v.status, '') NOT IN ('Deleted', 'Expunging')`

const STORES_SQL = `SELECT uuid, name, hostname, status, state, totalCapacity, availableCapacity
FROM cache_backup_storages WHERE snapshot_id = @s ORDER BY name, uuid`

/** Bytes per store from both kinds of backup; `recent`: created since @since. */
const USAGE_SQL = `SELECT store, sum(used) AS used, sum(recent) AS recent FROM (
  SELECT r.backupStorageUuid AS store, sum(b.size) AS used,
         sum(CASE WHEN b.createDate >= @since THEN b.size ELSE 0 END) AS recent
  FROM cache_volume_backup_refs r JOIN cache_volume_backups b ON b.id = r.parent_id
  WHERE r.snapshot_id = @s AND r.status = 'Ready' AND b.status = 'Ready' GROUP BY r.backupStorageUuid
  UNION ALL
  SELECT r.backupStorageUuid, sum(b.size), sum(CASE WHEN b.createDate >= @since THEN b.size ELSE 0 END)
  FROM cache_database_backup_refs r JOIN cache_database_backups b ON b.id = r.parent_id
  WHERE r.snapshot_id = @s AND r.status = 'Ready' AND b.status = 'Ready' GROUP BY r.backupStorageUuid
) GROUP BY store`

const DAILY_SQL = `SELECT r.backupStorageUuid AS store, b.createDate / ${DAY_MS} AS day, count(*) AS n
FROM cache_volume_backups b JOIN cache_volume_backup_refs r ON r.parent_id = b.id AND r.status = 'Ready'
WHERE b.snapshot_id = @s AND b.status = 'Ready' AND b.createDate >= @since
GROUP BY r.backupStorageUuid, day`

/** The newest Ready database backup per store (bare columns of max(), as above). */
const DB_PER_STORE_SQL = `SELECT r.backupStorageUuid AS store, b.name, max(b.createDate) AS at
FROM cache_database_backup_refs r JOIN cache_database_backups b ON b.id = r.parent_id
WHERE r.snapshot_id = @s AND r.status = 'Ready' AND b.status = 'Ready' GROUP BY r.backupStorageUuid`

const DB_EXPORTED_SQL = `SELECT NULL AS store, b.name, max(b.createDate) AS at
FROM cache_database_backup_refs r JOIN cache_database_backups b ON b.id = r.parent_id
WHERE r.snapshot_id = @s AND r.exportUrl IS NOT NULL AND r.exportUrl != '' AND b.status = 'Ready'`

export class InventoryReader {
  private readonly st: Record<'items' | 'stores' | 'usage' | 'daily' | 'dbPerStore' | 'dbExported', Statement>

  constructor(db: Database) {
    this.st = {
      items: db.prepare(ITEMS_SQL),
      stores: db.prepare(STORES_SQL),
      usage: db.prepare(USAGE_SQL),
      daily: db.prepare(DAILY_SQL),
      dbPerStore: db.prepare(DB_PER_STORE_SQL),
      dbExported: db.prepare(DB_EXPORTED_SQL),
    }
  }

  items(s: number): ItemRow[] {
    return this.st.items.all({ s }) as ItemRow[]
  }

  stores(s: number): StoreRow[] {
    return this.st.stores.all({ s }) as StoreRow[]
  }

  usage(s: number, since: number): StoreUsageRow[] {
    return this.st.usage.all({ s, since }) as StoreUsageRow[]
  }

  /** Volume backups per store and day (wall-clock day number) since `since`. */
  daily(s: number, since: number): DailyRow[] {
    return this.st.daily.all({ s, since }) as DailyRow[]
  }

  databasePerStore(s: number): DatabaseBackupRow[] {
    return this.st.dbPerStore.all({ s }) as DatabaseBackupRow[]
  }

  databaseExported(s: number): DatabaseBackupRow | null {
    const row = this.st.dbExported.get({ s }) as DatabaseBackupRow | undefined
    return row?.at == null ? null : row
  }
}
