import { resolve } from 'node:path'
import { createInterface } from 'node:readline/promises'
import { type Command, InvalidArgumentError } from 'commander'
import type {
  CatalogBackup,
  FetchedCopy,
  HostKeyPromptEvent,
  HostScanResult,
  OperationFinished,
  OperationProgress,
} from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'
import {
  addSshOptions,
  type SshCliOptions,
  sshLabelFor,
  sshSessionFromOptions,
  sshTargetFromOptions,
  storeSshSecrets,
} from '../ssh-options.js'

/** The `zsdr db` group; other database commands (restore) add themselves to the same group. */
export function dbCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'db') ??
    program.command('db').description('management-database backups: scan, list, fetch / 管理数据库备份')
  )
}

interface ScanOptions extends SshCliOptions {
  local: string[]
  imageStore: boolean
  dumps: boolean
  zstcli?: string
  rootCa?: string
  registryPort?: number
  dumpDir?: string[]
}

interface FetchOptions extends SshCliOptions {
  dest?: string
  restart?: boolean
}

export function registerDb(program: Command, ctx: CliContext): void {
  const db = dbCommand(program)

  addSshOptions(
    db
      .command('scan')
      .description(
        'look for database backups on hosts (image store via zstcli, zstack-ctl dump folders) and local folders; results go to the offline catalog / 扫描数据库备份',
      )
      .argument('[hosts...]', 'hosts as user@host[:port] or ~/.ssh/config aliases')
      .option('--local <dir...>', 'also list .gz backups in these local folders', [])
      .option('--no-image-store', 'do not ask zstcli (hosts hold dump files only)')
      .option('--no-dumps', 'do not list dump folders (image stores only)')
      .option('--zstcli <path>', 'zstcli on the hosts (default /usr/local/zstack/imagestore/bin/zstcli)')
      .option(
        '--root-ca <path>',
        'zstcli -rootca file (default /var/lib/zstack/imagestorebackupstorage/package/certs/ca.pem)',
      )
      .option('--registry-port <port>', 'zstore port on the image-store host (default 8000)', parsePort)
      .option(
        '--dump-dir <dir...>',
        'dump folders on the hosts (default /var/lib/zstack/mysql-backup and /var/lib/zstack/from-zstack-remote-backup)',
      ),
  ).action(async (hostSpecs: string[], opts: ScanOptions, command: Command) => {
    if (hostSpecs.length === 0 && opts.local.length === 0) {
      throw usage('give at least one host or --local <dir>')
    }
    const hosts = hostSpecs.map((h) => sshTargetFromOptions(h, opts))
    await storeSshSecrets(
      ctx,
      hosts.map((h) => sshLabelFor(h, opts)),
      opts,
    )
    const imageStore = {
      ...(opts.zstcli ? { zstcli: opts.zstcli } : {}),
      ...(opts.rootCa ? { rootCa: opts.rootCa } : {}),
      ...(opts.registryPort ? { registryPort: opts.registryPort } : {}),
    }
    const { opId } = await ctx.call('db.scan', {
      hosts: hosts.map((target) => ({ target, imageStore: opts.imageStore, dumpFiles: opts.dumps })),
      localDirs: opts.local.map((d) => resolve(d)),
      imageStore,
      ...(opts.dumpDir ? { dumpDirs: opts.dumpDir } : {}),
      ...sshSessionFromOptions(opts),
    })
    const scanned = await waitForOperation<HostScanResult[]>(
      ctx,
      opId,
      'db.scanned',
      (p) => (p as { hosts: HostScanResult[] }).hosts,
    )
    const backups = await ctx.call('db.catalog', { includeMissing: false })
    const seen = new Set(scanned.map((h) => h.label))
    const found = backups.filter((b) => seen.has(b.hostLabel))
    ctx.output(command, { hosts: scanned, backups: found }, () =>
      [...scanned.map(hostLine), '', backupTable(found)].join('\n'),
    )
    if (scanned.every((h) => h.problems.length > 0 && h.found === 0)) {
      throw new AppError('scan.nothing_reached', {
        en: 'No place could be scanned (see the problems above).',
        zh: '没有任何位置扫描成功（见上方问题）。',
      })
    }
  })

  db.command('list')
    .description('the offline catalog of backups seen by earlier scans (no network) / 离线备份目录')
    .option('--host <label>', 'only backups seen on this user@host:port (or "localhost")')
    .action(async (opts: { host?: string }, command: Command) => {
      const backups = await ctx.call('db.catalog', opts.host ? { hostLabel: opts.host } : {})
      ctx.output(command, backups, () => backupTable(backups))
    })

  addSshOptions(
    db
      .command('fetch')
      .description(
        'copy a catalogued backup to this machine (resumes a partial copy), check SHA-256 and the full gzip stream / 获取备份到本机',
      )
      .argument('<backupId>', 'the id shown by `zsdr db scan` or `zsdr db list`', parseId)
      .option('--dest <dir>', 'folder for the copy (default: backups/ in the data folder)')
      .option('--restart', 'discard a partial copy and start over'),
  ).action(async (backupId: number, opts: FetchOptions, command: Command) => {
    const backup = (await ctx.call('db.catalog', {})).find((b) => b.id === backupId)
    if (!backup) {
      throw new AppError('fetch.unknown_backup', {
        en: `There is no backup #${backupId} in the catalog. Run \`zsdr db scan\` first.`,
        zh: `目录中没有编号为 ${backupId} 的备份。请先运行 \`zsdr db scan\`。`,
      })
    }
    if (backup.hostLabel !== 'localhost') await storeSshSecrets(ctx, [backup.hostLabel], opts)
    const { opId } = await ctx.call('db.fetch', {
      backupId,
      restart: Boolean(opts.restart),
      ...(opts.dest ? { destDir: resolve(opts.dest) } : {}),
      ...sshSessionFromOptions(opts),
    })
    const copy = await waitForOperation<FetchedCopy>(
      ctx,
      opId,
      'db.fetched',
      (p) => (p as { copy: FetchedCopy }).copy,
    )
    ctx.output(command, { backupId, ...copy }, () =>
      [
        `Fetched ${backup.name} from ${backup.hostLabel}`,
        `  file    ${copy.localPath}`,
        `  sha256  ${copy.sha256}`,
        `  size    ${copy.size} bytes (${copy.uncompressedSize} bytes of SQL, gzip checked)`,
      ].join('\n'),
    )
  })
}

/**
 * Follows an operation to its end: progress on stderr, host-key prompts answered on a terminal
 * (refused otherwise: scripts use --accept-new-host-key), the result event's value returned,
 * and a failure thrown as its AppError.
 */
async function waitForOperation<T>(
  ctx: CliContext,
  opId: string,
  resultEvent: 'db.scanned' | 'db.fetched',
  pick: (payload: unknown) => T,
): Promise<T> {
  const bus = ctx.getServices().bus
  let result: T | undefined
  let lastLine = 0
  return new Promise<T>((resolve, reject) => {
    const stop = bus.subscribe((name, payload) => {
      if (name === 'ssh.hostKeyPrompt') void answerPrompt(ctx, payload as HostKeyPromptEvent)
      if (name === 'op.progress') {
        const p = payload as OperationProgress
        if (p.opId === opId && Date.now() - lastLine > 1000) {
          lastLine = Date.now()
          ctx.stderr.write(`${progressLine(p)}\n`)
        }
      }
      if (name === resultEvent && (payload as { opId: string }).opId === opId) result = pick(payload)
      if (name === 'op.finished' && (payload as OperationFinished).opId === opId) {
        stop()
        const f = payload as OperationFinished
        if (f.outcome === 'succeeded' && result !== undefined) resolve(result)
        else if (f.error) reject(new AppError(f.error.code, f.error.message, f.error.details))
        else reject(new AppError('op.cancelled', { en: 'Cancelled.', zh: '已取消。' }))
      }
    })
    // Ctrl-C cancels the operation cleanly (a partial copy stays for resuming).
    process.once('SIGINT', () => void ctx.call('ops.cancel', { opId }))
  })
}

async function answerPrompt(ctx: CliContext, p: HostKeyPromptEvent): Promise<void> {
  let accept = false
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    const reply = await rl.question(
      `The host key of ${p.label} is not known yet.\n  ${p.keyType} ${p.fingerprint}\nCompare it with \`ssh-keygen -lf\` on the host. Trust it and remember? [y/N] `,
    )
    rl.close()
    accept = /^y(es)?$/i.test(reply.trim())
  }
  await ctx.call('ssh.answerHostKey', { promptId: p.promptId, accept })
}

function progressLine(p: OperationProgress): string {
  if (p.unit !== 'bytes') return `${p.phase}: ${p.done}${p.total !== null ? `/${p.total}` : ''}`
  const mib = (n: number) => (n / 1048576).toFixed(1)
  const pct = p.total ? ` (${Math.floor((100 * p.done) / p.total)}%)` : ''
  const rate = p.ratePerSecond ? `, ${mib(p.ratePerSecond)} MiB/s` : ''
  const eta = p.etaSeconds !== null ? `, ${p.etaSeconds}s left` : ''
  return `${p.phase}: ${mib(p.done)}${p.total ? `/${mib(p.total)}` : ''} MiB${pct}${rate}${eta}`
}

function hostLine(h: HostScanResult): string {
  const head = `${h.label}: ${h.found} backup(s)${h.hostKeyFingerprint ? ` [host key ${h.hostKeyFingerprint}]` : ''}`
  return [head, ...h.problems.map((p) => `  ! ${p.message.en}`)].join('\n')
}

function backupTable(backups: CatalogBackup[]): string {
  if (backups.length === 0) return 'No backups in the catalog.'
  const rows = backups.map((b) => [
    String(b.id),
    b.kind === 'image-store' ? 'image' : 'dump',
    b.createdAt ?? '-',
    b.zstackVersion ?? '-',
    b.size === null ? '-' : `${(b.size / 1048576).toFixed(1)} MiB`,
    b.hostLabel,
    b.kind === 'image-store' ? `${b.name} (${b.location})` : b.location,
    b.fetched ? 'fetched' : b.missingSince ? 'missing' : '',
  ])
  const header = ['ID', 'KIND', 'CREATED', 'VERSION', 'SIZE', 'HOST', 'LOCATION', '']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

function usage(message: string): Error {
  return new InvalidArgumentError(message)
}

function parsePort(value: string): number {
  const port = Number(value)
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new InvalidArgumentError('a port is 1-65535')
  return port
}

function parseId(value: string): number {
  const id = Number(value)
  if (!Number.isInteger(id) || id < 1) throw new InvalidArgumentError('a backup id is a positive number')
  return id
}
