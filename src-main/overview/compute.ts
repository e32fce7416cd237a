import type { CatalogBackup } from '../api/contract/db-backups.js'
import type {
  AgeBucket,
  DatabaseProtection,
  DatedCopy,
  DrilledBackup,
  OverviewCharts,
  OverviewCounts,
  OverviewStoreRef,
  ProtectedItem,
  StoreSummary,
} from '../api/contract/overview.js'
import { ageBuckets } from '../api/contract/overview.js'
import type { FinishedDrill } from './drill-reader.js'
import type {
  DatabaseBackupRow,
  NewestDetail,
  NewestRow,
  StoreRow,
  StoreUsageRow,
  TargetRow,
} from './inventory-reader.js'
import { DAY_MS, type StoreTally, type TallyWindow } from './store-tally.js'

/**
 * The overview's arithmetic on what the reader returned: ages, RPO breaches and their order,
 * counts, store growth, chart series. Pure functions of their inputs and `nowWall`, the current
 * time as node wall-clock ms.
 */

const CHART_DAYS = 90
/** Growth per week is averaged over this window. */
const GROWTH_WINDOW_DAYS = 28

/** This machine's time now, as wall ms in its own zone (the node's zone is not known). */
export function wallNow(date: Date): number {
  return date.getTime() - date.getTimezoneOffset() * 60_000
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

/** Each target with its volume's newest Ready backup (`details` by the newest backups' row ids). */
export function toItems(
  targets: readonly TargetRow[],
  newest: readonly NewestRow[],
  details: ReadonlyMap<number, NewestDetail>,
  index: StoreIndex,
  rpoSeconds: number,
  nowWall: number,
): ProtectedItem[] {
  const byVolume = newestByVolume(newest)
  const items = targets.map((t): ProtectedItem => {
    const n = t.volumeUuid === null ? undefined : byVolume.get(t.volumeUuid.toLowerCase())
    const d = n ? details.get(n.id) : undefined
    const at = n?.at ?? null
    const ageSeconds = ageOf(at, nowWall)
    const stores = [...new Set(d?.stores ? d.stores.split(',') : [])].map((u) => storeRef(index, u))
    // Field by field: spreading the driver's row objects is ~100 times slower (measured, 4,000 rows).
    return {
      kind: t.kind,
      uuid: t.uuid,
      name: t.name,
      volumeUuid: t.volumeUuid,
      vmUuid: t.vmUuid,
      vmName: t.vmName,
      backupCount: n?.count ?? 0,
      newestBackupUuid: d?.uuid ?? null,
      newestBackupName: d?.name ?? null,
      newestBackupAt: wallText(at),
      ageSeconds,
      stores,
      onTwoStores: stores.filter((s) => s.connected).length >= 2,
      // Never backed up (or undated), or older than the target; exactly at the target is within it.
      breached: ageSeconds === null || ageSeconds > rpoSeconds,
    }
  })
  return items.sort(byUrgency)
}

/** By lower-case volume uuid (as MySQL compares them), the spellings of one uuid merged. */
function newestByVolume(newest: readonly NewestRow[]): Map<string, NewestRow> {
  const byVolume = new Map<string, NewestRow>()
  for (const n of newest) {
    const key = n.volumeUuid.toLowerCase()
    const seen = byVolume.get(key)
    if (!seen) byVolume.set(key, n)
    else {
      const newer = (n.at ?? -1) > (seen.at ?? -1) ? n : seen
      byVolume.set(key, { ...newer, count: seen.count + n.count })
    }
  }
  return byVolume
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

/** Stores as listed, with what volume and database backups hold there and how fast it grows. */
export function storeSummaries(
  stores: readonly StoreRow[],
  volumes: ReadonlyMap<string, StoreTally>,
  databases: readonly StoreUsageRow[],
): StoreSummary[] {
  const db = new Map(databases.map((u) => [u.store.toLowerCase(), u]))
  return stores.map((s) => {
    const key = s.uuid.toLowerCase()
    const v = volumes.get(key)
    const d = db.get(key)
    const growthPerWeek = Math.round((((v?.recent ?? 0) + (d?.recent ?? 0)) * 7) / GROWTH_WINDOW_DAYS)
    const perDay = growthPerWeek / 7
    return {
      ...s,
      usedByBackups: (v?.used ?? 0) + (d?.used ?? 0),
      growthPerWeek,
      daysUntilFull:
        perDay > 0 && s.availableCapacity !== null
          ? Math.round((s.availableCapacity / perDay) * 10) / 10
          : null,
    }
  })
}

/** The chart's 90 days and the growth window's 28, both ending today (node wall-clock days). */
export function windows(nowWall: number): TallyWindow {
  const today = Math.floor(nowWall / DAY_MS)
  return {
    firstDay: today - (CHART_DAYS - 1),
    growthFirstDay: today - (GROWTH_WINDOW_DAYS - 1),
    days: CHART_DAYS,
  }
}

/** Every listed store has a series (zeros included), and so has any other store holding copies. */
export function charts(
  tallies: ReadonlyMap<string, StoreTally>,
  index: StoreIndex,
  items: readonly ProtectedItem[],
  w: TallyWindow,
): OverviewCharts {
  const days = Array.from({ length: w.days }, (_, i) => wallText((w.firstDay + i) * DAY_MS)!.slice(0, 10))
  const perStore = [...index.values()].map((store) => ({
    store,
    counts: tallies.get(store.uuid.toLowerCase())?.perDay ?? days.map(() => 0),
  }))
  for (const [key, tally] of tallies) {
    if (!index.has(key)) perStore.push({ store: storeRef(index, tally.uuid), counts: tally.perDay })
  }
  return { days, perStore, ageBuckets: bucketAges(items) }
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
  drills: Iterable<FinishedDrill>,
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
  const perStoreCopies = perStore
    .map((r) => ({ ...dated(r.name, r.at, nowWall), store: storeRef(index, r.store ?? '') }))
    .sort((a, b) => (a.store.name ?? a.store.uuid).localeCompare(b.store.name ?? b.store.uuid))
  const newestExported = exported ? dated(exported.name, exported.at, nowWall) : null
  const offlineCopy = off
    ? { ...dated(off.b.name, off.at, nowWall), hostLabel: off.b.hostLabel, fetched: off.b.fetched !== null }
    : null
  const ages = [...perStoreCopies, newestExported, offlineCopy]
    .map((c) => c?.ageSeconds)
    .filter((a): a is number => typeof a === 'number')
  return {
    perStore: perStoreCopies,
    newestExported,
    newestOffline: offlineCopy,
    newestFetched: fetched
      ? { ...dated(fetched.b.name, fetched.at, nowWall), hostLabel: fetched.b.hostLabel }
      : null,
    newestAgeSeconds: ages.length > 0 ? Math.min(...ages) : null,
    lastDrill: lastDrill(drills, offline, nowWall),
  }
}

/**
 * The newest of `drills` (finished, newest first) of a backup in `offline`, this connection's
 * catalogued copies: a drill of another cloud's backup proves nothing here.
 */
export function lastDrill(
  drills: Iterable<FinishedDrill>,
  offline: readonly CatalogBackup[],
  nowWall: number,
): DrilledBackup | null {
  const backups = new Map(offline.map((b) => [b.id, b]))
  for (const d of drills) {
    const b = backups.get(d.backupId)
    if (!b) continue
    return {
      name: b.name,
      hostLabel: b.hostLabel,
      outcome: d.outcome,
      finishedAt: d.finishedAt,
      ageSeconds: ageOf(catalogWallMs(d.finishedAt), nowWall),
      restoreSeconds: d.restoreMs === null ? null : Math.round(d.restoreMs / 100) / 10,
    }
  }
  return null
}
