import type { StoreDayRow } from './inventory-reader.js'

export const DAY_MS = 86_400_000

/** What one store holds of the volume backups. */
export interface StoreTally {
  /** As the copies name it. */
  uuid: string
  used: number
  /** Bytes of copies created from the growth window's first day on. */
  recent: number
  /** Copies per chart day, oldest first. */
  perDay: number[]
}

export interface TallyWindow {
  /** Wall-clock day numbers (wall ms / DAY_MS) where the chart and the growth window start. */
  firstDay: number
  growthFirstDay: number
  days: number
}

/** Per store (by lower-case uuid, as MySQL compares them): bytes held, bytes added lately, copies per day. */
export function tallyStores(rows: readonly StoreDayRow[], w: TallyWindow): Map<string, StoreTally> {
  const stores = new Map<string, StoreTally>()
  for (const r of rows) {
    const key = r.store.toLowerCase()
    let t = stores.get(key)
    if (!t) {
      t = { uuid: r.store, used: 0, recent: 0, perDay: new Array<number>(w.days).fill(0) }
      stores.set(key, t)
    }
    t.used += r.bytes
    if (r.day >= w.growthFirstDay) t.recent += r.bytes
    const i = r.day - w.firstDay
    if (r.day >= 0 && i >= 0 && i < w.days) t.perDay[i]! += r.count
  }
  return stores
}
