import type { ConnectionOverview, DatabaseProtection, DrilledBackup } from '../api/contract/overview.js'
import {
  formatAge,
  formatBytes,
  formatHours,
  type ReportLang,
  type ReportText,
  reportText,
} from './report-text.js'

/**
 * The overview as files: CSV (one row per VM or data volume, stable English column names for
 * scripts) and a self-contained HTML report (no script, no outside resource, printable to PDF).
 * Every name in them came from the management node and is escaped as data.
 */

const CSV_COLUMNS = [
  'connection',
  'endpoint',
  'generated_at',
  'cache_age_seconds',
  'rpo_hours',
  'kind',
  'name',
  'uuid',
  'vm_name',
  'vm_uuid',
  'newest_backup',
  'newest_backup_uuid',
  'newest_backup_at',
  'age_seconds',
  'backups',
  'stores',
  'on_two_stores',
  'breached',
] as const

export function overviewCsv(overviews: readonly ConnectionOverview[]): string {
  const lines = [CSV_COLUMNS.join(',')]
  for (const o of overviews) {
    for (const i of o.items) {
      lines.push(
        [
          o.connectionName,
          o.endpoint,
          o.generatedAt,
          o.cache.ageSeconds,
          o.rpoHours,
          i.kind,
          i.name,
          i.uuid,
          i.vmName,
          i.vmUuid,
          i.newestBackupName,
          i.newestBackupUuid,
          i.newestBackupAt,
          i.ageSeconds,
          i.backupCount,
          i.stores.map((s) => s.name ?? s.uuid).join(' '),
          i.onTwoStores,
          i.breached,
        ]
          .map(csvCell)
          .join(','),
      )
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * RFC 4180 quoting (LF line ends, as the CLI's other CSV); a text cell a spreadsheet would run as a formula (= + - @, tab, CR) gets a
 * leading apostrophe, since names come from the node.
 */
function csvCell(value: string | number | boolean | null): string {
  if (value === null) return ''
  if (typeof value !== 'string') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** The counts a person reads first, in the report's language. */
export function summaryLines(o: ConnectionOverview, t: ReportText): string[] {
  const c = o.counts
  if (!o.cache.synced) return [t.notSynced]
  return [
    t.vmsOutside(c.vmsOutside, c.vms, formatHours(o.rpoHours, t), c.vmsNever),
    t.volumesOutside(c.dataVolumesOutside, c.dataVolumes, c.dataVolumesNever),
    t.singleStore(c.singleStore),
  ]
}

export function databaseLines(db: DatabaseProtection, t: ReportText): [string, string][] {
  const dated = (c: { name: string | null; at: string | null; ageSeconds: number | null } | null) =>
    c ? `${c.at ?? '—'} (${formatAge(c.ageSeconds, t)}) ${c.name ?? ''}`.trim() : t.dbNone
  return [
    ...db.perStore.map((p): [string, string] => [
      `${t.dbPerStore} ${p.store.name ?? p.store.uuid}`,
      dated(p),
    ]),
    [t.dbExported, dated(db.newestExported)],
    [t.dbOffline, db.newestOffline ? `${dated(db.newestOffline)} @ ${db.newestOffline.hostLabel}` : t.dbNone],
    [t.dbFetched, db.newestFetched ? `${dated(db.newestFetched)} @ ${db.newestFetched.hostLabel}` : t.dbNone],
    [t.dbDrill, db.lastDrill ? drillLine(db.lastDrill, t) : t.dbNone],
  ]
}

/** `2026-11-30T07:00:00.000Z (2 h): passed, restored in 84.2 s — name @ host` */
function drillLine(d: DrilledBackup, t: ReportText): string {
  const restore = d.restoreSeconds === null ? '' : `, ${t.drillRestore(String(d.restoreSeconds))}`
  return `${d.finishedAt} (${formatAge(d.ageSeconds, t)}): ${t.drillOutcome[d.outcome]}${restore} — ${d.name} @ ${d.hostLabel}`
}

const esc = (s: string | number | null | undefined): string =>
  String(s ?? '—').replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!,
  )

const table = (head: readonly string[], rows: readonly (readonly string[])[]): string =>
  `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`

/** The age distribution as plain SVG bars (no script, so it prints and opens anywhere). */
function ageChart(o: ConnectionOverview, t: ReportText): string {
  const max = Math.max(1, ...o.charts.ageBuckets.map((b) => b.count))
  const bars = o.charts.ageBuckets
    .map((b, i) => {
      const h = Math.round((b.count / max) * 100)
      const x = 10 + i * 70
      return `<rect x="${x}" y="${110 - h}" width="50" height="${h}" class="${b.bucket}"/><text x="${x + 25}" y="${105 - h}">${b.count}</text><text x="${x + 25}" y="128">${esc(t.buckets[b.bucket])}</text>`
    })
    .join('')
  return `<svg viewBox="0 0 440 135" width="440" height="135" role="img" aria-label="${esc(t.ageDistribution)}">${bars}</svg>`
}

function section(o: ConnectionOverview, t: ReportText): string {
  const cacheAge = o.cache.synced ? formatAge(o.cache.ageSeconds, t) : t.notSynced
  const facts = [
    [t.connection, `${o.connectionName} (${o.endpoint})`],
    [t.generated, o.generatedAt],
    [t.cacheAge, cacheAge],
    [t.rpo, formatHours(o.rpoHours, t)],
  ]
  const dbAge = o.database.newestAgeSeconds
  return `<section>
<h2>${esc(o.connectionName)}</h2>
<dl>${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
<ul class="summary">${summaryLines(o, t)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<h3>${esc(t.database)}</h3>
${dbAge === null ? '' : `<p class="restore">${esc(t.dbRestoreTo(formatAge(dbAge, t)))}</p>`}
${table(['', ''], databaseLines(o.database, t))}
<h3>${esc(t.stores)}</h3>
${table(
  [t.name, t.status, t.capacity, t.available, t.used, t.growth, t.daysFull],
  o.stores.map((s) => [
    s.name ?? s.uuid,
    s.status ?? '—',
    formatBytes(s.totalCapacity),
    formatBytes(s.availableCapacity),
    formatBytes(s.usedByBackups),
    formatBytes(s.growthPerWeek),
    s.daysUntilFull === null ? '—' : String(s.daysUntilFull),
  ]),
)}
<h3>${esc(t.ageDistribution)}</h3>
${ageChart(o, t)}
<h3>${esc(t.items)}</h3>
${table(
  [t.kind, t.name, t.attachedTo, t.newest, t.age, t.backups, t.onStores, t.twoStores, t.breached],
  o.items.map((i) => [
    i.kind === 'vm' ? t.vm : t.dataVolume,
    i.name ?? i.uuid,
    i.vmName ?? '',
    i.newestBackupAt ?? t.never,
    formatAge(i.ageSeconds, t),
    String(i.backupCount),
    i.stores.map((s) => s.name ?? s.uuid).join(', '),
    i.onTwoStores ? t.yes : t.no,
    i.breached ? t.yes : t.no,
  ]),
)}
</section>`
}

const STYLE = `body{font:14px/1.45 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:2em;color:#1d2433}
h1{font-size:1.6em}h2{border-bottom:2px solid #2f6fd0;padding-bottom:.2em}
dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}dt{color:#5a6478}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}th,td{border:1px solid #d0d6e0;padding:.25em .5em;text-align:left}
th{background:#eef2f8}.summary li{font-weight:600}.restore{font-weight:600;color:#8a4b00}
svg text{font-size:11px;text-anchor:middle;fill:#1d2433}svg rect{fill:#2f6fd0}svg rect.never,svg rect.older{fill:#c0392b}
@media print{body{margin:0}section{break-before:page}section:first-of-type{break-before:auto}}`

/** One HTML document for these connections; `lang` picks the words, never the data. */
export function overviewHtml(overviews: readonly ConnectionOverview[], lang: ReportLang): string {
  const t = reportText(lang)
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(t.title)}</title><style>${STYLE}</style></head>
<body><h1>${esc(t.title)}</h1>
<p>${esc(t.times)}</p>
${overviews.map((o) => section(o, t)).join('\n')}
</body></html>
`
}
