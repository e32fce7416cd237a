import { resolve } from 'node:path'
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
import { helpExamples } from '../help.js'
import { messages } from '../messages.js'
import { type Column, outputSettings, printList, tableText } from '../output/index.js'
import { type CliLang, say } from '../output/lang.js'
import { ProgressLine } from '../output/progress.js'
import { safeText } from '../output/terminal-safe.js'
import { humanBytes, localDate } from '../output/values.js'
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
    program
      .command('db')
      .description('management-database backups: scan, list, fetch, restore, drill / 管理数据库备份')
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
    helpExamples(
      db.command('scan'),
      [
        'zsdr db scan root@imagestore.example root@backup.example --local ~/backups --password-stdin <<<"$PW"',
        'zsdr db scan root@10.0.0.5 --accept-new-host-key --no-image-store',
        'zsdr db scan --local /mnt/usb',
      ],
      '0 at least one place was scanned, 1 no place could be scanned, 2 the command line was wrong.',
    )
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
    await storeSshSecrets(ctx, await Promise.all(hosts.map((h) => sshLabelFor(h, opts))), opts)
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
      ProgressLine.for(command, ctx),
      opId,
      'db.scanned',
      (p) => (p as { hosts: HostScanResult[] }).hosts,
    )
    const backups = await ctx.call('db.catalog', { includeMissing: false })
    const seen = new Set(scanned.map((h) => h.label))
    const found = backups.filter((b) => seen.has(b.hostLabel))
    ctx.output(command, { hosts: scanned, backups: found }, () =>
      [
        ...scanned.map((h) => hostLine(h, outputSettings(command, ctx).lang)),
        '',
        found.length > 0
          ? tableText(found, backupColumns, outputSettings(command, ctx)).text
          : say(outputSettings(command, ctx).lang, messages.noRows),
      ].join('\n'),
    )
    if (scanned.every((h) => h.problems.length > 0 && h.found === 0)) {
      throw new AppError('scan.nothing_reached', {
        en: 'No place could be scanned (see the problems above).',
        zh: '没有任何位置扫描成功（见上方问题）。',
      })
    }
  })

  helpExamples(db.command('list'), [
    'zsdr db list',
    'zsdr db list --host root@10.0.0.5:22 --wide',
    'zsdr db list -o json',
  ])
    .description('the offline catalog of backups seen by earlier scans (no network) / 离线备份目录')
    .option('--host <label>', 'only backups seen on this user@host:port (or "localhost")')
    .action(async (opts: { host?: string }, command: Command) => {
      const backups = await ctx.call('db.catalog', opts.host ? { hostLabel: opts.host } : {})
      printList(command, ctx, {
        document: backups,
        rows: backups,
        columns: backupColumns,
        empty: messages.noBackups,
      })
    })

  addSshOptions(
    helpExamples(
      db.command('fetch'),
      ['zsdr db fetch 3', 'zsdr db fetch 3 --dest /srv/backups --restart'],
      '0 copied and checked (SHA-256, whole gzip stream), 1 failed or cancelled (a partial copy stays for resuming), 2 the command line was wrong.',
    )
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
      ProgressLine.for(command, ctx),
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
  progress: ProgressLine,
  opId: string,
  resultEvent: 'db.scanned' | 'db.fetched',
  pick: (payload: unknown) => T,
): Promise<T> {
  const { bus } = await ctx.getServices()
  let result: T | undefined
  return new Promise<T>((resolve, reject) => {
    const stop = bus.subscribe((name, payload) => {
      if (name === 'ssh.hostKeyPrompt') {
        progress.end() // the question needs a line of its own
        void answerPrompt(ctx, payload as HostKeyPromptEvent)
      }
      if (name === 'op.progress' && (payload as OperationProgress).opId === opId)
        progress.update(payload as OperationProgress)
      if (name === resultEvent && (payload as { opId: string }).opId === opId) result = pick(payload)
      if (name === 'op.finished' && (payload as OperationFinished).opId === opId) {
        stop()
        progress.end()
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
    const { createInterface } = await import('node:readline/promises')
    const rl = createInterface({ input: process.stdin, output: process.stderr })
    const reply = await rl.question(
      `The host key of ${safeText(p.label)} is not known yet.\n  ${safeText(p.keyType)} ${safeText(p.fingerprint)}\nCompare it with \`ssh-keygen -lf\` on the host. Trust it and remember? [y/N] `,
    )
    rl.close()
    accept = /^y(es)?$/i.test(reply.trim())
  }
  await ctx.call('ssh.answerHostKey', { promptId: p.promptId, accept })
}

function hostLine(h: HostScanResult, lang: CliLang): string {
  const head = `${h.label}: ${h.found} backup(s)${h.hostKeyFingerprint ? ` [host key ${h.hostKeyFingerprint}]` : ''}`
  return [head, ...h.problems.map((p) => `  ! ${p.message[lang]}`)].join('\n')
}

const backupColumns: Column<CatalogBackup>[] = [
  { header: { en: 'ID', zh: '编号' }, value: (b) => b.id, right: true },
  { header: { en: 'NAME', zh: '名称' }, value: (b) => b.name, shrink: true },
  {
    header: { en: 'KIND', zh: '类型' },
    value: (b) => b.kind,
    show: (b, lang) =>
      b.kind === 'image-store'
        ? lang === 'zh'
          ? '镜像仓库'
          : 'image store'
        : lang === 'zh'
          ? '转储文件'
          : 'dump file',
  },
  {
    header: { en: 'CREATED', zh: '创建时间' },
    value: (b) => b.createdAt,
    show: (b) => localDate(b.createdAt),
  },
  { header: { en: 'VERSION', zh: '版本' }, value: (b) => b.zstackVersion },
  { header: { en: 'SIZE', zh: '大小' }, value: (b) => b.size, show: (b) => humanBytes(b.size), right: true },
  { header: { en: 'HOST', zh: '主机' }, value: (b) => b.hostLabel },
  {
    header: { en: 'COPY', zh: '本机副本' },
    value: (b) => (b.fetched ? 'fetched' : b.missingSince ? 'missing' : null),
    show: (b, lang) =>
      b.fetched
        ? lang === 'zh'
          ? '已获取'
          : 'fetched'
        : b.missingSince
          ? lang === 'zh'
            ? '已不在'
            : 'missing'
          : '',
  },
  { header: { en: 'LOCATION', zh: '位置' }, value: (b) => b.location, shrink: true, wide: true },
]

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
