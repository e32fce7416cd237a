import { resolve } from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import type {
  DrillLogEntry,
  DrillRunSummary,
  OperationFinished,
  OperationProgress,
} from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import { registerSecret } from '../../errors/redact.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'
import { ProgressLine } from '../output/progress.js'
import { safeText } from '../output/terminal-safe.js'
import {
  addSshOptions,
  type SshCliOptions,
  sshLabelFor,
  sshSessionFromOptions,
  sshTargetFromOptions,
  storeSshSecrets,
} from '../ssh-options.js'
import { dbCommand } from './db.js'
import { catalogBackup, firstLine, MYSQL_PASSWORD_ENV, parsePort } from './db-restore.js'

interface DrillOptions extends SshCliOptions {
  tempDir?: string
  diskMargin?: number
  mysqlHost?: string
  mysqlPort?: number
  mysqlSocket?: string
  zstackProperties?: string
  mysqlPasswordStdin?: boolean
}

/** `zsdr db drill <host> <backup>`: prove a backup restores, in a throwaway server on that host. */
export function registerDbDrill(program: Command, ctx: CliContext): void {
  addSshOptions(
    helpExamples(
      dbCommand(program).command('drill'),
      [
        'zsdr db drill root@10.0.0.5 7                       # catalogued backup #7, scratch server on the node',
        'zsdr db drill root@10.0.0.5 ./zstack-backup.gz --json --quiet',
        '0 3 * * 0  ZSDR_SSH_PASSWORD=... zsdr db drill root@node1 ./latest.gz --json --quiet >> drills.jsonl',
      ],
      '0 the drill passed, 1 it failed or was refused (see the first error and the report), 2 the command line was wrong.',
    )
      .description(
        'test-restore a backup into a throwaway MariaDB/MySQL server on a host (socket only, never the live server), verify it and time it / 恢复演练',
      )
      .argument(
        '<host>',
        'a host with a MariaDB/MySQL server binary, as user@host[:port] or a ~/.ssh/config alias',
      )
      .argument(
        '<backup>',
        'a zstack-ctl backup file (.gz) on this computer, or a backup id from `zsdr db list`',
      )
      .option('--temp-dir <dir>', 'folder on the host for the scratch server (default /tmp)')
      .option('--disk-margin <MiB>', 'room kept free beyond the estimate (default 256)', parseMiB)
      .option('--mysql-host <host>', 'the live server, only read for its checksums before and after')
      .option('--mysql-port <port>', 'the live server port', parsePort)
      .option('--mysql-socket <path>', 'the live server socket on the host')
      .option('--zstack-properties <path>', 'zstack.properties on the host (where the live server is)')
      .option(
        '--mysql-password-stdin',
        `read the live MySQL root password from stdin (or ${MYSQL_PASSWORD_ENV}, or the keychain); without it the live checksums are not measured`,
      ),
  ).action(async (hostSpec: string, backupArg: string, opts: DrillOptions, command: Command) => {
    const target = sshTargetFromOptions(hostSpec, opts)
    const label = await sshLabelFor(target, opts)
    const catalogued = /^#?\d+$/.test(backupArg)
      ? await catalogBackup(ctx, Number(backupArg.replace('#', '')))
      : null
    const fetchFrom =
      catalogued && !catalogued.fetched && catalogued.hostLabel !== 'localhost' ? catalogued.hostLabel : null
    await storeSshSecrets(ctx, fetchFrom && fetchFrom !== label ? [label, fetchFrom] : [label], opts)
    const rootPassword = opts.mysqlPasswordStdin
      ? await firstLine(process.stdin)
      : process.env[MYSQL_PASSWORD_ENV]
    registerSecret(rootPassword)
    const { opId } = await ctx.call('drill.run', {
      target,
      ...sshSessionFromOptions(opts),
      backup: catalogued ? { backupId: catalogued.id } : { file: resolve(backupArg) },
      ...(opts.tempDir ? { tempDir: opts.tempDir } : {}),
      ...(opts.diskMargin !== undefined ? { diskMarginMb: opts.diskMargin } : {}),
      mysql: {
        ...(opts.mysqlHost ? { host: opts.mysqlHost } : {}),
        ...(opts.mysqlPort ? { port: opts.mysqlPort } : {}),
        ...(opts.mysqlSocket ? { socket: opts.mysqlSocket } : {}),
        ...(opts.zstackProperties ? { propertiesPath: opts.zstackProperties } : {}),
        ...(rootPassword ? { rootPassword } : {}),
      },
    })
    const finished = await follow(ctx, ProgressLine.for(command, ctx), opId)
    const [run] = await ctx.call('drill.runs', { runId: opId, limit: 1 })
    if (!run)
      throw new AppError(finished.error?.code ?? 'drill.internal', finished.error?.message ?? noResult)
    ctx.output(command, run, () => renderDrill(run))
    if (run.outcome !== 'passed') {
      throw new AppError('drill.not_passed', {
        en: `The drill did not pass (${run.outcome}): ${run.firstError?.message ?? 'see the report'}`,
        zh: `演练未通过（${run.outcome}）：${run.firstError?.message ?? '见报告'}`,
      })
    }
  })
}

/** Follows the operation: log lines above the progress line; unknown host keys are refused (use --accept-new-host-key). */
async function follow(ctx: CliContext, progress: ProgressLine, opId: string): Promise<OperationFinished> {
  const { bus } = await ctx.getServices()
  return new Promise((done) => {
    const stop = bus.subscribe((name, payload) => {
      if (name === 'ssh.hostKeyPrompt')
        void ctx.call('ssh.answerHostKey', {
          promptId: (payload as { promptId: string }).promptId,
          accept: false,
        })
      if (name === 'drill.log' && (payload as DrillLogEntry).opId === opId) {
        const e = payload as DrillLogEntry
        progress.say(`${e.at.slice(11, 19)} ${e.level.toUpperCase().padEnd(5)} ${safeText(e.message)}`)
      }
      if (name === 'op.progress' && (payload as OperationProgress).opId === opId)
        progress.update(payload as OperationProgress)
      if (name === 'op.finished' && (payload as OperationFinished).opId === opId) {
        stop()
        progress.end()
        done(payload as OperationFinished)
      }
    })
    // Ctrl-C cancels: the scratch server is stopped and deleted before the command ends.
    process.once('SIGINT', () => void ctx.call('ops.cancel', { opId }))
  })
}

export function renderDrill(r: DrillRunSummary): string {
  const s = r.sanity
  return [
    `DRILL ${r.outcome.toUpperCase()}  backup ${safeText(r.backupPath)}${r.backupId ? ` (#${r.backupId})` : ''}`,
    `  host           ${safeText(r.host)}`,
    `  recovery time  ${r.restoreMs === null ? '-' : `${(r.restoreMs / 1000).toFixed(1)} s (restore on this host)`}`,
    ...(s
      ? [
          `  zstack         ${s.adminAccounts} admin, ${s.hosts} hosts, ${s.vms} VMs, ${s.primaryStorages} primary / ${s.backupStorages} backup storages`,
        ]
      : []),
    `  production     ${r.productionUnchanged === null ? 'not measured' : r.productionUnchanged ? 'unchanged (CHECKSUM TABLE before = after)' : 'CHANGED during the drill (see report)'}`,
    ...(r.firstError ? [`  first error    ${safeText(r.firstError.message)}`] : []),
    `  report         ${r.reportText ?? '-'}`,
  ].join('\n')
}

function parseMiB(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a size in MiB is a whole number')
  return n
}

const noResult = { en: 'The drill ended without a result.', zh: '演练结束但没有结果。' }
