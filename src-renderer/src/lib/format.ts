import { i18n } from '../i18n/index.svelte.js'
import { clock } from './clock.svelte.js'

/**
 * Sizes, dates, durations and rates in the user's language, all through Intl so that zh-CN
 * shows "1.5 GB" / "2026年11月27日" the way the OS would. Formatters are cached per locale
 * because the big tables call these for every visible cell.
 */
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>()

function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(
  key: string,
  make: (locale: string) => F,
): F {
  const full = `${i18n.locale}|${key}`
  let f = cache.get(full)
  if (!f) {
    f = make(i18n.locale)
    cache.set(full, f)
  }
  return f as F
}

// 1024-based like ZStack's own console, labelled with Intl's unit names.
const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte', 'petabyte'] as const

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—'
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const name = UNITS[unit]!
  return cached(
    `bytes-${name}`,
    (l) =>
      new Intl.NumberFormat(l, {
        style: 'unit',
        unit: name,
        unitDisplay: 'short',
        maximumFractionDigits: unit === 0 ? 0 : 1,
      }),
  ).format(value)
}

export function formatNumber(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—'
  return cached('number', (l) => new Intl.NumberFormat(l, { maximumFractionDigits: 1 })).format(n)
}

/** Date and time; an unparseable value is shown as it came (never an "Invalid Date"). */
export function formatDate(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—'
  const ms = typeof value === 'number' ? value : Date.parse(value)
  if (Number.isNaN(ms)) return String(value)
  return cached(
    'datetime',
    (l) => new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'medium' }),
  ).format(ms)
}

/** "3 minutes ago" style, for cache age and "offline since"; it ticks with the shared clock. */
export function formatAge(value: string | number | null | undefined, now = clock.now): string {
  if (value === null || value === undefined || value === '') return '—'
  const ms = typeof value === 'number' ? value : Date.parse(value)
  if (Number.isNaN(ms)) return String(value)
  const seconds = Math.round((ms - now) / 1000)
  const rtf = cached('relative', (l) => new Intl.RelativeTimeFormat(l, { numeric: 'auto' }))
  const abs = Math.abs(seconds)
  if (abs < 60) return rtf.format(seconds, 'second')
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), 'minute')
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), 'hour')
  return rtf.format(Math.round(seconds / 86400), 'day')
}

/** Elapsed or remaining time as h:mm:ss (or m:ss), locale-independent digits. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`
}

/** An amount in the operation's unit: bytes are sized, items and steps are counted. */
export function formatAmount(n: number | null, unit: 'bytes' | 'items' | 'steps'): string {
  return unit === 'bytes' ? formatBytes(n) : formatNumber(n)
}
