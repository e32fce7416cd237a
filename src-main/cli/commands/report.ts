import { writeFileSync } from 'node:fs'
import { type Command, InvalidArgumentError, Option } from 'commander'
import type { ConnectionOverview } from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import { databaseLines, summaryLines } from '../../overview/export.js'
import {
  formatAge,
  formatBytes,
  formatHours,
  type ReportLang,
  type ReportText,
  reportText,
} from '../../overview/report-text.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'
import { type Column, type OutputSettings, outputSettings, tableText } from '../output/index.js'
import { safeJson } from '../output/terminal-safe.js'
import { findConnection } from './cache.js'

/** Exit code with --fail-on-breach when any VM or data volume is outside its RPO target. */
export const EXIT_BREACH = 3

/** Breaches shown in the text form; the rest are counted (all are in --csv, --json, --html). */
const SHOWN_BREACHES = 20

interface ReportOpts {
  csv?: boolean
  html?: string
  failOnBreach?: boolean
  rpo?: number
}

/** `zsdr report [connection...]`: the protection overview from the offline inventory (no node needed). */
export function registerReport(program: Command, ctx: CliContext): void {
  helpExamples(
    program.command('report [connections...]'),
    [
      'zsdr report                                   # every saved connection, one line each, then each in full',
      'zsdr report prod --csv > prod.csv              # one row per VM and data volume',
      'zsdr report prod dr --html report.html --lang zh',
      'zsdr report prod --rpo 12 --fail-on-breach --quiet || alert',
    ],
    `0 done, 1 it failed, 2 the command line was wrong, ${EXIT_BREACH} an RPO target is breached (only with --fail-on-breach).`,
  )
    .description(
      'protection overview from the offline inventory and the backup catalog: newest backup per VM and data volume, RPO breaches, management database, image stores (every saved connection when none is named; the node is not contacted) / 保护概览',
    )
    .addOption(
      new Option('--csv', 'the same as --output csv: one row per VM and data volume').conflicts('html'),
    )
    .option('--html <file>', 'write a self-contained HTML report (printable to PDF) in --lang')
    .option('--rpo <hours>', 'first set the RPO target of the named connections (hours)', hours)
    .option(
      '--fail-on-breach',
      `exit with ${EXIT_BREACH} when any VM or data volume is outside its RPO target`,
    )
    .action(async (names: string[], opts: ReportOpts, command: Command) => {
      const s = outputSettings(command, ctx)
      const format = opts.csv ? 'csv' : s.format
      // --json and --output are the program's options, so commander cannot see these conflicts itself.
      if (opts.html && command.optsWithGlobals().output)
        command.error("option '--html' cannot be used with '--output'")
      if (opts.html && command.optsWithGlobals().json)
        command.error("option '--html' cannot be used with '--json'")
      if (opts.csv && (command.optsWithGlobals().json || command.optsWithGlobals().output)) {
        command.error("option '--csv' cannot be used with '--json' or '--output'")
      }
      const ids = await connectionIds(ctx, names)
      if (opts.rpo !== undefined) {
        if (names.length === 0) {
          throw new AppError('cli.rpo_needs_connection', {
            en: '--rpo needs the connections to set it for (it is never applied to all of them at once)',
            zh: '--rpo 需要指定连接（不会一次应用到所有连接）',
          })
        }
        for (const connectionId of ids)
          await ctx.call('overview.rpo.set', { connectionId, rpoHours: opts.rpo })
      }
      const overviews: ConnectionOverview[] = []
      for (const connectionId of ids) overviews.push(await ctx.call('overview.get', { connectionId }))
      const lang: ReportLang = s.lang === 'zh' ? 'zh-CN' : 'en'
      if (opts.html) {
        const file = await ctx.call('overview.export', { connectionIds: ids, format: 'html', lang })
        writeFileSync(opts.html, file.text)
        if (!s.quiet) ctx.stderr.write(`${opts.html}\n`)
      } else if (format === 'csv') {
        // The same document as the window's CSV export, so a script sees one format.
        ctx.stdout.write(
          (await ctx.call('overview.export', { connectionIds: ids, format: 'csv', lang })).text,
        )
      } else if (format === 'json') ctx.stdout.write(`${safeJson(overviews, 2)}\n`)
      else if (format === 'ndjson') for (const o of overviews) ctx.stdout.write(`${safeJson(o)}\n`)
      else ctx.stdout.write(`${describeAll(overviews, lang, s)}\n`)
      if (opts.failOnBreach && overviews.some((o) => o.items.some((i) => i.breached)))
        ctx.exitCode = EXIT_BREACH
    })
}

/** The named connections (id, name or address), or every saved one when none is named. */
async function connectionIds(ctx: CliContext, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) {
    const all = await ctx.call('zstack.connections.list', {})
    if (all.length === 0) {
      throw new AppError('cli.no_connections', {
        en: 'no saved connections: connect and sync one first (zsdr cache sync <address>)',
        zh: '没有已保存的连接：请先连接并同步（zsdr cache sync <地址>）',
      })
    }
    return all.map((c) => c.connectionId)
  }
  const ids: string[] = []
  for (const name of names) {
    const found = await findConnection(ctx, name)
    if (!found) {
      throw new AppError('cli.unknown_connection', {
        en: `no saved connection "${name}" (give its id, name or address)`,
        zh: `没有已保存的连接“${name}”（请给出其 id、名称或地址）`,
      })
    }
    ids.push(found.connectionId)
  }
  return ids
}

function hours(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0 || n > 24 * 366)
    throw new InvalidArgumentError('hours between 0 and 8784')
  return n
}

/** One line per connection first when there are several, then each connection. */
function describeAll(overviews: readonly ConnectionOverview[], lang: ReportLang, s: OutputSettings): string {
  const t = reportText(lang)
  const lines =
    overviews.length < 2
      ? []
      : [
          ...overviews.map((o) => {
            const c = o.counts
            return `${o.connectionName}: ${t.vmsOutside(c.vmsOutside, c.vms, formatHours(o.rpoHours, t), c.vmsNever)} (${t.cacheAge}: ${cacheAge(o, t)})`
          }),
          '',
        ]
  return [...lines, overviews.map((o) => describe(o, t, s)).join('\n\n')].join('\n')
}

function cacheAge(o: ConnectionOverview, t: ReportText): string {
  return o.cache.synced ? formatAge(o.cache.ageSeconds, t) : t.notSynced
}

type Item = ConnectionOverview['items'][number]
type Store = ConnectionOverview['stores'][number]

/** The report's words that are plain text (not functions or groups). */
type Word = { [K in keyof ReportText]: ReportText[K] extends string ? K : never }[keyof ReportText]

/** A column header in both languages, from the report's own words. */
const h = (key: Word) => ({ en: reportText('en')[key], zh: reportText('zh-CN')[key] })

/** The text form: what a person reads first, then the stores and the worst breaches as tables. */
function describe(o: ConnectionOverview, t: ReportText, s: OutputSettings): string {
  const out = [
    `${o.connectionName} (${o.endpoint})`,
    `${t.cacheAge}: ${cacheAge(o, t)}; ${t.rpo}: ${formatHours(o.rpoHours, t)}`,
    ...summaryLines(o, t),
  ]
  if (!o.cache.synced) return out.join('\n')
  out.push('', `${t.database}:`, ...databaseLines(o.database, t).map(([k, v]) => `  ${k}: ${v}`))
  const storeColumns: Column<Store>[] = [
    { header: h('name'), value: (r) => r.name ?? r.uuid, shrink: true },
    { header: h('status'), value: (r) => r.status },
    {
      header: h('available'),
      value: (r) => r.availableCapacity,
      show: (r) => formatBytes(r.availableCapacity),
      right: true,
    },
    {
      header: h('used'),
      value: (r) => r.usedByBackups,
      show: (r) => formatBytes(r.usedByBackups),
      right: true,
    },
    {
      header: h('growth'),
      value: (r) => r.growthPerWeek,
      show: (r) => formatBytes(r.growthPerWeek),
      right: true,
    },
    { header: h('daysFull'), value: (r) => r.daysUntilFull, right: true },
  ]
  out.push('', `${t.stores}:`, tableText(o.stores, storeColumns, s).text)
  const breaches = o.items.filter((i) => i.breached)
  if (breaches.length > 0) {
    const itemColumns: Column<Item>[] = [
      { header: h('kind'), value: (r) => (r.kind === 'vm' ? t.vm : t.dataVolume) },
      { header: h('name'), value: (r) => r.name ?? r.uuid, shrink: true },
      { header: h('newest'), value: (r) => r.newestBackupAt ?? t.never },
      { header: h('age'), value: (r) => formatAge(r.ageSeconds, t), right: true },
      {
        header: h('onStores'),
        value: (r) => r.stores.map((x) => x.name ?? x.uuid).join(' '),
        shrink: true,
      },
    ]
    out.push('', `${t.breached}:`, tableText(breaches.slice(0, SHOWN_BREACHES), itemColumns, s).text)
    if (breaches.length > SHOWN_BREACHES) out.push(t.more(breaches.length - SHOWN_BREACHES))
  }
  return out.join('\n')
}
