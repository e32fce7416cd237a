import { readFileSync } from 'node:fs'
import { Argument, type Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import { drCallNames, queryResources } from '../../api/contract/choices.js'
import type { ZStackJob } from '../../api/contract/index.js'
import type { LogEnd, LogLine } from '../../api/contract/zstack.js'
import { AppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'
import { inventoryColumns } from '../inventory-columns.js'
import { messages } from '../messages.js'
import { type Column, outputSettings, printList } from '../output/index.js'
import { say } from '../output/lang.js'
import { safeText } from '../output/terminal-safe.js'
import { localDate } from '../output/values.js'

/**
 * `zsdr api login|query|call|jobs`: talk to a ZStack management node from the command line,
 * through the same router as the window. Each command connects, does its work and logs out; the
 * password comes from stdin (`--password-stdin`) or ZSDR_PASSWORD, never from the arguments.
 */
export function registerApi(program: Command, ctx: CliContext): void {
  const api = program
    .command('api')
    .description('ZStack management node REST API: log in, query, run a DR call / 调用 ZStack 管理节点 API')

  withConnection(
    helpExamples(api.command('login').argument('[endpoint]', 'the management node (same as --endpoint)'), [
      'zsdr api login 10.0.0.5 --password-stdin <<<"$PW"',
      'ZSDR_PASSWORD=... zsdr api login https://10.0.0.5:8443 --insecure-tls --json',
    ]),
  )
    .description('log in to a management node, check the session, log out / 登录管理节点并检查会话')
    .action(async (endpoint: string | undefined, opts: ConnOpts, command: Command) => {
      if (endpoint && opts.endpoint && endpoint !== opts.endpoint)
        throw usage('give the management node once: as the argument or with --endpoint')
      const info = await connect(ctx, { ...opts, endpoint: endpoint ?? opts.endpoint })
      try {
        const { valid } = await ctx.call('zstack.session.check', { connectionId: info.connectionId })
        const value = { ...info, sessionValid: valid }
        ctx.output(
          command,
          value,
          () => `logged in to ${info.endpoint} as ${info.accountName} (session valid: ${valid})`,
        )
      } finally {
        await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
      }
    })

  withConnection(
    helpExamples(
      api.command('query'),
      [
        'zsdr api query volumeBackups -e 10.0.0.5 -q status=Ready --sort -createDate --limit 20 --password-stdin <<<"$PW"',
        'zsdr api query vmInstances -e 10.0.0.5 --all -o csv > vms.csv',
        "zsdr api query volumes -e 10.0.0.5 -q 'size>1073741824' --count",
      ],
      '0 answered, 1 refused or failed (bad condition, login refused), 2 the command line was wrong or no password.',
    ).addArgument(new Argument('<resource>', 'what to query').choices(queryResources)),
  )
    .description(
      'run a query (conditions field<op>value, spaces allowed in the value; field is null / field not null) / 查询资源',
    )
    .option('-q, --q <condition>', 'a condition, repeatable (ANDed), e.g. -q status=Ready', collect, [])
    .option('--limit <n>', 'page size (server default 1000)', nonNegative)
    .option('--start <n>', 'offset', nonNegative)
    .option('--sort <+field|-field>', 'sort ascending (+) or descending (-)')
    .option('--fields <a,b>', 'return only these fields')
    .option('--group-by <field>', 'first row of each group (grouped locally: ZStack 3.0.0 ignores groupBy)')
    .option('--count', 'print only the number of matching records')
    .option('--all', 'pull every page')
    .action(async (resource: string, opts: ConnOpts & QueryOpts, command: Command) => {
      const info = await connect(ctx, opts)
      try {
        const reply = await ctx.call('zstack.query', {
          connectionId: info.connectionId,
          resource: resource as (typeof queryResources)[number],
          q: opts.q,
          limit: opts.limit,
          start: opts.start,
          count: opts.count,
          replyWithCount: true,
          sort: opts.sort ? parseSortOption(opts.sort) : undefined,
          fields: opts.fields?.split(','),
          groupBy: opts.groupBy,
          all: opts.all ?? false,
        })
        const fields = opts.fields?.split(',')
        printList(command, ctx, {
          document: reply,
          rows: opts.count ? [{ total: reply.total ?? 0 }] : reply.inventories,
          columns: opts.count
            ? [{ header: { en: 'TOTAL', zh: '总数' }, value: (r) => r.total, right: true }]
            : inventoryColumns(resource, new Map(), fields),
          notes:
            !opts.count && (reply.total ?? 0) > reply.inventories.length
              ? [
                  say(outputSettings(command, ctx).lang, messages.partial, {
                    shown: reply.inventories.length,
                    total: reply.total ?? 0,
                  }),
                ]
              : [],
          empty: messages.noRows,
        })
      } finally {
        await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
      }
    })

  withConnection(
    helpExamples(
      api.command('call'),
      [
        `zsdr api call CreateDatabaseBackup -e 10.0.0.5 --params '{"name":"before-upgrade","backupStorageUuid":"<uuid>"}'`,
        'zsdr api call RecoverDatabaseFromBackup -e 10.0.0.5 --params-file recover.json --timeout 3600',
      ],
      '0 the API succeeded, 1 it failed or the wait timed out (the job may go on: zsdr api jobs), 2 the command line was wrong.',
    ).addArgument(new Argument('<api>', 'a DR API name').choices(drCallNames)),
  )
    .description('run one Disaster Recovery API and wait for its result / 调用一个灾备 API 并等待结果')
    .option('--params <json>', 'the parameters as a JSON object (no secrets here: use --params-file)')
    .option('--params-file <path>', 'read the parameters (JSON) from a file')
    .option('--timeout <seconds>', 'stop waiting after this long (the job may go on)', nonNegative)
    .addHelpText(
      'after',
      `\nRecoverDatabaseFromBackup takes mysqlRootPassword from ZSDR_MYSQL_ROOT_PASSWORD when not in --params-file.\nDeleteVolumeBackup, DeleteVmBackup and DeleteDatabaseBackup need backupStorageUuids (the stores to delete from), or "allBackupStorages": true to delete every copy.`,
    )
    .action(async (name: string, opts: ConnOpts & CallOpts, command: Command) => {
      const params = readParams(opts, name)
      const info = await connect(ctx, opts)
      try {
        const result = await ctx.call('zstack.dr.call', {
          connectionId: info.connectionId,
          api: name,
          params,
          ...(opts.timeout ? { timeoutMs: opts.timeout * 1000 } : {}),
        } as Parameters<typeof ctx.call<'zstack.dr.call'>>[1])
        ctx.output(command, result ?? {}, () => JSON.stringify(result ?? {}, null, 2))
      } finally {
        await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
      }
    })

  withConnection(
    helpExamples(
      api.command('log'),
      ['zsdr api log 8090 -e 10.0.0.5 --password-stdin <<<"$PW"'],
      '0 the restore reported its end, 1 the stream broke or the login was refused, 2 the command line was wrong or no password.',
    ).argument('<port>', 'the logListenPort RecoverDatabaseFromBackup answered'),
  )
    .description('follow the restore log until the restore reports its end / 跟踪恢复日志直到恢复结束')
    .action(async (port: string, opts: ConnOpts, command: Command) => {
      const n = nonNegative(port)
      const info = await connect(ctx, opts)
      try {
        const end = await followLog(ctx, info.connectionId, n, (line) =>
          ctx.stdout.write(`${safeText(line)}\n`),
        )
        if (end.reason === 'broken')
          throw new AppError(
            end.error?.code ?? 'zstack.log_stream_failed',
            end.error?.message ?? { en: 'The log stream broke.', zh: '日志流已中断。' },
          )
        ctx.output(command, end, () => '-- the restore reported its end')
      } finally {
        await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
      }
    })

  helpExamples(api.command('jobs'), [
    'zsdr api jobs --limit 10',
    'zsdr api jobs --wide',
    'zsdr api jobs -o csv > jobs.csv',
  ])
    .description('list the async jobs this app started (newest first) / 列出本应用发起的异步任务')
    .option('--limit <n>', 'at most this many', nonNegative)
    .action(async (opts: { limit?: number }, command: Command) => {
      const jobs = await ctx.call('zstack.jobs.list', opts.limit ? { limit: opts.limit } : {})
      printList(command, ctx, { document: jobs, rows: jobs, columns: jobColumns, empty: messages.noJobs })
    })
}

const jobColumns: Column<ZStackJob>[] = [
  { header: { en: 'API', zh: 'API' }, value: (j) => j.api },
  { header: { en: 'STATE', zh: '状态' }, value: (j) => j.state },
  {
    header: { en: 'STARTED', zh: '开始时间' },
    value: (j) => j.createdAt,
    show: (j) => localDate(j.createdAt),
  },
  {
    header: { en: 'FINISHED', zh: '结束时间' },
    value: (j) => j.finishedAt,
    show: (j) => localDate(j.finishedAt),
  },
  { header: { en: 'NODE', zh: '管理节点' }, value: (j) => j.endpoint, shrink: true },
  {
    header: { en: 'ERROR', zh: '错误' },
    value: (j) => j.error?.code ?? null,
    show: (j, lang) => j.error?.message[lang] ?? '',
    shrink: true,
  },
  { header: { en: 'JOB', zh: '任务' }, value: (j) => j.jobUuid, wide: true },
  { header: { en: 'TARGET', zh: '目标' }, value: (j) => j.targetUuid, wide: true },
]

interface ConnOpts {
  endpoint?: string
  account: string
  passwordStdin?: boolean
  insecureTls?: boolean
}

interface QueryOpts {
  q: string[]
  limit?: number
  start?: number
  sort?: string
  fields?: string
  groupBy?: string
  count?: boolean
  all?: boolean
}

interface CallOpts {
  params?: string
  paramsFile?: string
  timeout?: number
}

function withConnection(cmd: Command): Command {
  return cmd
    .option(
      '-e, --endpoint <address>',
      'management node: host, host:port or http(s)://host:port[/zstack] (port 8080 by default)',
    )
    .option('-a, --account <name>', 'account name', 'admin')
    .option('--password-stdin', 'read the password from the first line of stdin (else ZSDR_PASSWORD)')
    .addOption(new Option('--insecure-tls', 'accept a self-signed https certificate'))
}

/** Prints the lines so far, then each new one, until the stream ends or breaks (same feed as the window's). */
async function followLog(ctx: CliContext, connectionId: string, port: number, print: (line: string) => void) {
  const { bus } = await ctx.getServices()
  const early: LogLine[] = []
  let streamId: string | null = null
  return new Promise<LogEnd>((resolve, reject) => {
    let ended: LogEnd | null = null
    const off = bus.subscribe((name, payload) => {
      if (name === 'zstack.log.line') {
        const l = payload as LogLine
        if (streamId === null) early.push(l)
        else if (l.streamId === streamId) print(l.line)
      } else if (
        name === 'zstack.log.end' &&
        (payload as LogEnd).streamId === (streamId ?? (payload as LogEnd).streamId)
      ) {
        ended = payload as LogEnd
        if (streamId !== null) {
          off()
          resolve(ended)
        }
      }
    })
    ctx.call('zstack.logs.open', { connectionId, port }).then(
      (opened) => {
        streamId = opened.streamId
        if (opened.dropped > 0) print(`-- ${opened.dropped} older lines were not kept`)
        for (const line of opened.lines) print(line)
        for (const l of early) if (l.streamId === streamId) print(l.line)
        if (ended?.streamId === streamId) {
          off()
          resolve(ended)
        }
      },
      (e: unknown) => {
        off()
        reject(e)
      },
    )
  })
}

async function connect(ctx: CliContext, opts: ConnOpts) {
  if (!opts.endpoint) throw usage('no management node: give it with --endpoint <address>')
  const password = opts.passwordStdin ? await firstLineOfStdin() : process.env.ZSDR_PASSWORD
  if (!password)
    throw usage(
      `no password for ${opts.endpoint}: give it with --password-stdin (first line of stdin) or the ZSDR_PASSWORD environment variable`,
    )
  return ctx.call('zstack.connect', {
    endpoint: opts.endpoint,
    accountName: opts.account,
    password,
    // A password handed to one command is for that command only: it never goes to the keychain.
    remember: false,
    insecureTls: opts.insecureTls ?? false,
  })
}

/** Keys whose values are secrets must not come from argv (visible in `ps` and shell history). */
const SECRET_KEYS = ['mysqlRootPassword']

function readParams(opts: CallOpts, api: string): Record<string, unknown> {
  if (opts.params && opts.paramsFile) throw usage('give --params or --params-file, not both')
  const text = opts.paramsFile ? readFileSync(opts.paramsFile, 'utf8') : (opts.params ?? '{}')
  let params: unknown
  try {
    params = JSON.parse(text)
  } catch {
    throw usage('the parameters are not valid JSON')
  }
  if (!params || typeof params !== 'object' || Array.isArray(params))
    throw usage('the parameters must be a JSON object')
  const p = params as Record<string, unknown>
  if (opts.params) {
    const leaked = Object.entries(p).filter(
      ([k, v]) =>
        SECRET_KEYS.includes(k) || (typeof v === 'string' && /^[a-z]+:\/\/[^/@:]+:[^/@]+@/i.test(v)),
    )
    if (leaked.length > 0) {
      throw usage(
        `"${leaked[0]![0]}" holds a secret: put it in --params-file (or ZSDR_MYSQL_ROOT_PASSWORD), not in the arguments`,
      )
    }
  }
  if (
    api === 'RecoverDatabaseFromBackup' &&
    p.mysqlRootPassword === undefined &&
    process.env.ZSDR_MYSQL_ROOT_PASSWORD
  ) {
    p.mysqlRootPassword = process.env.ZSDR_MYSQL_ROOT_PASSWORD
  }
  return p
}

function parseSortOption(text: string): { field: string; direction: 'asc' | 'desc' } {
  const sign = text[0]
  if (sign !== '+' && sign !== '-') throw usage('--sort is +field or -field')
  return { field: text.slice(1), direction: sign === '+' ? 'asc' : 'desc' }
}

async function firstLineOfStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of process.stdin) chunks.push(c as Buffer)
  return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim()
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function nonNegative(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a non-negative integer')
  return n
}

/** A usage problem found after parsing: reported like Commander's own (exit 2). */
function usage(message: string): CommanderError {
  return new CommanderError(2, 'zsdr.usage', message)
}
