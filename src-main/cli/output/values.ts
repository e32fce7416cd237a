import { binaryBytes } from '../../util/bytes.js'
import type { CliLang } from './lang.js'

/** How table cells show sizes, dates and ages: compact, in the user's time zone and language. */

/** 1024-based like ZStack's own console; `-` for no value. */
export function humanBytes(bytes: unknown): string {
  return typeof bytes === 'number' && Number.isFinite(bytes) ? binaryBytes(bytes) : '-'
}

const two = (n: number) => String(n).padStart(2, '0')

/** `2026-11-27 14:03` in local time; a value that is not a date is shown as it came. */
export function localDate(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-'
  const ms = typeof value === 'number' ? value : Date.parse(String(value))
  if (Number.isNaN(ms)) return String(value)
  const d = new Date(ms)
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

/** "5 minutes ago" / "5分钟前" for an age in seconds. */
export function humanAge(seconds: number | null, lang: CliLang): string {
  if (seconds === null) return lang === 'zh' ? '从未' : 'never'
  const rtf = new Intl.RelativeTimeFormat(lang === 'zh' ? 'zh-CN' : 'en', { numeric: 'auto' })
  if (seconds < 60) return rtf.format(-Math.round(seconds), 'second')
  if (seconds < 3600) return rtf.format(-Math.round(seconds / 60), 'minute')
  if (seconds < 86400) return rtf.format(-Math.round(seconds / 3600), 'hour')
  return rtf.format(-Math.round(seconds / 86400), 'day')
}

/** Seconds as m:ss or h:mm:ss (for ETAs). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const rest = `${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`
  return h > 0 ? `${h}:${rest}` : rest.replace(/^0/, '')
}
