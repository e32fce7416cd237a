import { statusLabel } from '../i18n/index.svelte.js'
import type { Column } from './table.js'

/** A column of ZStack status/state values: sorted by the node's word, shown in the user's language. */
export function statusColumn<T>(
  id: string,
  label: string,
  value: (row: T) => string | null | undefined,
  width = 100,
): Column<T> {
  return { id, label, value, format: (v) => statusLabel(v as string | null | undefined), width }
}
