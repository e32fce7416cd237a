import type { DriftItem, ResourceDrift, RestoreDrift, VmHaPlan } from '../../../api/contract/restore-drift.js'
import type { LocalizedText } from '../../../errors/app-error.js'
import type { BackupRows } from './backup-rows.js'
import type { SqlValue } from './insert-values.js'
import type { LiveRows } from './live-rows.js'
import { DRIFT_RESOURCES, type DriftResource, GLOBAL_CONFIG, INSTALL_PATH } from './resources.js'

/** Items listed per kind and list; the counts are always complete. */
export const DRIFT_LIST_LIMIT = 200

type Row = Record<string, SqlValue>

/** What the restore would undo, from the backup's rows and the live database's (or why it is unknown). */
export function compareDrift(
  backup: BackupRows | null,
  live: LiveRows | LocalizedText,
  accepted: boolean,
): RestoreDrift {
  const backupTakenAt = backup?.takenAt ?? null
  const unknown = (reason: LocalizedText): RestoreDrift => ({
    status: 'unknown',
    reason,
    backupTakenAt,
    backupAgeSeconds: null,
    resources: [],
    unreadable: [],
    installPathChanged: 0,
    accepted,
  })
  if (!backup)
    return unknown({
      en: 'The backup could not be read, so what it would undo is unknown.',
      zh: '无法读取备份，因此无法得知恢复会撤销哪些变更。',
    })
  if ('en' in live) return unknown(live)
  const unreadable: RestoreDrift['unreadable'] = [...live.missing]
  const resources: ResourceDrift[] = []
  for (const resource of DRIFT_RESOURCES) {
    const table = backup.tables.get(resource.table)
    const liveRows = live.rows.get(resource.kind)
    if (!table?.ok) {
      unreadable.push({
        kind: resource.kind,
        reason: `backup ${resource.table}: ${table?.reason ?? 'not read'}`,
      })
      continue
    }
    if (liveRows) resources.push(compareResource(resource, table.rows, liveRows))
  }
  const volumes = resources.find((r) => r.kind === INSTALL_PATH.kind)
  return {
    status: 'known',
    reason: null,
    backupTakenAt,
    backupAgeSeconds: ageSeconds(backupTakenAt, live.now),
    resources,
    unreadable,
    installPathChanged: volumes?.changedFields[INSTALL_PATH.field] ?? 0,
    accepted,
  }
}

/** Both sides hold only rows with `deleted` NULL (what ZStack's view shows); keyed by uuid. */
function byUuid(rows: Row[]): Map<string, Row> {
  const map = new Map<string, Row>()
  for (const row of rows) if (row.uuid) map.set(row.uuid, row)
  return map
}

export function compareResource(resource: DriftResource, backupRows: Row[], liveRows: Row[]): ResourceDrift {
  const backup = byUuid(backupRows)
  const live = byUuid(liveRows)
  const nameField = resource.fields[0] as string
  const item = (uuid: string, row: Row): DriftItem => ({ uuid, name: row[nameField] ?? null })
  const created: DriftItem[] = []
  const deleted: DriftItem[] = []
  const changed: DriftItem[] = []
  for (const [uuid, row] of live) if (!backup.has(uuid)) created.push(item(uuid, row))
  for (const [uuid, row] of backup) {
    const now = live.get(uuid)
    if (!now) {
      deleted.push(item(uuid, row))
      continue
    }
    const changes = resource.fields
      .filter((f) => (row[f] ?? null) !== (now[f] ?? null))
      .map((field) => ({ field, backup: row[field] ?? null, live: now[field] ?? null }))
    // The name the engineer sees today is the live one; the change shows the backup's.
    if (changes.length > 0) changed.push({ ...item(uuid, now), changes })
  }
  const changedFields: Record<string, number> = {}
  for (const c of changed.flatMap((i) => i.changes ?? []))
    changedFields[c.field] = (changedFields[c.field] ?? 0) + 1
  const lists = [created, deleted, changed].map(sortAndCap)
  return {
    kind: resource.kind,
    table: resource.table,
    backupCount: backup.size,
    liveCount: live.size,
    created: lists[0] as DriftItem[],
    deleted: lists[1] as DriftItem[],
    changed: lists[2] as DriftItem[],
    counts: { created: created.length, deleted: deleted.length, changed: changed.length },
    changedFields,
    truncated: [created, deleted, changed].some((l) => l.length > DRIFT_LIST_LIMIT),
  }
}

function sortAndCap(items: DriftItem[]): DriftItem[] {
  return items
    .sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.uuid.localeCompare(b.uuid))
    .slice(0, DRIFT_LIST_LIMIT)
}

/** Both times are the node's local time (zstack-ctl names the file with it; `NOW()` of its MySQL), so no zone is needed. */
function ageSeconds(takenAt: string | null, now: string | null): number | null {
  if (!takenAt || !now) return null
  const parse = (t: string) => Date.parse(`${t.replace(' ', 'T')}Z`)
  const seconds = (parse(now) - parse(takenAt)) / 1000
  return Number.isFinite(seconds) ? Math.round(seconds) : null
}

/** The `ha`/`enable` value in the backup's `GlobalConfigVO`, when the backup has it and it was readable. */
export function vmHaPlan(backup: BackupRows | null, keep: boolean): VmHaPlan {
  const table = backup?.tables.get(GLOBAL_CONFIG.table)
  const row = table?.ok ? table.rows.find((r) => r.category === 'ha' && r.name === 'enable') : undefined
  return { action: keep ? 'keep' : 'disable', inBackup: row?.value ?? null }
}
