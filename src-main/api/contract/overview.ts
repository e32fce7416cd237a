import { z } from 'zod'
import { defineCall } from './define.js'
import type { DrillOutcome } from './drill.js'

/**
 * The protection overview (issue 15): for one connection, is every VM and data volume
 * recoverable, from which image stores, and how fresh; computed from the offline inventory and
 * the database-backup catalog only, so it answers with the management node down.
 *
 * Times named `...At` are the management node's wall-clock time (`2017-11-14 22:20:57`, no zone),
 * as ZStack shows them; ages compare them with this machine's clock read in its own zone (the
 * node's zone is not known here, see cache/dates.ts).
 */

/** A store holding a copy, as the overview names it. */
export interface OverviewStoreRef {
  uuid: string
  name: string | null
  /** False when the cached status of the store is not Connected: that copy may not be reachable. */
  connected: boolean
}

/** One VM (through its root volume) or one data volume, and its newest backup. */
export interface ProtectedItem {
  kind: 'vm' | 'dataVolume'
  /** The VM's uuid, or the data volume's. */
  uuid: string
  name: string | null
  /** The volume whose backups count: the VM's root volume, or the data volume itself. */
  volumeUuid: string | null
  /** For a data volume: the VM it is attached to (null when detached). */
  vmUuid: string | null
  vmName: string | null
  /** How many Ready backups the volume has. */
  backupCount: number
  newestBackupUuid: string | null
  newestBackupName: string | null
  newestBackupAt: string | null
  ageSeconds: number | null
  /** The stores holding the newest backup (Ready copies). */
  stores: OverviewStoreRef[]
  /** The newest backup is on at least two stores that were Connected. */
  onTwoStores: boolean
  /** Never backed up, or the newest backup is older than the RPO target. */
  breached: boolean
}

export interface OverviewCounts {
  vms: number
  /** VMs outside the RPO target, those never backed up included. */
  vmsOutside: number
  vmsNever: number
  dataVolumes: number
  dataVolumesOutside: number
  dataVolumesNever: number
  /** Items whose newest backup is on fewer than two connected stores (never backed up not counted). */
  singleStore: number
}

export interface DatedCopy {
  name: string | null
  at: string | null
  ageSeconds: number | null
}

export interface DatabaseProtection {
  /** The newest Ready database backup on each store that holds one. */
  perStore: (DatedCopy & { store: OverviewStoreRef })[]
  /** The newest database backup exported to a URL (reachable as a file without the store's API). */
  newestExported: DatedCopy | null
  /**
   * The newest backup reachable without the node: from the SSH catalog (hosts that are this
   * connection's image stores or its node, and this machine), or a copy already fetched here.
   */
  newestOffline: (DatedCopy & { hostLabel: string; fetched: boolean }) | null
  /** Of those, the newest copy already on this machine. */
  newestFetched: (DatedCopy & { hostLabel: string }) | null
  /** Age of the youngest of all these: what a restore now would go back to; null if none is known. */
  newestAgeSeconds: number | null
  /** The newest finished recovery drill (#14) of one of the catalogued copies above; null if none. */
  lastDrill: DrilledBackup | null
}

/** A recovery drill's result: whether that backup was proven to restore, and how long it took. */
export interface DrilledBackup {
  /** The catalogued backup's file name and host. */
  name: string
  hostLabel: string
  outcome: DrillOutcome
  /** When the drill ended (ISO), and how long ago. */
  finishedAt: string
  ageSeconds: number | null
  /** The restore's duration; null when it did not get that far. */
  restoreSeconds: number | null
}

export interface StoreSummary {
  uuid: string
  name: string | null
  hostname: string | null
  status: string | null
  state: string | null
  totalCapacity: number | null
  availableCapacity: number | null
  /** Bytes of Ready volume and database backups with a copy on this store. */
  usedByBackups: number
  /** Bytes of backups created here per week, averaged over the last 28 days. */
  growthPerWeek: number
  /** availableCapacity at that growth; null when nothing grows or the capacity is unknown. */
  daysUntilFull: number | null
}

export interface OverviewCharts {
  /** The last 90 days (node wall-clock dates, oldest first). */
  days: string[]
  /** Volume backups created per day, per store holding a copy; `counts[i]` belongs to `days[i]`. */
  perStore: { store: OverviewStoreRef; counts: number[] }[]
  /** How many VMs' newest backups fall in each age bucket. */
  ageBuckets: { bucket: AgeBucket; count: number }[]
}

export const ageBuckets = ['1d', '2d', '7d', '30d', 'older', 'never'] as const
/** `1d`: under a day; `2d`: one to two days; ... `older`: over 30 days; `never`: no backup. */
export type AgeBucket = (typeof ageBuckets)[number]

export interface CacheFreshness {
  synced: boolean
  /** When the oldest cached resource was fetched from the node (ISO UTC). */
  syncedAt: string | null
  ageSeconds: number | null
}

export interface ConnectionOverview {
  connectionId: string
  connectionName: string
  endpoint: string
  /** ISO UTC. */
  generatedAt: string
  cache: CacheFreshness
  rpoHours: number
  counts: OverviewCounts
  /** Breaches first (never backed up, then oldest), then the rest oldest first. */
  items: ProtectedItem[]
  database: DatabaseProtection
  stores: StoreSummary[]
  charts: OverviewCharts
  /** Backup schedules seen in the offline inventory. */
  schedules: ScheduleCoverage
}

/** A schedule whose runs are further apart than the RPO target: its backups cannot meet it. */
export interface ScheduleBreach {
  jobUuid: string
  name: string | null
  targetUuid: string | null
  /** The longest gap between two runs (cron: over the next runs; simple: the interval). */
  intervalSeconds: number
}

export interface ScheduleCoverage {
  /** VMs and volumes an enabled backup schedule targets. */
  scheduledUuids: string[]
  breaches: ScheduleBreach[]
}

/** One line per connection, for engineers who look after several clouds. */
export interface OverviewLine {
  connectionId: string
  connectionName: string
  endpoint: string
  cache: CacheFreshness
  rpoHours: number
  counts: OverviewCounts
  /** Age of the newest database backup reachable in any way (store, export or offline). */
  newestDatabaseBackupAgeSeconds: number | null
}

/** A report as a file, for the window to save or the CLI to write. */
export interface OverviewExport {
  fileName: string
  mimeType: 'text/csv' | 'text/html'
  text: string
}

export const DEFAULT_RPO_HOURS = 24
const connectionId = z.string().min(1).max(64)

export const overviewCalls = {
  'overview.get': defineCall<ConnectionOverview>()(() => z.object({ connectionId }).strict()),
  /** Every saved connection, one line each; `connectionIds` narrows to those (never empty). */
  'overview.lines': defineCall<OverviewLine[]>()(() =>
    z.object({ connectionIds: z.array(connectionId).min(1).max(100).optional() }).strict(),
  ),
  /** CSV (English column names) or a self-contained HTML report in `lang`. */
  'overview.export': defineCall<OverviewExport>()(() =>
    z
      .object({
        connectionIds: z.array(connectionId).min(1).max(100),
        format: z.enum(['csv', 'html']),
        lang: z.enum(['en', 'zh-CN']).default('en'),
      })
      .strict(),
  ),
  /** The RPO target of a connection, in hours (at most a year). */
  'overview.rpo.set': defineCall<{ rpoHours: number }>()(() =>
    z
      .object({
        connectionId,
        rpoHours: z
          .number()
          .positive()
          .max(24 * 366),
      })
      .strict(),
  ),
}
