import { readFileSync } from 'node:fs'
import { type Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import type { LogEnd, LogLine } from '../../api/contract/zstack.js'
import { drCallNames, queryResources } from '../../api/contract/zstack.js'
import { AppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'

/**
 * `zsdr api login|query|call|jobs`: talk to a ZStack management node from the command line,
 * through the same router as the window. Each command connects, does its work and logs out; the
 * password comes from stdin (`--password-stdin`) or ZSDR_PASSWORD, never from the arguments.
 */
export function registerApi(program: Command, ctx: CliContext): void {
  const api = program
    .command('api')
    .description('ZStack management node REST API: log in, query, run a DR call / 调用 ZStack 管理节点 API')

  withConnection(api.command('login'))
    .description('log in to a management node, check the session, log out / 登录管理节点并检查会话')
    .action(async (opts: ConnOpts, command: Command) => {
      const info = await connect(ctx, opts)
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

  withConnection(api.command('query').argument('<resource>', `one of ${queryResources.join(', ')}`))
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
      if (!(queryResources as readonly string[]).includes(resource)) {
        throw usage(`unknown resource "${resource}" (expected one of ${queryResources.join(', ')})`)
      }
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
        ctx.output(command, reply, () =>
          opts.count
            ? String(reply.total ?? 0)
            : [
                ...reply.inventories.map((inv) => `${inv.uuid ?? ''}\t${inv.name ?? ''}`),
                `(${reply.inventories.length} of ${reply.total ?? reply.inventories.length})`,
              ].join('\n'),
        )
      } finally {
        await ctx.call('zstack.disconnect', { connectionId: info.connectionId })
      }
    })

  withConnection(api.command('call').argument('<api>', 'a DR API name, e.g. CreateVolumeBackup'))
    .description('run one Disaster Recovery API and wait for its result / 调用一个灾备 API 并等待结果')
    .option('--params <json>', 'the parameters as a JSON object (no secrets here: use --params-file)')
    .option('--params-file <path>', 'read the parameters (JSON) from a file')
    .option('--timeout <seconds>', 'stop waiting after this long (the job may go on)', nonNegative)
    .addHelpText(
      'after',
      `\nAPIs: ${drCallNames.join(', ')}\nRecoverDatabaseFromBackup takes mysqlRootPassword from ZSDR_MYSQL_ROOT_PASSWORD when not in --params-file.`,
    )
    .action(async (name: string, opts: ConnOpts & CallOpts, command: Command) => {
      if (!(drCallNames as readonly string[]).includes(name)) {
        throw usage(`unknown API "${name}" (expected one of ${drCallNames.join(', ')})`)
      }
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
    api.command('log').argument('<port>', 'the logListenPort RecoverDatabaseFromBackup answered'),
  )
    .description('follow the restore log until the restore reports its end / 跟踪恢复日志直到恢复结束')
    .action(async (port: string, opts: ConnOpts, command: Command) => {
      const n = nonNegative(port)
      const info = await connect(ctx, opts)
      try {
        const end = await followLog(ctx, info.connectionId, n, (line) => ctx.stdout.write(`${line}\n`))
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

  api
    .command('jobs')
    .description('list the async jobs this app started (newest first) / 列出本应用发起的异步任务')
    .option('--limit <n>', 'at most this many', nonNegative)
    .action(async (opts: { limit?: number }, command: Command) => {
      const jobs = await ctx.call('zstack.jobs.list', opts.limit ? { limit: opts.limit } : {})
      ctx.output(
        command,
        jobs,
        () => jobs.map((j) => `${j.jobUuid}\t${j.state}\t${j.api}\t${j.createdAt}`).join('\n') || '(no jobs)',
      )
    })
}

interface ConnOpts {
  endpoint: string
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
    .requiredOption(
      '-e, --endpoint <address>',
      'management node: host, host:port or http(s)://host:port[/zstack] (port 8080 by default)',
    )
    .option('-a, --account <name>', 'account name', 'admin')
    .option('--password-stdin', 'read the password from the first line of stdin (else ZSDR_PASSWORD)')
    .addOption(new Option('--insecure-tls', 'accept a self-signed https certificate'))
}

/** Prints the lines so far, then each new one, until the stream ends or breaks (same feed as the window's). */
async function followLog(ctx: CliContext, connectionId: string, port: number, print: (line: string) => void) {
  const bus = ctx.getServices().bus
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
  const password = opts.passwordStdin ? await firstLineOfStdin() : process.env.ZSDR_PASSWORD
  if (!password) throw usage('no password: pass --password-stdin, or set ZSDR_PASSWORD')
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
