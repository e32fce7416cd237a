import type { CacheStatus } from '../api/contract/cache.js'
import type { CatalogBackup } from '../api/contract/db-backups.js'
import {
  type ConnectionOverview,
  DEFAULT_RPO_HOURS,
  type OverviewExport,
  type OverviewLine,
} from '../api/contract/overview.js'
import type { CacheStore } from '../cache/store.js'
import { type Database, Settings } from '../db/index.js'
import { AppError } from '../errors/app-error.js'
import { LOCAL_HOST_LABEL } from '../recovery/scan/catalog.js'
import { type ConnectionRecord, ConnectionRepository } from '../zstack/connection-repository.js'
import {
  charts,
  countItems,
  databaseProtection,
  storeIndex,
  storeSummaries,
  toItems,
  wallNow,
  windows,
} from './compute.js'
import { DrillReader } from './drill-reader.js'
import { overviewCsv, overviewHtml } from './export.js'
import { InventoryReader, type StoreRow } from './inventory-reader.js'
import type { ReportLang } from './report-text.js'
import { scheduleCoverage } from './schedule-coverage.js'
import { DAY_MS, tallyStores } from './store-tally.js'

export interface OverviewDeps {
  db: Database
  store: CacheStore
  /** The cache's own account of its freshness (CacheService.status). */
  cacheStatus: (connectionId: string) => CacheStatus
  /** The database-backup catalog (BackupCatalog.list). */
  catalog: { list(filter?: { includeMissing?: boolean }): CatalogBackup[] }
  clock?: () => Date
}

const rpoKey = (connectionId: string) => `overview.rpoHours.${connectionId}`

/**
 * The protection overview of saved connections, from the offline inventory and the catalog
 * only: the node is never asked, so it answers the same with the node down.
 */
export class OverviewService {
  private readonly reader: InventoryReader
  private readonly connections: ConnectionRepository
  private readonly settings: Settings
  private readonly drills: DrillReader
  private readonly clock: () => Date

  constructor(private readonly deps: OverviewDeps) {
    this.reader = new InventoryReader(deps.db)
    this.connections = new ConnectionRepository(deps.db)
    this.settings = new Settings(deps.db)
    this.drills = new DrillReader(deps.db)
    this.clock = deps.clock ?? (() => new Date())
  }

  rpoHours(connectionId: string): number {
    const stored = this.settings.get<unknown>(rpoKey(connectionId))
    return typeof stored === 'number' && stored > 0 ? stored : DEFAULT_RPO_HOURS
  }

  setRpoHours(connectionId: string, hours: number): { rpoHours: number } {
    this.connection(connectionId)
    this.settings.set(rpoKey(connectionId), hours)
    return { rpoHours: hours }
  }

  overview(connectionId: string): ConnectionOverview {
    const conn = this.connection(connectionId)
    const now = this.clock()
    const nowWall = wallNow(now)
    const rpoHours = this.rpoHours(connectionId)
    const snapshot = this.deps.store.currentSnapshot(connectionId)
    const r = this.reader
    const stores: StoreRow[] = snapshot === null ? [] : r.stores(snapshot)
    const index = storeIndex(stores)
    const w = windows(nowWall)
    const newest = snapshot === null ? [] : r.newest(snapshot)
    const details = r.newestDetails(newest.map((n) => n.id))
    const targets = snapshot === null ? [] : r.targets(snapshot)
    const items = toItems(targets, newest, details, index, rpoHours * 3600, nowWall)
    const tallies = tallyStores(snapshot === null ? [] : r.storeDays(snapshot, w.firstDay), w)
    const dbStores = snapshot === null ? [] : r.databaseStores(snapshot, w.growthFirstDay * DAY_MS)
    return {
      connectionId,
      connectionName: conn.name,
      endpoint: conn.endpoint,
      generatedAt: now.toISOString(),
      cache: this.freshness(connectionId, now),
      rpoHours,
      counts: countItems(items),
      items,
      database: databaseProtection(
        dbStores,
        snapshot === null ? null : r.databaseExported(snapshot),
        this.offlineCopies(conn, stores),
        index,
        nowWall,
        this.drills.newestFirst(),
      ),
      stores: storeSummaries(stores, tallies, dbStores),
      charts: charts(tallies, index, items, w),
      schedules:
        snapshot === null
          ? { scheduledUuids: [], breaches: [] }
          : scheduleCoverage(r.scheduleJobs(snapshot), r.triggers(snapshot), rpoHours * 3600, now),
    }
  }

  /** One line per connection (all saved ones, or those named), in the order saved connections list. */
  lines(connectionIds?: readonly string[]): OverviewLine[] {
    const ids = connectionIds ?? this.connections.list().map((c) => c.id)
    return ids.map((id) => {
      const o = this.overview(id)
      return {
        connectionId: o.connectionId,
        connectionName: o.connectionName,
        endpoint: o.endpoint,
        cache: o.cache,
        rpoHours: o.rpoHours,
        counts: o.counts,
        newestDatabaseBackupAgeSeconds: o.database.newestAgeSeconds,
      }
    })
  }

  exportReport(connectionIds: readonly string[], format: 'csv' | 'html', lang: ReportLang): OverviewExport {
    const overviews = connectionIds.map((id) => this.overview(id))
    const stamp = this.clock().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')
    return format === 'csv'
      ? { fileName: `zsdr-overview-${stamp}.csv`, mimeType: 'text/csv', text: overviewCsv(overviews) }
      : {
          fileName: `zsdr-overview-${stamp}.html`,
          mimeType: 'text/html',
          text: overviewHtml(overviews, lang),
        }
  }

  private connection(connectionId: string): ConnectionRecord {
    const conn = this.connections.get(connectionId)
    if (!conn) {
      throw new AppError('overview.unknown_connection', {
        en: `No saved connection "${connectionId.slice(0, 64)}".`,
        zh: `没有已保存的连接“${connectionId.slice(0, 64)}”。`,
      })
    }
    return conn
  }

  /** The cache's age as CacheService reports it; `syncedAt` is that age back from now. */
  private freshness(connectionId: string, now: Date): ConnectionOverview['cache'] {
    const { synced, ageSeconds } = this.deps.cacheStatus(connectionId)
    const syncedAt = ageSeconds === null ? null : new Date(now.getTime() - ageSeconds * 1000).toISOString()
    return { synced, syncedAt, ageSeconds }
  }

  /**
   * Catalogued database backups (still present where last seen) on hosts that belong to this
   * connection, by host name: its image stores and its management node, plus this machine.
   */
  private offlineCopies(conn: ConnectionRecord, stores: readonly StoreRow[]): CatalogBackup[] {
    const hosts = new Set(
      [...stores.map((s) => s.hostname), hostOfUrl(conn.endpoint)]
        .filter((h): h is string => Boolean(h))
        .map((h) => h.toLowerCase()),
    )
    return this.deps.catalog
      .list({ includeMissing: false })
      .filter((b) => b.hostLabel === LOCAL_HOST_LABEL || hosts.has(hostOfLabel(b.hostLabel)))
  }
}

/** `user@host:port` → host (brackets of an IPv6 address removed). */
function hostOfLabel(label: string): string {
  return label
    .replace(/^[^@]*@/, '')
    .replace(/:\d+$/, '')
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase()
}

function hostOfUrl(url: string): string | null {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, '$1')
  } catch {
    return null
  }
}
