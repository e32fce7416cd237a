import { Argument, type Command, InvalidArgumentError, Option } from 'commander'
import { type CacheResource, cacheResources } from '../../api/contract/choices.js'
import type { CacheQueryAnswer } from '../../api/contract/index.js'
import { AppError, isAppError } from '../../errors/app-error.js'
import type { CliContext } from '../context.js'
import { helpExamples } from '../help.js'
import { inventoryColumns, referencedStores } from '../inventory-columns.js'
import { messages } from '../messages.js'
import { outputSettings, printList } from '../output/index.js'
import { type CliLang, say } from '../output/lang.js'
import { humanAge, localDate } from '../output/values.js'
import { type ConnectionOpts, findConnection, openConnection, withConnectionOptions } from './cache.js'

/** `zsdr query <resource> [q...] -c <connection> [--offline]`: the node if it answers, else the cache. */
export function registerQuery(program: Command, ctx: CliContext): void {
  withConnectionOptions(
    helpExamples(
      program.command('query'),
      [
        "zsdr query volume-backups 'name~=%web%' 'size>1073741824' -c 10.0.0.5 --sort -createDate --limit 20",
        'zsdr query volumeBackups backupStorageRefs.backupStorageUuid=<uuid> -c 10.0.0.5 --offline --count',
        'zsdr query vm-instances -c prod -o csv --wide > vms.csv',
      ],
      '0 answered (from the node or, when it is unreachable or there is no password, from the cache: stderr says which), 1 no answer (unknown connection, bad condition, no cache), 2 the command line was wrong.',
    )
      .addArgument(new Argument('<resource>', 'what to query').choices(resourceWords))
      .argument('[conditions...]', 'conditions field<op>value, ANDed')
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
      const saved = await findConnection(ctx, opts.connection)
      let skipped: unknown = null
      const conn = opts.offline
        ? null
        : await openConnection(ctx, opts.connection, opts).catch((e: unknown) => {
            skipped = e
            return null
          })
      // A new address becomes a saved connection when the node answers; otherwise there is no cache for it.
      const connectionId = conn?.connectionId ?? saved?.connectionId
      if (!connectionId) throw skipped === null ? unknownConnection(opts.connection) : skipped
      const endpoint = saved?.endpoint ?? opts.connection
      try {
        const answer = await ctx.call('cache.query', {
          connectionId,
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
        const rows = answer.inventories ?? []
        const { format, lang } = outputSettings(command, ctx)
        // Only a table shows store names; the other formats keep the UUIDs the data holds.
        const stores =
          format === 'table' ? await storeNames(ctx, connectionId, answer, rows) : new Map<string, string>()
        printList(command, ctx, {
          document: answer,
          rows: opts.count ? [{ total: answer.total ?? 0 }] : rows,
          columns: opts.count
            ? [{ header: { en: 'TOTAL', zh: '总数' }, value: (r) => r.total, right: true }]
            : inventoryColumns(name, stores, opts.fields?.split(',')),
          notes: [
            ...(opts.count ? [] : pageNotes(rows.length, answer.total, opts.limit, lang)),
            ...sourceNotes(answer, { endpoint, connection: opts.connection, skipped }, lang),
          ],
          empty: messages.noRows,
        })
      } finally {
        await conn?.close()
      }
    })
}

/** Store names for the STORES column, from the same place the answer came from. */
async function storeNames(
  ctx: CliContext,
  connectionId: string,
  answer: CacheQueryAnswer,
  rows: Record<string, unknown>[],
): Promise<Map<string, string>> {
  const uuids = referencedStores(rows)
  if (uuids.length === 0) return new Map()
  const stores = await ctx
    .call('cache.query', {
      connectionId,
      resource: 'imageStoreBackupStorages',
      q: [`uuid?=${uuids.join(',')}`],
      fields: ['uuid', 'name'],
      ...(answer.source === 'cache' ? { offline: true } : {}),
    })
    .catch(() => null)
  return new Map((stores?.inventories ?? []).map((s) => [String(s.uuid), String(s.name)]))
}

/** Says when the list is not everything that matched. */
function pageNotes(
  shown: number,
  total: number | undefined,
  limit: number | undefined,
  lang: CliLang,
): string[] {
  if (total !== undefined) return total > shown ? [say(lang, messages.partial, { shown, total })] : []
  return shown > 0 && shown === (limit ?? SERVER_PAGE) ? [say(lang, messages.maybeMore, { shown })] : []
}

/** The server answers at most this many rows when no limit is given. */
const SERVER_PAGE = 1000

/** Where the answer came from and, when it is the cache, why the node was not used and how old the cache is. */
function sourceNotes(
  a: CacheQueryAnswer,
  where: { endpoint: string; connection: string; skipped: unknown },
  lang: CliLang,
): string[] {
  if (a.source === 'node') return []
  const age = { age: humanAge(a.cache.ageSeconds, lang), at: localDate(a.cache.syncedAt) }
  if (a.cache.syncedAt === null) return [say(lang, messages.fromCacheNever, { connection: where.connection })]
  if (where.skipped === null && !a.nodeError) return [say(lang, messages.offline, age)]
  const why =
    isAppError(where.skipped) && where.skipped.code === 'cli.no_password'
      ? say(lang, messages.notAskedNoPassword, { endpoint: where.endpoint })
      : say(lang, messages.nodeDidNotAnswer, {
          endpoint: where.endpoint,
          error: isAppError(where.skipped)
            ? where.skipped.text[lang]
            : (a.nodeError?.message[lang] ?? String(where.skipped)),
        })
  return [why, say(lang, messages.fromCache, age)]
}

function unknownConnection(text: string): AppError {
  return new AppError('cache.unknown_connection', {
    en: `no saved connection "${text}" (give its id, name or address; sync it first with zsdr cache sync)`,
    zh: `没有已保存的连接“${text}”（请给出其 id、名称或地址；先用 zsdr cache sync 同步）`,
  })
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

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
const aliases: Record<string, CacheResource> = { backupStorages: 'imageStoreBackupStorages' }

/** The REST path's names (`volume-backups`) and the API's (`volumeBackups`) are both accepted. */
const resourceWords = [...new Set([...cacheResources, ...Object.keys(aliases)].flatMap((r) => [kebab(r), r]))]

function resourceName(text: string): CacheResource {
  const camel = text.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
  return aliases[camel] ?? (camel as CacheResource)
}

function count(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('a non-negative integer')
  return Number(value)
}
