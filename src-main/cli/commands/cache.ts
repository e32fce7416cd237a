import { type Command, Option } from 'commander'
import type {
  CacheResourceState,
  CacheStatus,
  CacheSyncReport,
  ConnectionInfo,
  OperationFinished,
  OperationProgress,
} from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import { zstackPasswordKey } from '../../vault/keys.js'
import { parseEndpoint } from '../../zstack/endpoint.js'
import { type CliContext, EXIT_FAILED } from '../context.js'
import { helpExamples } from '../help.js'
import { messages } from '../messages.js'
import { type Column, outputSettings, printList } from '../output/index.js'
import { type CliLang, say } from '../output/lang.js'
import { ProgressLine } from '../output/progress.js'
import { humanAge, localDate } from '../output/values.js'

export interface ConnectionOpts {
  account: string
  passwordStdin?: boolean
  insecureTls?: boolean
}

/** `<connection>` options shared by `cache sync` and `query`. */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('-a, --account <name>', 'account name, when <connection> is a new address', 'admin')
    .option(
      '--password-stdin',
      'read the password from the first line of stdin (else ZSDR_PASSWORD, else the keychain)',
    )
    .addOption(new Option('--insecure-tls', 'accept a self-signed https certificate'))
}

/** A saved connection named by its id, name or address; null when none matches. */
export async function findConnection(ctx: CliContext, text: string): Promise<ConnectionInfo | null> {
  const list = await ctx.call('zstack.connections.list', {})
  const byId = list.find((c) => c.connectionId === text || c.name === text)
  if (byId) return byId
  try {
    const url = parseEndpoint(text).baseUrl
    return list.find((c) => c.endpoint === url) ?? null
  } catch {
    return null
  }
}

/**
 * Opens the connection for this command (an address never seen becomes a new connection): the
 * password from stdin, ZSDR_PASSWORD, or the keychain when the connection was saved with it.
 */
export async function openConnection(
  ctx: CliContext,
  text: string,
  opts: ConnectionOpts,
): Promise<{ connectionId: string; close(): Promise<void> }> {
  const saved = await findConnection(ctx, text)
  const given = opts.passwordStdin ? await firstLineOfStdin() : process.env.ZSDR_PASSWORD
  const stored =
    saved && !given ? await (await ctx.getServices()).vault.get(zstackPasswordKey(saved.connectionId)) : null
  const password = given || stored
  if (!password) {
    const endpoint = { endpoint: saved?.endpoint ?? text }
    throw new AppError('cli.no_password', {
      en: say('en', messages.noPassword, endpoint),
      zh: say('zh', messages.noPassword, endpoint),
    })
  }
  const info = await ctx.call('zstack.connect', {
    endpoint: saved?.endpoint ?? text,
    accountName: saved?.accountName ?? opts.account,
    password,
    // A password handed to one command is for that command only; a remembered one stays remembered.
    remember: Boolean(stored),
    insecureTls: opts.insecureTls ?? false,
  })
  return {
    connectionId: info.connectionId,
    close: async () => {
      // disconnect would also forget a remembered password: then only end the session.
      if (stored) {
        const { zstack } = await ctx.getServices()
        await zstack
          .clientFor(info.connectionId)
          .logout()
          .catch(() => {})
      } else await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
    },
  }
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim()
}

/** `zsdr cache sync <connection>` and `zsdr cache status <connection>`. */
export function registerCache(program: Command, ctx: CliContext): void {
  const cache = program.command('cache').description('offline inventory of a connection / 离线清单')
  withConnectionOptions(
    helpExamples(
      cache.command('sync <connection>'),
      [
        'zsdr cache sync 10.0.0.5 --password-stdin <<<"$PW"     # a new address becomes a saved connection',
        'zsdr cache sync prod --full                            # a saved connection with a saved password',
      ],
      '0 every resource synced, 1 the sync failed or some resources did not sync (see the report), 2 the command line was wrong.',
    ).description(
      'fetch the inventory into the local cache (incremental unless --full); <connection> is a saved connection (id, name, address) or a new address / 同步到本地缓存',
    ),
  )
    .option('--full', 'download everything again instead of only what changed')
    .action(async (connection: string, opts: ConnectionOpts & { full?: boolean }, command: Command) => {
      const conn = await openConnection(ctx, connection, opts)
      try {
        const report = await syncAndWait(
          ctx,
          ProgressLine.for(command, ctx),
          conn.connectionId,
          opts.full ? 'full' : 'incremental',
        )
        ctx.output(command, report, () => describeReport(report, outputSettings(command, ctx).lang))
        if (report.outcome !== 'complete') ctx.exitCode = EXIT_FAILED
      } finally {
        await conn.close()
      }
    })
  helpExamples(cache.command('status <connection>'), [
    'zsdr cache status 10.0.0.5',
    'zsdr cache status prod --json',
  ])
    .description('how fresh the offline inventory is / 离线清单状态')
    .action(async (connection: string, _opts, command: Command) => {
      const found = await findConnection(ctx, connection)
      const status = await ctx.call('cache.status', { connectionId: found?.connectionId ?? connection })
      const lang = outputSettings(command, ctx).lang
      printList(command, ctx, {
        document: status,
        rows: status.resources,
        columns: statusColumns,
        notes: statusNotes(status, connection, lang),
      })
    })
}

const statusColumns: Column<CacheResourceState>[] = [
  { header: { en: 'RESOURCE', zh: '资源' }, value: (r) => r.resource },
  { header: { en: 'ROWS', zh: '行数' }, value: (r) => r.count, right: true },
  { header: { en: 'SYNCED', zh: '同步时间' }, value: (r) => r.syncedAt, show: (r) => localDate(r.syncedAt) },
  {
    header: { en: 'ERROR', zh: '错误' },
    value: (r) => r.error?.code ?? null,
    show: (r, lang) => r.error?.message[lang] ?? '',
    shrink: true,
  },
]

function statusNotes(s: CacheStatus, connection: string, lang: CliLang): string[] {
  if (!s.synced) {
    return [
      say(lang, messages.cacheNeverSynced, { connection }),
      ...(s.lastError ? [say(lang, messages.lastAttemptFailed, { error: s.lastError.message[lang] })] : []),
    ]
  }
  return [
    say(lang, messages.cacheSynced, {
      connection,
      age: humanAge(s.ageSeconds, lang),
      full: localDate(s.lastFullSyncAt),
      incremental: localDate(s.lastIncrementalSyncAt),
    }),
    ...(s.lastOutcome === 'failed' && s.lastError
      ? [say(lang, messages.lastAttemptFailed, { error: s.lastError.message[lang] })]
      : []),
  ]
}

/** Starts the sync and follows its events: the progress line, then the report. */
async function syncAndWait(
  ctx: CliContext,
  progress: ProgressLine,
  connectionId: string,
  mode: 'full' | 'incremental',
): Promise<CacheSyncReport> {
  const { bus } = await ctx.getServices()
  let opId = ''
  let report: CacheSyncReport | null = null
  const finished = new Promise<OperationFinished>((resolve) => {
    const stop = bus.subscribe((name, payload) => {
      const p = payload as { opId?: string }
      if (p.opId !== opId) return
      if (name === 'op.progress') progress.update(payload as OperationProgress)
      if (name === 'cache.synced') report = payload as CacheSyncReport
      if (name === 'op.finished') {
        stop()
        resolve(payload as OperationFinished)
      }
    })
  })
  opId = (await ctx.call('cache.sync', { connectionId, mode })).opId
  const end = await finished
  progress.end()
  if (end.outcome !== 'succeeded' || !report) {
    const e = end.error
    throw e
      ? new AppError(e.code, e.message, e.details)
      : new AppError('cache.sync_failed', { en: 'The sync failed.', zh: '同步失败。' })
  }
  return report
}

function describeReport(r: CacheSyncReport, lang: CliLang): string {
  const lines = [`${r.mode} sync ${r.outcome} in ${(r.durationMs / 1000).toFixed(1)} s`]
  for (const x of r.resources) {
    const change = x.changed !== undefined ? ` (+/~${x.changed}, -${x.deleted ?? 0})` : ''
    lines.push(
      `  ${x.resource.padEnd(26)} ${String(x.count).padStart(8)}${change}${x.error ? `  FAILED: ${x.error.message[lang]}` : ''}`,
    )
  }
  return lines.join('\n')
}
