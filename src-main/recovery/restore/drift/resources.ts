import type { DriftResourceKind } from '../../../api/contract/restore-drift.js'
import type { TrackedTable } from './backup-rows.js'

/**
 * The resources whose drift the plan shows, in ZStack 3.0.0's own tables. Each `…VO` an engineer knows
 * is a view over an `…EO` table with `WHERE deleted IS NULL` (`/work/shared/zstack-schema-3.0.0`:
 * V0.6__schema.sql, views re-created in V0.7 (VmInstanceVO), V1.9 (VolumeVO), V2.1.0 (ImageVO),
 * V2.2.0 (L3NetworkVO)). A dump holds rows of tables, not views, so both sides read the EO table with
 * the same filter. `fields` are compared; the first is the resource's name.
 */
export interface DriftResource {
  kind: DriftResourceKind
  table: string
  fields: readonly string[]
}

export const DRIFT_RESOURCES: readonly DriftResource[] = [
  { kind: 'vm', table: 'VmInstanceEO', fields: ['name', 'state'] },
  { kind: 'volume', table: 'VolumeEO', fields: ['name', 'installPath', 'primaryStorageUuid', 'state'] },
  {
    kind: 'snapshot',
    table: 'VolumeSnapshotEO',
    fields: ['name', 'primaryStorageInstallPath', 'primaryStorageUuid', 'volumeUuid', 'state'],
  },
  { kind: 'image', table: 'ImageEO', fields: ['name', 'state', 'status'] },
  { kind: 'host', table: 'HostEO', fields: ['name', 'managementIp', 'state'] },
  { kind: 'primary_storage', table: 'PrimaryStorageEO', fields: ['name', 'url', 'state'] },
  { kind: 'backup_storage', table: 'BackupStorageEO', fields: ['name', 'url', 'state'] },
  { kind: 'l3_network', table: 'L3NetworkEO', fields: ['name', 'state'] },
]

/** The volume field whose change zstack-ctl 5.3.0 `check_restore_mysql` refuses. */
export const INSTALL_PATH = { kind: 'volume', field: 'installPath' } as const

/** `GlobalConfigVO` (V0.6__schema.sql: id, name, description, category, defaultValue, value). */
export const GLOBAL_CONFIG: TrackedTable = { table: 'GlobalConfigVO', columns: ['category', 'name', 'value'] }

/** What the backup scan keeps: uuid and the compared fields of each resource's rows that ZStack shows. */
export function trackedTables(): TrackedTable[] {
  return [
    ...DRIFT_RESOURCES.map((r) => ({ table: r.table, columns: ['uuid', ...r.fields], liveOnly: true })),
    GLOBAL_CONFIG,
  ]
}
