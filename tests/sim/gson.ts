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

/** Record dates are MySQL TIMESTAMP columns on the real node: whole seconds, like Gson prints them. */
export function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000
}
