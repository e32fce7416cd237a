import type { CatalogBackup } from '../api/contract/db-backups.js'
import type {
  AgeBucket,
  DatabaseProtection,
  DatedCopy,
  OverviewCharts,
  OverviewCounts,
  OverviewStoreRef,
  ProtectedItem,
  StoreSummary,
} from '../api/contract/overview.js'
import { ageBuckets } from '../api/contract/overview.js'
import { queryValueToWallMs } from '../cache/dates.js'
import {
  DAY_MS,
  type DailyRow,
  type DatabaseBackupRow,
  type ItemRow,
  type StoreRow,
  type StoreUsageRow,
} from './inventory-reader.js'

/**
 * The overview's arithmetic on what the reader returned: ages, RPO breaches and their order,
 * counts, store growth, chart series. Pure functions of their inputs and `nowWall`, the current
 * time as node wall-clock ms.
 */

export const CHART_DAYS = 90
/** Growth per week is averaged over this window. */
const GROWTH_WINDOW_DAYS = 28

/** This machine's time now, as wall ms in its own zone (the node's zone is not known). */
export function wallNow(date: Date): number {
  return queryValueToWallMs(String(date.getTime())) ?? date.getTime()
}

/** `2017-11-14 22:20:57`, the node's wall-clock time as ZStack shows it. */
export function wallText(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
}

function ageOf(at: number | null, nowWall: number): number | null {
  return at === null ? null : Math.max(0, Math.floor((nowWall - at) / 1000))
}

export type StoreIndex = ReadonlyMap<string, OverviewStoreRef>

export function storeIndex(stores: readonly StoreRow[]): StoreIndex {
  return new Map(
    stores.map((s) => [
      s.uuid.toLowerCase(),
      { uuid: s.uuid, name: s.name, connected: s.status === 'Connected' },
    ]),
  )
}

/** A store the inventory does not list (removed since): named by uuid, not counted as connected. */
function storeRef(index: StoreIndex, uuid: string): OverviewStoreRef {
  return index.get(uuid.toLowerCase()) ?? { uuid, name: null, connected: false }
}

export function toItems(
  rows: readonly ItemRow[],
  index: StoreIndex,
  rpoSeconds: number,
  nowWall: number,
): ProtectedItem[] {
  const items = rows.map((r): ProtectedItem => {
    const ageSeconds = ageOf(r.newestAt, nowWall)
    const stores = [...new Set(r.stores ? r.stores.split(',') : [])].map((u) => storeRef(index, u))
    return {
      kind: r.kind,
      uuid: r.uuid,
      name: r.name,
      volumeUuid: r.volumeUuid,
      vmUuid: r.vmUuid,
      vmName: r.vmName,
      backupCount: r.backupCount,
      newestBackupUuid: r.newestUuid,
      newestBackupName: r.newestName,
      newestBackupAt: wallText(r.newestAt),
      ageSeconds,
      stores,
      onTwoStores: stores.filter((s) => s.connected).length >= 2,
      // Exactly at the target is still within it.
      breached: ageSeconds === null || ageSeconds > rpoSeconds,
    }
  })
  return items.sort(byUrgency)
}

/** Breaches first; among them never-backed-up first; then oldest first; then by name. */
function byUrgency(a: ProtectedItem, b: ProtectedItem): number {
  if (a.breached !== b.breached) return a.breached ? -1 : 1
  const ageA = a.ageSeconds ?? Number.POSITIVE_INFINITY
  const ageB = b.ageSeconds ?? Number.POSITIVE_INFINITY
  if (ageA !== ageB) return ageB - ageA > 0 ? 1 : -1
  return (a.name ?? '').localeCompare(b.name ?? '') || a.uuid.localeCompare(b.uuid)
}

export function countItems(items: readonly ProtectedItem[]): OverviewCounts {
  const counts: OverviewCounts = {
    vms: 0,
    vmsOutside: 0,
    vmsNever: 0,
    dataVolumes: 0,
    dataVolumesOutside: 0,
    dataVolumesNever: 0,
    singleStore: 0,
  }
  for (const i of items) {
    const never = i.ageSeconds === null
    if (i.kind === 'vm') {
      counts.vms++
      if (i.breached) counts.vmsOutside++
      if (never) counts.vmsNever++
    } else {
      counts.dataVolumes++
      if (i.breached) counts.dataVolumesOutside++
      if (never) counts.dataVolumesNever++
    }
    if (!never && !i.onTwoStores) counts.singleStore++
  }
  return counts
}

export function storeSummaries(stores: readonly StoreRow[], usage: readonly StoreUsageRow[]): StoreSummary[] {
  const byStore = new Map(usage.map((u) => [u.store.toLowerCase(), u]))
  return stores.map((s) => {
    const u = byStore.get(s.uuid.toLowerCase())
    const growthPerWeek = Math.round(((u?.recent ?? 0) * 7) / GROWTH_WINDOW_DAYS)
    const perDay = growthPerWeek / 7
    return {
      ...s,
      usedByBackups: u?.used ?? 0,
      growthPerWeek,
      daysUntilFull:
        perDay > 0 && s.availableCapacity !== null
          ? Math.round((s.availableCapacity / perDay) * 10) / 10
          : null,
    }
  })
}

/** Start of the growth window, in wall ms. */
export function growthSince(nowWall: number): number {
  return nowWall - GROWTH_WINDOW_DAYS * DAY_MS
}

/** First wall-clock day (as a day number) of the chart window ending today. */
export function chartFirstDay(nowWall: number): number {
  return Math.floor(nowWall / DAY_MS) - (CHART_DAYS - 1)
}

export function charts(
  daily: readonly DailyRow[],
  index: StoreIndex,
  items: readonly ProtectedItem[],
  nowWall: number,
): OverviewCharts {
  const first = chartFirstDay(nowWall)
  const days = Array.from({ length: CHART_DAYS }, (_, i) => wallText((first + i) * DAY_MS)!.slice(0, 10))
  const series = new Map<string, { store: OverviewStoreRef; counts: number[] }>()
  for (const s of index.values()) series.set(s.uuid.toLowerCase(), { store: s, counts: days.map(() => 0) })
  for (const row of daily) {
    const key = row.store.toLowerCase()
    let line = series.get(key)
    if (!line) {
      line = { store: storeRef(index, row.store), counts: days.map(() => 0) }
      series.set(key, line)
    }
    const i = row.day - first
    if (i >= 0 && i < CHART_DAYS) line.counts[i]! += row.n
  }
  return { days, perStore: [...series.values()], ageBuckets: bucketAges(items) }
}

function bucketOf(ageSeconds: number | null): AgeBucket {
  if (ageSeconds === null) return 'never'
  const days = ageSeconds / 86_400
  if (days < 1) return '1d'
  if (days < 2) return '2d'
  if (days < 7) return '7d'
  if (days < 30) return '30d'
  return 'older'
}

/** The age distribution of the VMs' newest backups (data volumes are listed, not charted). */
function bucketAges(items: readonly ProtectedItem[]): OverviewCharts['ageBuckets'] {
  const counts = new Map<AgeBucket, number>(ageBuckets.map((b) => [b, 0]))
  for (const i of items) {
    if (i.kind !== 'vm') continue
    const b = bucketOf(i.ageSeconds)
    counts.set(b, (counts.get(b) ?? 0) + 1)
  }
  return ageBuckets.map((bucket) => ({ bucket, count: counts.get(bucket) ?? 0 }))
}

function dated(name: string | null, at: number | null, nowWall: number): DatedCopy {
  return { name, at: wallText(at), ageSeconds: ageOf(at, nowWall) }
}

/**
 * A catalog date as wall ms: scans give the host's local time without a zone, or ISO UTC (a file's
 * mtime), which is read in this machine's zone like every other absolute time here.
 */
export function catalogWallMs(text: string | null): number | null {
  if (!text) return null
  if (/(Z|[+-]\d\d:?\d\d)$/.test(text)) {
    const ms = Date.parse(text)
    return Number.isNaN(ms) ? null : wallNow(new Date(ms))
  }
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`)
  return Number.isNaN(ms) ? null : ms
}

export function databaseProtection(
  perStore: readonly DatabaseBackupRow[],
  exported: DatabaseBackupRow | null,
  offline: readonly CatalogBackup[],
  index: StoreIndex,
  nowWall: number,
): DatabaseProtection {
  const newest = (list: readonly CatalogBackup[]) =>
    list
      .map((b) => ({ b, at: catalogWallMs(b.createdAt) }))
      .reduce<{ b: CatalogBackup; at: number | null } | null>(
        (best, c) => (best === null || (c.at ?? -1) > (best.at ?? -1) ? c : best),
        null,
      )
  const off = newest(offline)
  const fetched = newest(offline.filter((b) => b.fetched !== null))
  return {
    perStore: perStore
      .map((r) => ({ ...dated(r.name, r.at, nowWall), store: storeRef(index, r.store ?? '') }))
      .sort((a, b) => (a.store.name ?? a.store.uuid).localeCompare(b.store.name ?? b.store.uuid)),
    newestExported: exported ? dated(exported.name, exported.at, nowWall) : null,
    newestOffline: off
      ? { ...dated(off.b.name, off.at, nowWall), hostLabel: off.b.hostLabel, fetched: off.b.fetched !== null }
      : null,
    newestFetched: fetched
      ? { ...dated(fetched.b.name, fetched.at, nowWall), hostLabel: fetched.b.hostLabel }
      : null,
  }
}
