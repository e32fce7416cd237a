/**
 * Dates in the cache. The server sends Gson's default form (`Nov 14, 2017 10:20:57 PM`): the
 * management node's wall-clock time, with no zone and whole seconds. The cache stores that
 * wall-clock time as milliseconds "as if UTC" ("wall ms"): sortable, comparable, and independent
 * of the laptop's time zone, so `createDate>...` and `sort=-createDate` order rows as the server does.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const GSON_RE = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/
const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/

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

/**
 * A date as a query value, in the forms the server accepts: epoch milliseconds, a Gson date, or
 * `yyyy-MM-dd[THH:mm[:ss]]` in the node's local time. Epoch milliseconds are an absolute instant:
 * they are turned into wall time in this machine's zone (the node's zone is not known here).
 */
export function queryValueToWallMs(text: string): number | null {
  if (/^\d+$/.test(text)) {
    const d = new Date(Number(text))
    if (Number.isNaN(d.getTime())) return null
    return Date.UTC(
      d.getFullYear(),
      d.getMonth(),
      d.getDate(),
      d.getHours(),
      d.getMinutes(),
      d.getSeconds(),
      d.getMilliseconds(),
    )
  }
  const gson = gsonToWallMs(text)
  if (gson !== null) return gson
  const m = ISO_RE.exec(text)
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

/** The SQL text form MySQL gives a DATETIME (`2017-11-14 22:20:57`), for LIKE on a date field. */
export const WALL_MS_AS_MYSQL_TEXT = (column: string) =>
  `strftime('%Y-%m-%d %H:%M:%S', ${column} / 1000, 'unixepoch')`

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
