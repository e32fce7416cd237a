/**
 * Gson's default date format (`DateFormat.DEFAULT` for en_US): `Nov 14, 2017 10:20:57 PM`, in
 * the management node's local time, no zone. The simulator keeps dates as epoch milliseconds
 * and formats them only on the way out.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const formatted = new Map<number, string>()

/** Cached: seeded rows share dates, and pages of the large seed format hundreds of thousands. */
export function gsonDate(ms: number): string {
  const hit = formatted.get(ms)
  if (hit !== undefined) return hit
  const text = formatGson(ms)
  if (formatted.size > 200_000) formatted.clear()
  formatted.set(ms, text)
  return text
}

function formatGson(ms: number): string {
  const d = new Date(ms)
  const h24 = d.getHours()
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()} ${h12}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${h24 < 12 ? 'AM' : 'PM'}`
}

const GSON_RE = /^([A-Z][a-z]{2}) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM)$/

/** The inverse of gsonDate (local time); null when the text is not in that format. */
export function parseGsonDate(text: string): number | null {
  const m = GSON_RE.exec(text)
  if (!m) return null
  const month = MONTHS.indexOf(m[1]!)
  if (month < 0) return null
  let hour = Number(m[4]) % 12
  if (m[7] === 'PM') hour += 12
  return new Date(Number(m[3]), month, Number(m[2]), hour, Number(m[5]), Number(m[6])).getTime()
}

/** Record dates are MySQL TIMESTAMP columns on the real node: whole seconds, like Gson prints them. */
export function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000
}
