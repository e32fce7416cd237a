import type { SortState } from './table.js'

/** What a table remembers between visits: its sort and the columns shown. */
export interface TablePrefs {
  sort: SortState | null
  visible: string[] | null
}

const PREFIX = 'zsdr.table.'

/**
 * A table's saved choices, kept per table in localStorage (where the language and the chosen
 * connection live too). Anything unreadable or naming a column that no longer exists is ignored.
 */
export function loadTablePrefs(table: string, columnIds: readonly string[]): TablePrefs {
  let raw: unknown
  try {
    raw = JSON.parse(localStorage.getItem(PREFIX + table) ?? 'null')
  } catch {
    raw = null
  }
  const saved = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  return { sort: validSort(saved.sort, columnIds), visible: validVisible(saved.visible, columnIds) }
}

export function saveTablePrefs(table: string, prefs: TablePrefs): void {
  localStorage.setItem(PREFIX + table, JSON.stringify(prefs))
}

function validSort(value: unknown, columnIds: readonly string[]): SortState | null {
  const s = value as Partial<SortState> | null
  if (!s || typeof s.id !== 'string' || !columnIds.includes(s.id)) return null
  return s.direction === 'asc' || s.direction === 'desc' ? { id: s.id, direction: s.direction } : null
}

function validVisible(value: unknown, columnIds: readonly string[]): string[] | null {
  if (!Array.isArray(value)) return null
  const ids = value.filter((v): v is string => typeof v === 'string' && columnIds.includes(v))
  return ids.length > 0 ? ids : null
}
