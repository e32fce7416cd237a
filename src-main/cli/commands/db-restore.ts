import { resolve } from 'node:path'
import { type Command, InvalidArgumentError } from 'commander'
import type {
  CallRequest,
  CatalogBackup,
  OperationFinished,
  OperationProgress,
  RestoreLogEntry,
  RestorePlan,
} from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import { registerSecret } from '../../errors/redact.js'
import { driftLines } from '../../recovery/restore/drift/plan-text.js'
import { mysqlRootPasswordKey } from '../../vault/keys.js'
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

export const MYSQL_PASSWORD_ENV = 'ZSDR_MYSQL_ROOT_PASSWORD'

interface RestoreOptions extends SshCliOptions {
  dryRun?: boolean
  yes?: boolean
  skipUi?: boolean
  mysqlHost?: string
  mysqlPort?: number
  mysqlSocket?: string
  zstackProperties?: string
  mysqlPasswordStdin?: boolean
  rememberMysqlPassword?: boolean
  safetyDir?: string
  zstackCtl?: string
  acceptDrift?: boolean
  keepHa?: boolean
}

/** `zsdr db restore <host> <backup>`: the same plan → confirm → restore run as the window, on a terminal. */
export function registerDbRestore(program: Command, ctx: CliContext): void {
  addSshOptions(
    helpExamples(
      dbCommand(program).command('restore'),
      [
        'zsdr db restore root@10.0.0.5 7 --dry-run --mysql-password-stdin <<<"$MYSQL_PW"   # the plan only',
        'zsdr db restore root@10.0.0.5 ./zstack-backup.gz --mysql-password-stdin <<<"$MYSQL_PW"',
        'ZSDR_MYSQL_ROOT_PASSWORD=... zsdr db restore node1 7 --yes --quiet                # scripts',
      ],
      '0 restored (or --dry-run: the plan passed), 1 refused / failed / rolled back, 2 the command line was wrong.',
    )
      .description(
        'restore the management database on a management-node host from a backup: plan, typed confirmation, safety dump, restore, verify, automatic rollback, evidence report / 恢复管理数据库',
      )
      .argument('<host>', 'the management-node host as user@host[:port] or a ~/.ssh/config alias')
      .argument(
        '<backup>',
        'a zstack-ctl backup file (.gz) on this computer, or a backup id from `zsdr db list`',
      )
      .option('--dry-run', 'show the plan (all preflight checks) and stop: nothing is changed')
      .option('-y, --yes', 'do not ask for the host name (scripts); the plan must still pass')
      .option('--skip-ui', 'leave zstack_ui as it is (zstack-ctl restore_mysql --skip-ui)')
      .option(
        '--mysql-host <host>',
        "MySQL host as seen from the node (default: DB.url in the node's zstack.properties, else localhost)",
      )
      .option('--mysql-port <port>', 'MySQL port (default: from zstack.properties, else 3306)', parsePort)
      .option('--mysql-socket <path>', 'MySQL socket on the node instead of host/port')
      .option(
        '--zstack-properties <path>',
        'zstack.properties on the node (default: the management node install path)',
      )
      .option(
        '--mysql-password-stdin',
        `read the MySQL root password from stdin (or set ${MYSQL_PASSWORD_ENV}, or keep it in the keychain)`,
      )
      .option(
        '--remember-mysql-password',
        'keep the MySQL root password in the system keychain for this host',
      )
      .option(
        '--safety-dir <dir>',
        'folder on the node for the safety dump (default /var/lib/zstack/mysql-backup)',
      )
      .option('--zstack-ctl <path>', 'zstack-ctl on the node when not on the PATH')
      .option(
        '--accept-drift',
        'go on although volume install paths differ from the backup (zstack-ctl 5.3.0 refuses); recorded in the report',
      )
      .option(
        '--keep-ha',
        'leave VM HA as the backup has it (default: switched off in the restored database)',
      )
      .addHelpText(
        'after',
        `\nMySQL root password: --mysql-password-stdin, $${MYSQL_PASSWORD_ENV}, or the keychain (--remember-mysql-password stores it). Never an argument.\n` +
          'With --mysql-password-stdin, give the SSH password through $ZSDR_SSH_PASSWORD or the keychain.\n' +
          'Unknown host keys are refused here unless --accept-new-host-key: check the fingerprint with `zsdr db scan` first.',
      ),
  ).action(async (hostSpec: string, backupArg: string, opts: RestoreOptions, command: Command) => {
    if (opts.mysqlPasswordStdin && (opts.passwordStdin || opts.passphraseStdin)) {
      throw new InvalidArgumentError('only one secret can come from stdin: use $ZSDR_SSH_PASSWORD for SSH')
    }
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
    if (rootPassword && opts.rememberMysqlPassword) {
      await ctx.call('vault.set', { key: mysqlRootPasswordKey(label), secret: rootPassword, remember: true })
    }
    const request: CallRequest<'restore.plan'> = {
      target,
      ...sshSessionFromOptions(opts),
      backup: catalogued
        ? { backupId: await ensureFetched(ctx, catalogued, opts) }
        : { file: resolve(backupArg) },
      mysql: {
        ...(opts.mysqlHost ? { host: opts.mysqlHost } : {}),
        ...(opts.mysqlPort ? { port: opts.mysqlPort } : {}),
        ...(opts.mysqlSocket ? { socket: opts.mysqlSocket } : {}),
        ...(opts.zstackProperties ? { propertiesPath: opts.zstackProperties } : {}),
        ...(rootPassword ? { rootPassword } : {}),
      },
      skipUi: Boolean(opts.skipUi),
      ...(opts.safetyDir ? { safetyDir: opts.safetyDir } : {}),
      ...(opts.zstackCtl ? { zstackCtl: opts.zstackCtl } : {}),
      acceptDrift: Boolean(opts.acceptDrift),
      keepHa: Boolean(opts.keepHa),
    }

    if (opts.dryRun) {
      const plan = await ctx.call('restore.plan', request)
      ctx.output(command, plan, () => renderPlan(plan))
      if (!plan.ok) throw refused()
      return
    }
    const last = await followRun(ctx, ProgressLine.for(command, ctx), request, Boolean(opts.yes))
    ctx.output(command, last, () =>
      [
        `Outcome: ${last.outcome}`,
        ...(last.reportPaths
          ? [`Evidence report: ${last.reportPaths.text}`, `                 ${last.reportPaths.json}`]
          : []),
      ].join('\n'),
    )
    if (last.outcome !== 'restored') {
      throw new AppError('restore.not_restored', {
        en: `The database was not restored (outcome: ${last.outcome}). See the evidence report.`,
        zh: `数据库未恢复（结果：${last.outcome}）。请查看证据报告。`,
      })
    }
  })
}

/** Starts the run and follows it: live log on stderr, the typed confirmation on a terminal, the last log entry returned. */
async function followRun(
  ctx: CliContext,
  progress: ProgressLine,
  request: CallRequest<'restore.plan'>,
  yes: boolean,
): Promise<RestoreLogEntry> {
  const { bus } = await ctx.getServices()
  let opId = ''
  let last: RestoreLogEntry | null = null
  const early: { name: string; payload: unknown }[] = []
  const finished = new Promise<void>((resolveDone) => {
    const handle = (name: string, payload: unknown) => {
      if (!opId) {
        early.push({ name, payload })
        return
      }
      if (name === 'ssh.hostKeyPrompt') {
        void ctx.call('ssh.answerHostKey', {
          promptId: (payload as { promptId: string }).promptId,
          accept: false,
        })
      }
      if (name === 'restore.log' && (payload as RestoreLogEntry).opId === opId) {
        const entry = payload as RestoreLogEntry
        last = entry
        // One entry is one line, whatever the message holds (it may quote the server).
        progress.say(
          `${entry.at.slice(11, 19)} ${entry.level.toUpperCase().padEnd(5)} [${entry.step}] ${safeText(entry.message)}`,
        )
        if (entry.awaitingConfirmation && !yes) {
          progress.end() // the plan and the question need the whole terminal
          void confirmOnTerminal(ctx, opId, entry.awaitingConfirmation)
        }
      }
      if (name === 'op.progress' && (payload as OperationProgress).opId === opId)
        progress.update(payload as OperationProgress)
      if (name === 'op.finished' && (payload as OperationFinished).opId === opId) {
        stop()
        progress.end()
        resolveDone()
      }
    }
    const stop = bus.subscribe(handle)
    void ctx.call('restore.run', { ...request, yes }).then(({ opId: id }) => {
      opId = id
      for (const e of early.splice(0)) handle(e.name, e.payload)
    })
  })
  process.once('SIGINT', () => void ctx.call('ops.cancel', { opId }))
  await finished
  if (!last)
    throw new AppError('restore.internal', {
      en: 'The restore ended without a log.',
      zh: '恢复结束但没有日志。',
    })
  return last
}

async function confirmOnTerminal(ctx: CliContext, opId: string, plan: RestorePlan): Promise<void> {
  ctx.stderr.write(`\n${renderPlan(plan)}\n\n`)
  if (!process.stdin.isTTY) {
    ctx.stderr.write(
      'No terminal to confirm on: run again with --yes to restore without typing the host name.\n',
    )
    await ctx.call('restore.confirm', { opId, typedHostName: '', abort: true })
    return
  }
  const { createInterface } = await import('node:readline/promises')
  const rl = createInterface({ input: process.stdin, output: process.stderr })
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      const typed = await rl.question(
        `This DROPS and replaces ${safeText(plan.databases.join(', '))} on ${safeText(plan.target.label)}.\nType the host name "${safeText(plan.confirmationText)}" to go on (empty to abort): `,
      )
      if (typed.trim() === '') break
      const { accepted } = await ctx.call('restore.confirm', { opId, typedHostName: typed, abort: false })
      if (accepted) return
      ctx.stderr.write('That is not the host name.\n')
    }
    await ctx.call('restore.confirm', { opId, typedHostName: '', abort: true })
  } finally {
    rl.close()
  }
}

export function renderPlan(plan: RestorePlan): string {
  const lines = [
    `Restore plan for ${plan.target.label || '(no connection)'}${plan.target.hostName ? ` (host name ${plan.target.hostName})` : ''}`,
    `  host key     ${plan.target.hostKeyFingerprint ?? '-'}`,
  ]
  if (plan.backup) {
    lines.push(`  backup       ${plan.backup.path}`)
    lines.push(
      `               sha256 ${plan.backup.sha256}, ${plan.backup.size} bytes, schema ${plan.backup.schemaVersion ?? '?'}`,
    )
    for (const d of plan.backup.databases)
      lines.push(`               ${d.name}: ${d.tables} tables, ${d.rows} rows`)
  }
  lines.push(`  databases    ${plan.databases.join(', ')} (dropped and restored)`)
  lines.push(`  safety dump  ${plan.safetyDump.hostDir} on the host, and a copy on this computer`)
  for (const c of plan.checks) lines.push(`  [${c.status.toUpperCase().padEnd(7)}] ${c.text.en}`)
  lines.push('What the restore undoes (live database vs backup):')
  lines.push(...driftLines(plan.drift, '  '))
  lines.push(plan.ok ? 'Preflight passed.' : 'Preflight FAILED: nothing will be changed.')
  return lines.join('\n')
}

export async function catalogBackup(ctx: CliContext, backupId: number): Promise<CatalogBackup> {
  const backup = (await ctx.call('db.catalog', {})).find((b) => b.id === backupId)
  if (backup) return backup
  throw new AppError('fetch.unknown_backup', {
    en: `There is no backup #${backupId} in the catalog. Run \`zsdr db scan\` first.`,
    zh: `目录中没有编号为 ${backupId} 的备份。请先运行 \`zsdr db scan\`。`,
  })
}

/** A catalogued backup must have a verified copy here before a plan: fetch it first (as `zsdr db fetch`). */
async function ensureFetched(ctx: CliContext, backup: CatalogBackup, opts: RestoreOptions): Promise<number> {
  const backupId = backup.id
  if (backup.fetched) return backupId
  ctx.stderr.write(`Fetching backup #${backupId} (${backup.name}) from ${backup.hostLabel} first.\n`)
  const { bus } = await ctx.getServices()
  const { opId } = await ctx.call('db.fetch', { backupId, restart: false, ...sshSessionFromOptions(opts) })
  const finished = await new Promise<OperationFinished>((done) => {
    const stop = bus.subscribe((name, payload) => {
      if (name === 'op.finished' && (payload as OperationFinished).opId === opId) {
        stop()
        done(payload as OperationFinished)
      }
    })
  })
  if (finished.error) throw new AppError(finished.error.code, finished.error.message, finished.error.details)
  return backupId
}

export async function firstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)))
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? ''
}

function refused(): AppError {
  return new AppError('restore.preflight_failed', {
    en: 'Preflight failed: nothing was changed (see the plan above).',
    zh: '预检未通过：未做任何更改（见上方计划）。',
  })
}

export function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('a port is 1-65535')
  return port
}
