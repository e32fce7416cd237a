import { type Command, Option } from 'commander'
import type {
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
    saved && !given ? await ctx.getServices().vault.get(zstackPasswordKey(saved.connectionId)) : null
  const password = given || stored
  if (!password) {
    throw new AppError('cli.no_password', {
      en: 'no password: pass --password-stdin or set ZSDR_PASSWORD (or save the connection with its password in the app)',
      zh: '没有密码：请使用 --password-stdin 或设置 ZSDR_PASSWORD（或在应用中保存连接及其密码）',
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
      if (stored)
        await ctx
          .getServices()
          .zstack.clientFor(info.connectionId)
          .logout()
          .catch(() => {})
      else await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
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
    cache
      .command('sync <connection>')
      .description(
        'fetch the inventory into the local cache (incremental unless --full); <connection> is a saved connection (id, name, address) or a new address / 同步到本地缓存',
      ),
  )
    .option('--full', 'download everything again instead of only what changed')
    .action(async (connection: string, opts: ConnectionOpts & { full?: boolean }, command: Command) => {
      const conn = await openConnection(ctx, connection, opts)
      try {
        const report = await syncAndWait(ctx, conn.connectionId, opts.full ? 'full' : 'incremental')
        ctx.output(command, report, () => describeReport(report))
        if (report.outcome !== 'complete') ctx.exitCode = EXIT_FAILED
      } finally {
        await conn.close()
      }
    })
  cache
    .command('status <connection>')
    .description('how fresh the offline inventory is / 离线清单状态')
    .action(async (connection: string, _opts, command: Command) => {
      const found = await findConnection(ctx, connection)
      const status = await ctx.call('cache.status', { connectionId: found?.connectionId ?? connection })
      ctx.output(command, status, () => describeStatus(status))
    })
}

/** Starts the sync and follows its events: a progress line on a terminal, the report at the end. */
async function syncAndWait(
  ctx: CliContext,
  connectionId: string,
  mode: 'full' | 'incremental',
): Promise<CacheSyncReport> {
  const bus = ctx.getServices().bus
  let opId = ''
  let report: CacheSyncReport | null = null
  const tty = Boolean((ctx.stderr as NodeJS.WriteStream).isTTY)
  const finished = new Promise<OperationFinished>((resolve) => {
    const stop = bus.subscribe((name, payload) => {
      const p = payload as { opId?: string }
      if (p.opId !== opId) return
      if (name === 'op.progress' && tty)
        ctx.stderr.write(`\r\x1b[K${progressLine(payload as OperationProgress)}`)
      if (name === 'cache.synced') report = payload as CacheSyncReport
      if (name === 'op.finished') {
        stop()
        resolve(payload as OperationFinished)
      }
    })
  })
  opId = (await ctx.call('cache.sync', { connectionId, mode })).opId
  const end = await finished
  if (tty) ctx.stderr.write('\r\x1b[K')
  if (end.outcome !== 'succeeded' || !report) {
    const e = end.error
    throw e
      ? new AppError(e.code, e.message, e.details)
      : new AppError('cache.sync_failed', { en: 'The sync failed.', zh: '同步失败。' })
  }
  return report
}

function progressLine(p: OperationProgress): string {
  const width = 24
  const ratio = p.total ? Math.min(1, p.done / p.total) : 0
  const bar = p.total ? `[${'#'.repeat(Math.round(ratio * width)).padEnd(width, '.')}] ` : ''
  const rate = p.ratePerSecond ? ` ${Math.round(p.ratePerSecond)}/s` : ''
  const eta = p.etaSeconds !== null ? ` ETA ${p.etaSeconds}s` : ''
  return `${p.phase.padEnd(24)} ${bar}${p.done}${p.total !== null ? `/${p.total}` : ''}${rate}${eta}`
}

function describeReport(r: CacheSyncReport): string {
  const lines = [`${r.mode} sync ${r.outcome} in ${(r.durationMs / 1000).toFixed(1)} s`]
  for (const x of r.resources) {
    const change = x.changed !== undefined ? ` (+/~${x.changed}, -${x.deleted ?? 0})` : ''
    lines.push(
      `  ${x.resource.padEnd(26)} ${String(x.count).padStart(8)}${change}${x.error ? `  FAILED: ${x.error.message.en}` : ''}`,
    )
  }
  return lines.join('\n')
}

function describeStatus(s: CacheStatus): string {
  if (!s.synced)
    return `${s.connectionId}: never synced${s.lastError ? ` (last attempt: ${s.lastError.message.en})` : ''}`
  const lines = [
    `${s.connectionId}: synced, age ${s.ageSeconds ?? '?'} s (full ${s.lastFullSyncAt ?? 'never'}, incremental ${s.lastIncrementalSyncAt ?? 'never'})`,
  ]
  if (s.lastOutcome === 'failed' && s.lastError)
    lines.push(`  last attempt failed: ${s.lastError.message.en}`)
  for (const r of s.resources) {
    lines.push(
      `  ${r.resource.padEnd(26)} ${String(r.count).padStart(8)}  ${r.syncedAt ?? 'never'}${r.error ? `  ERROR: ${r.error.message.en}` : ''}`,
    )
  }
  return lines.join('\n')
}
