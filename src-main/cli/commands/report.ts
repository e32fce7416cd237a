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
  reportText,
} from '../../overview/report-text.js'
import type { CliContext } from '../context.js'
import { findConnection } from './cache.js'

/** Exit code with --fail-on-breach when any VM or data volume is outside its RPO target. */
export const EXIT_BREACH = 3

/** Breaches shown in the text form; the rest are counted (all are in --csv, --json, --html). */
const SHOWN_BREACHES = 20

interface ReportOpts {
  csv?: boolean
  html?: string
  lang: ReportLang
  failOnBreach?: boolean
  rpo?: number
}

/** `zsdr report [connection...]`: the protection overview from the offline inventory (no node needed). */
export function registerReport(program: Command, ctx: CliContext): void {
  program
    .command('report [connections...]')
    .description(
      'protection overview from the offline inventory and the backup catalog: newest backup per VM and data volume, RPO breaches, management database, image stores (every saved connection when none is named; the node is not contacted) / 保护概览',
    )
    .addOption(
      new Option('--csv', 'one CSV row per VM and data volume on stdout').conflicts(['html', 'json']),
    )
    .addOption(
      new Option('--html <file>', 'write a self-contained HTML report (printable to PDF)').conflicts('json'),
    )
    .addOption(
      new Option('--lang <lang>', 'language of the text and HTML report')
        .choices(['en', 'zh-CN'])
        .default('en'),
    )
    .option('--rpo <hours>', 'first set the RPO target of the named connections (hours)', hours)
    .option(
      '--fail-on-breach',
      `exit with ${EXIT_BREACH} when any VM or data volume is outside its RPO target`,
    )
    .addHelpText(
      'after',
      `\nExit codes: 0 ok, 1 failed, 2 wrong command line, ${EXIT_BREACH} an RPO is breached (with --fail-on-breach).`,
    )
    .action(async (names: string[], opts: ReportOpts, command: Command) => {
      // --json is the program's option, so commander cannot see the conflict itself.
      if ((opts.csv || opts.html) && command.optsWithGlobals().json) {
        command.error(`option '--json' cannot be used with option '${opts.csv ? '--csv' : '--html'}'`)
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
      if (opts.csv || opts.html) {
        const format = opts.csv ? 'csv' : 'html'
        const file = await ctx.call('overview.export', { connectionIds: ids, format, lang: opts.lang })
        if (opts.html) {
          writeFileSync(opts.html, file.text)
          ctx.stderr.write(`zsdr: report written to ${opts.html}\n`)
        } else ctx.stdout.write(file.text)
      } else {
        ctx.output(command, overviews, () => terminalSafe(describeAll(overviews, opts.lang)))
      }
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

/** Names come from the node: no byte of them may reach the terminal as a control sequence. */
function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?')
}

/** One line per connection first when there are several, then each connection. */
function describeAll(overviews: readonly ConnectionOverview[], lang: ReportLang): string {
  const t = reportText(lang)
  const lines =
    overviews.length < 2
      ? []
      : [
          ...overviews.map((o) => {
            const c = o.counts
            const cache = o.cache.synced ? formatAge(o.cache.ageSeconds, t) : t.notSynced
            return `${o.connectionName}: ${t.vmsOutside(c.vmsOutside, c.vms, formatHours(o.rpoHours, t), c.vmsNever)} (${t.cacheAge}: ${cache})`
          }),
          '',
        ]
  return [...lines, overviews.map((o) => describe(o, lang)).join('\n\n')].join('\n')
}

/** The text form: what a person reads first, then the worst breaches. */
function describe(o: ConnectionOverview, lang: ReportLang): string {
  const t = reportText(lang)
  const cache = o.cache.synced ? formatAge(o.cache.ageSeconds, t) : t.notSynced
  const out = [
    `${o.connectionName} (${o.endpoint})`,
    `  ${t.cacheAge}: ${cache}; ${t.rpo}: ${formatHours(o.rpoHours, t)}`,
    ...summaryLines(o, t).map((l) => `  ${l}`),
  ]
  if (!o.cache.synced) return out.join('\n')
  out.push(`  ${t.database}:`, ...databaseLines(o.database, t).map(([k, v]) => `    ${k}: ${v}`))
  out.push(`  ${t.stores}:`)
  for (const s of o.stores) {
    const full = s.daysUntilFull === null ? '—' : String(s.daysUntilFull)
    out.push(
      `    ${s.name ?? s.uuid}  ${s.status ?? '—'}  ${t.available} ${formatBytes(s.availableCapacity)}/${formatBytes(s.totalCapacity)}  ${t.used} ${formatBytes(s.usedByBackups)}  ${t.growth} ${formatBytes(s.growthPerWeek)}  ${t.daysFull} ${full}`,
    )
  }
  const breaches = o.items.filter((i) => i.breached)
  if (breaches.length > 0) out.push(`  ${t.breached}:`)
  for (const i of breaches.slice(0, SHOWN_BREACHES)) {
    const kind = i.kind === 'vm' ? t.vm : t.dataVolume
    out.push(`    ${kind} ${i.name ?? i.uuid}  ${formatAge(i.ageSeconds, t)}`)
  }
  if (breaches.length > SHOWN_BREACHES) out.push(`    … +${breaches.length - SHOWN_BREACHES} (--csv)`)
  return out.join('\n')
}
