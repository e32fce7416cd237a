import { type Command, InvalidArgumentError, Option } from 'commander'
import { cacheResources } from '../../api/contract/cache.js'
import type { CacheQueryAnswer, CacheResource } from '../../api/contract/index.js'
import type { CliContext } from '../context.js'

/** `zsdr query <resource> [q...] -c <connection> [--offline]`: the node if it answers, else the cache. */
export function registerQuery(program: Command, ctx: CliContext): void {
  program
    .command('query <resource> [conditions...]')
    .description(
      'query a resource with the ZStack query language (e.g. name~=%web% size>1073741824); answers from the management node, or from the offline cache when the node is unreachable / 查询资源',
    )
    .addOption(new Option('-c, --connection <id>', 'the connection to query').makeOptionMandatory())
    .option('--offline', 'answer from the local cache without trying the node')
    .option('--limit <n>', 'at most n rows (server default 1000)', count)
    .option('--start <n>', 'skip the first n rows', count)
    .option('--sort <+field|-field>', 'sort ascending (+) or descending (-)')
    .option('--fields <a,b>', 'only these fields')
    .option('--group-by <field>', 'first row of each group')
    .option('--count', 'only the number of matching rows')
    .option('--reply-with-count', 'add the number of matching rows')
    .action(async (resource: string, conditions: string[], opts: QueryOpts, command: Command) => {
      const answer = await ctx.call('cache.query', {
        connectionId: opts.connection,
        resource: resourceName(resource),
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
      ctx.output(command, answer, () => describe(answer))
    })
}

interface QueryOpts {
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
