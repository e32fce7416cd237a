import type { Command } from 'commander'
import type {
  CacheStatus,
  CacheSyncReport,
  OperationFinished,
  OperationProgress,
} from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'

/** `zsdr cache sync <connection>` and `zsdr cache status <connection>`. */
export function registerCache(program: Command, ctx: CliContext): void {
  const cache = program.command('cache').description('offline inventory of a connection / 离线清单')
  cache
    .command('sync <connection>')
    .description('fetch the inventory into the local cache (incremental unless --full) / 同步到本地缓存')
    .option('--full', 'download everything again instead of only what changed')
    .action(async (connection: string, opts: { full?: boolean }, command: Command) => {
      const report = await syncAndWait(ctx, connection, opts.full ? 'full' : 'incremental')
      ctx.output(command, report, () => describeReport(report))
      if (report.outcome !== 'complete') process.exitCode = 1
    })
  cache
    .command('status <connection>')
    .description('how fresh the offline inventory is / 离线清单状态')
    .action(async (connection: string, _opts, command: Command) => {
      const status = await ctx.call('cache.status', { connectionId: connection })
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
