import type { CacheQueryAnswer, ErrorEnvelope } from '../../../src-main/api/contract/index.js'
import { call } from './api.js'
import { connections } from './connections.svelte.js'

export type {
  BackupStorage,
  BackupStorageRef,
  DatabaseBackup,
  VmInstance,
  Volume,
  VolumeBackup,
} from './inventory-types.js'

import type { BackupStorage } from './inventory-types.js'

export type ResourceName =
  | 'volumeBackups'
  | 'databaseBackups'
  | 'imageStoreBackupStorages'
  | 'volumes'
  | 'vmInstances'
  | 'images'

export interface InventoryPage<T> {
  inventories: T[]
  total: number | null
  /** Where the answer came from: the node, or the offline cache when the node did not answer. */
  source: 'node' | 'cache'
  /** When the cached rows of this resource were last fetched from the node. */
  cachedAt: string | null
  nodeError: ErrorEnvelope | null
}

export interface InventoryQuery {
  conditions: string[]
  limit?: number
  start?: number
  fields?: string[]
  sort?: { field: string; direction: 'asc' | 'desc' }
  replyWithCount?: boolean
  /** Answer from the cache without trying the node (later pages of a list the cache already answered). */
  offline?: boolean
}

/**
 * One page of a resource: from the management node when it answers, from the offline cache when it
 * does not. Every answer tells the connections store whether the node is reachable and how old the
 * cached data is, which drives the offline banner and the disabled actions.
 */
export async function queryInventory<T>(
  connectionId: string,
  resource: ResourceName,
  q: InventoryQuery,
): Promise<InventoryPage<T>> {
  const { conditions, sort, ...rest } = q
  const reply: CacheQueryAnswer = await call('cache.query', {
    connectionId,
    resource,
    q: conditions,
    ...rest,
    ...(sort ? { sort: `${sort.direction === 'asc' ? '+' : '-'}${sort.field}` } : {}),
  })
  connections.noteAnswer(connectionId, reply)
  return {
    inventories: (reply.inventories ?? []) as T[],
    total: reply.total ?? null,
    source: reply.source,
    cachedAt: reply.cache.syncedAt,
    nodeError: reply.nodeError ?? null,
  }
}

/**
 * Loads a whole list page by page: a small first page so the first rows paint at once, then large
 * pages appended in the background. `onPage` gets the rows so far; an aborted load stops quietly.
 */
export async function loadAll<T>(
  connectionId: string,
  resource: ResourceName,
  base: Pick<InventoryQuery, 'conditions' | 'fields' | 'sort'>,
  onPage: (rows: T[], total: number | null) => void,
  signal: AbortSignal,
): Promise<void> {
  const first = await queryInventory<T>(connectionId, resource, {
    ...base,
    limit: 500,
    start: 0,
    replyWithCount: true,
  })
  if (signal.aborted) return
  let rows = first.inventories
  const total = first.total
  onPage(rows, total)
  while (total !== null && rows.length < total && !signal.aborted) {
    const page = await queryInventory<T>(connectionId, resource, {
      ...base,
      limit: 25_000,
      start: rows.length,
    })
    if (signal.aborted || page.inventories.length === 0) return
    rows = rows.concat(page.inventories)
    onPage(rows, total)
  }
}

/** A whole list for pickers and names (image stores, VMs, volumes), every page of it. */
export async function loadList<T>(
  connectionId: string,
  resource: ResourceName,
  conditions: string[] = [],
): Promise<T[]> {
  let all: T[] = []
  await loadAll<T>(
    connectionId,
    resource,
    { conditions },
    (rows) => (all = rows),
    new AbortController().signal,
  )
  return all
}

/** The name a user recognises for an image store, falling back to its UUID. */
export function storeLabel(stores: readonly BackupStorage[], uuid: string): string {
  const s = stores.find((x) => x.uuid === uuid)
  return s?.name ? `${s.name} (${s.hostname ?? uuid.slice(0, 8)})` : uuid
}

/** Whether new data can be written to a store: a store the cache knows as not Connected cannot. */
export function canWrite(stores: readonly BackupStorage[], uuid: string): boolean {
  const status = stores.find((x) => x.uuid === uuid)?.status
  return status === undefined || status === 'Connected'
}

/** The default choice of a store to write to: the first writable one of `uuids` (none if none is). */
export function firstWritable(stores: readonly BackupStorage[], uuids: readonly string[]): string[] {
  return uuids.filter((u) => canWrite(stores, u)).slice(0, 1)
}
