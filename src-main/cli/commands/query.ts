import { type Command, InvalidArgumentError, Option } from 'commander'
import { cacheResources } from '../../api/contract/cache.js'
import type { CacheQueryAnswer, CacheResource } from '../../api/contract/index.js'
import { AppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'
import { type ConnectionOpts, findConnection, openConnection, withConnectionOptions } from './cache.js'

/** `zsdr query <resource> [q...] -c <connection> [--offline]`: the node if it answers, else the cache. */
export function registerQuery(program: Command, ctx: CliContext): void {
  withConnectionOptions(
    program
      .command('query <resource> [conditions...]')
      .description(
        'query a resource with the ZStack query language (e.g. name~=%web% size>1073741824); answers from the management node, or from the offline cache when the node is unreachable or without a password / 查询资源',
      )
      .addOption(
        new Option(
          '-c, --connection <connection>',
          'saved connection (id, name or address)',
        ).makeOptionMandatory(),
      ),
  )
    .option('--offline', 'answer from the local cache without trying the node')
    .option('--limit <n>', 'at most n rows (server default 1000)', count)
    .option('--start <n>', 'skip the first n rows', count)
    .option('--sort <+field|-field>', 'sort ascending (+) or descending (-)')
    .option('--fields <a,b>', 'only these fields')
    .option('--group-by <field>', 'first row of each group (grouped locally: ZStack 3.0.0 ignores groupBy)')
    .option('--count', 'only the number of matching rows')
    .option('--reply-with-count', 'add the number of matching rows')
    .action(async (resource: string, conditions: string[], opts: QueryOpts, command: Command) => {
      const name = resourceName(resource)
      const connectionId = await connectionFor(ctx, opts)
      const conn = opts.offline ? null : await openConnection(ctx, opts.connection, opts).catch(() => null)
      const answer = await ctx
        .call('cache.query', {
          connectionId: conn?.connectionId ?? connectionId,
          resource: name,
          q: conditions,
          ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
          ...(opts.start !== undefined ? { start: opts.start } : {}),
          ...(opts.sort ? { sort: opts.sort } : {}),
          ...(opts.fields ? { fields: opts.fields.split(',') } : {}),
          ...(opts.groupBy ? { groupBy: opts.groupBy } : {}),
          ...(opts.count ? { count: true } : {}),
          ...(opts.replyWithCount ? { replyWithCount: true } : {}),
          ...(opts.offline ? { offline: true } : {}),
        })
        .finally(() => conn?.close())
      ctx.output(command, answer, () => describe(answer))
    })
}

/** The cache is keyed by the saved connection's id; the node may be down, so no login is needed to find it. */
async function connectionFor(ctx: CliContext, opts: QueryOpts): Promise<string> {
  const found = await findConnection(ctx, opts.connection)
  if (!found) {
    throw new AppError('cache.unknown_connection', {
      en: `no saved connection "${opts.connection}" (give its id, name or address; sync it first with zsdr cache sync)`,
      zh: `没有已保存的连接“${opts.connection}”（请给出其 id、名称或地址；先用 zsdr cache sync 同步）`,
    })
  }
  return found.connectionId
}

interface QueryOpts extends ConnectionOpts {
  connection: string
  offline?: boolean
  limit?: number
  start?: number
  sort?: string
  fields?: string
  groupBy?: string
  count?: boolean
  replyWithCount?: boolean
}

/** Accepts the API name (`volumeBackups`) or the REST path's (`volume-backups`). */
function resourceName(text: string): CacheResource {
  const camel = text.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
  const found = cacheResources.find(
    (r) => r === camel || (r === 'imageStoreBackupStorages' && camel === 'backupStorages'),
  )
  if (!found)
    throw new InvalidArgumentError(`unknown resource "${text}"; one of: ${cacheResources.join(', ')}`)
  return found
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a non-negative integer')
  return Number(value)
}

function describe(a: CacheQueryAnswer): string {
  const where =
    a.source === 'node'
      ? 'from the management node'
      : `from the offline cache (synced ${a.cache.ageSeconds === null ? 'never' : `${a.cache.ageSeconds} s ago`}${a.nodeError ? `; node: ${a.nodeError.message.en}` : ''})`
  const lines: string[] = []
  for (const inv of a.inventories ?? []) lines.push(JSON.stringify(inv))
  if (a.total !== undefined) lines.push(`total: ${a.total}`)
  lines.push(`-- ${a.inventories ? `${a.inventories.length} row(s) ` : ''}${where}`)
  return lines.join('\n')
}
