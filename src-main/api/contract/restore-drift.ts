import type { LocalizedText } from '../../errors/app-error.js'

/** The cloud resources whose drift the restore plan shows. */
export type DriftResourceKind =
  | 'vm'
  | 'volume'
  | 'snapshot'
  | 'image'
  | 'host'
  | 'primary_storage'
  | 'backup_storage'
  | 'l3_network'

/** One field that differs between the backup and the live database. */
export interface DriftFieldChange {
  field: string
  backup: string | null
  live: string | null
}

export interface DriftItem {
  uuid: string
  name: string | null
  /** Only on changed items. */
  changes?: DriftFieldChange[]
}

/** The drift of one kind of resource: counts first, then lists (capped; `listed*` says when less than all). */
export interface ResourceDrift {
  kind: DriftResourceKind
  /** The backup table the rows come from (its rows with `deleted` NULL, as ZStack's own view shows them). */
  table: string
  backupCount: number
  liveCount: number
  /** In the live database only: the restore forgets them; their data stays on storage. */
  created: DriftItem[]
  /** In the backup only: the restore brings them back. */
  deleted: DriftItem[]
  changed: DriftItem[]
  counts: { created: number; deleted: number; changed: number }
  /** How many changed items differ in each field (all of them, not only the listed ones). */
  changedFields: Record<string, number>
  /** True when a list holds fewer items than its count. */
  truncated: boolean
}

export interface RestoreDrift {
  /** `unknown`: the live database (or the backup's rows) could not be read; the restore is not blocked by it. */
  status: 'known' | 'unknown'
  reason: LocalizedText | null
  /** When the backup was taken, from the name zstack-ctl dump_mysql gives it (the node's local time). */
  backupTakenAt: string | null
  /** Seconds between the backup and the live server's clock now; null when either is unknown. */
  backupAgeSeconds: number | null
  resources: ResourceDrift[]
  /** Kinds whose rows could not be compared, with the reason (the others are still shown). */
  unreadable: { kind: DriftResourceKind; reason: string }[]
  /** Volumes whose install path differs: zstack-ctl 5.3.0 `check_restore_mysql` refuses such a restore. */
  installPathChanged: number
  /** The engineer accepted the drift (`--accept-drift`, or the typed confirmation in the window). */
  accepted: boolean
}

/** VM HA in the restored database (`GlobalConfigVO` category `ha`, name `enable`). */
export interface VmHaPlan {
  /** `disable`: set to false after the load, as current zstack-ctl does; `keep`: left as the backup has it. */
  action: 'disable' | 'keep'
  /** The value in the backup; null when the backup has no such row (or it could not be read). */
  inBackup: string | null
}
