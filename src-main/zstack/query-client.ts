import { type QueryOptions, toSearchParams } from '../../src-shared/query/index.js'
import type { CallOptions, ZStackClient } from './client.js'
import type { QueryResult } from './inventories.js'

/** Resource paths of the queries the product uses, and the API names the manual gives them. */
export const QUERY_RESOURCES = {
  volumeBackups: { path: '/v1/volume-backups', api: 'QueryVolumeBackup' },
  databaseBackups: { path: '/v1/database-backups', api: 'QueryDatabaseBackup' },
  imageStoreBackupStorages: { path: '/v1/backup-storage/image-store', api: 'QueryImageStoreBackupStorage' },
  volumes: { path: '/v1/volumes', api: 'QueryVolume' },
  vmInstances: { path: '/v1/vm-instances', api: 'QueryVmInstance' },
  images: { path: '/v1/images', api: 'QueryImage' },
  zones: { path: '/v1/zones', api: 'QueryZone' },
  schedulerJobs: { path: '/v1/scheduler/jobs', api: 'QuerySchedulerJob' },
  schedulerTriggers: { path: '/v1/scheduler/triggers', api: 'QuerySchedulerTrigger' },
} as const

export type QueryResource = keyof typeof QUERY_RESOURCES

/** One query GET; the options were validated when they were built or parsed. */
export async function runQuery<T>(
  client: ZStackClient,
  resource: QueryResource,
  options: QueryOptions,
  call: CallOptions = {},
): Promise<QueryResult<T> & { total?: number }> {
  const { path, api } = QUERY_RESOURCES[resource]
  const qs = toSearchParams(options).toString()
  const reply = await client.get<{ inventories?: T[]; total?: number }>(
    qs ? `${path}?${qs}` : path,
    api,
    call,
  )
  return reply.total === undefined
    ? { inventories: reply.inventories ?? [] }
    : { inventories: reply.inventories ?? [], total: reply.total }
}

/** `count=true`: only the number of matching records. */
export async function countQuery(
  client: ZStackClient,
  resource: QueryResource,
  options: QueryOptions,
  call: CallOptions = {},
): Promise<number> {
  const { path, api } = QUERY_RESOURCES[resource]
  const qs = toSearchParams({ ...options, count: true, replyWithCount: false }).toString()
  const reply = await client.get<{ total?: number }>(`${path}?${qs}`, api, call)
  return reply.total ?? 0
}

/**
 * Every matching record, page by page (`start`/`limit`), in a stable order: without an explicit
 * sort it sorts by uuid so that pages neither skip nor repeat rows. `onPage` reports progress.
 * `maxRows` bounds the memory: it stops there, and `onPage`'s total says how many there were.
 */
export async function queryAll<T>(
  client: ZStackClient,
  resource: QueryResource,
  options: QueryOptions,
  paging: {
    pageSize?: number
    maxRows?: number
    onPage?: (done: number, total: number) => void
  } & CallOptions = {},
): Promise<T[]> {
  const maxRows = paging.maxRows ?? Number.POSITIVE_INFINITY
  const sorted: QueryOptions = { ...options, sort: options.sort ?? { field: 'uuid', direction: 'asc' } }
  const out: T[] = []
  let total = Number.POSITIVE_INFINITY
  const first = options.start ?? 0
  for (let start = first; start < total && out.length < maxRows; ) {
    const pageSize = Math.min(paging.pageSize ?? 1000, maxRows - out.length)
    const page = await runQuery<T>(
      client,
      resource,
      { ...sorted, start, limit: pageSize, replyWithCount: true, count: false },
      paging,
    )
    total = page.total ?? start + page.inventories.length
    out.push(...page.inventories)
    paging.onPage?.(out.length, total - first)
    if (page.inventories.length < pageSize) break
    start += pageSize
  }
  return out
}
