/**
 * Dates of a management node. Inventories carry Gson's default form (`Nov 14, 2017 10:20:57 PM`):
 * the node's wall-clock time with no zone. Conditions hand the value to MySQL as text, so they
 * carry `yyyy-MM-dd HH:mm:ss` in the same wall-clock time (spec README, query section). Inside the
 * app a wall-clock time is kept as milliseconds "as if UTC" ("wall ms"): sortable and independent of
 * this machine's time zone.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const GSON_RE = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/
/** The forms MySQL reads as a DATETIME without doubt: a date, or a date and a time (`T` or a space). */
const NODE_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/

/** Wall ms of a Gson date string; null when the text is not one. */
export function gsonToWallMs(text: string): number | null {
  const m = GSON_RE.exec(text)
  if (!m) return null
  const month = MONTHS.indexOf(m[1]!)
  const hour12 = Number(m[4])
  if (month < 0 || hour12 < 1 || hour12 > 12) return null
  const hour = (hour12 % 12) + (m[7] === 'PM' ? 12 : 0)
  return checkedWall(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6]))
}

/** Wall ms of a date as MySQL reads it from a condition (`2017-01-01`, `2017-01-01 00:00:00`); else null. */
export function nodeDateToWallMs(text: string): number | null {
  const m = NODE_RE.exec(text)
  if (!m) return null
  return checkedWall(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
  )
}

/** Wall ms → `yyyy-MM-dd HH:mm:ss`, the form a condition sends (whole seconds). */
export function wallMsToNodeDate(wallMs: number): string {
  return new Date(Math.floor(wallMs / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ')
}

/**
 * A date value for a condition, in the one form the node reads without doubt: a node date or a
 * Gson date (both the node's wall-clock time) become `yyyy-MM-dd HH:mm:ss`. Null for anything
 * else, epoch milliseconds included: an instant needs the node's time zone, which is not known here.
 */
export function conditionDate(text: string): string | null {
  const ms = nodeDateToWallMs(text) ?? gsonToWallMs(text)
  return ms === null ? null : wallMsToNodeDate(ms)
}

/** Wall ms of the given parts, or null when they name no real date (Feb 30, hour 25). */
function checkedWall(
  year: number,
  month: number,
  day: number,
  h: number,
  min: number,
  s: number,
): number | null {
  const ms = Date.UTC(year, month, day, h, min, s)
  const d = new Date(ms)
  const same =
    d.getUTCFullYear() === year &&
    d.getUTCMonth() === month &&
    d.getUTCDate() === day &&
    d.getUTCHours() === h &&
    d.getUTCMinutes() === min &&
    d.getUTCSeconds() === s
  return same ? ms : null
}
