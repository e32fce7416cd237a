import { call } from './api.js'

/** Inventories as ZStack returns them (manual §4; dates are Gson strings, sizes bytes). */
export interface BackupStorageRef {
  backupStorageUuid: string
  installPath?: string
  exportUrl?: string | null
  status?: string
  createDate?: string
  lastOpDate?: string
}

export interface VolumeBackup {
  uuid: string
  volumeUuid?: string
  name?: string
  description?: string | null
  type?: string
  state?: string
  status?: string
  size?: number
  metadata?: string | null
  groupUuid?: string | null
  createDate?: string
  lastOpDate?: string
  backupStorageRefs?: BackupStorageRef[]
}

export type ResourceName =
  | 'volume-backups'
  | 'database-backups'
  | 'backup-storages'
  | 'volumes'
  | 'vm-instances'
  | 'images'

export interface InventoryPage<T> {
  inventories: T[]
  total: number | null
}

export interface InventoryQuery {
  conditions: string[]
  limit: number
  start: number
  fields?: string[]
  sort?: string
  replyWithCount?: boolean
}

/** One page of a resource from the offline cache of a connection (answers while the node is down). */
export async function queryInventory<T>(
  connectionId: string,
  resource: ResourceName,
  q: InventoryQuery,
): Promise<InventoryPage<T>> {
  const reply = (await call('cache.query' as never, { connectionId, resource, ...q } as never)) as {
    inventories?: T[]
    total?: number
  }
  return { inventories: reply.inventories ?? [], total: reply.total ?? null }
}

/**
 * Loads a whole list page by page: a small first page so the first rows paint at once, then large
 * pages appended in the background. `onPage` gets the rows so far; a newer load cancels an older one.
 */
export async function loadAll<T>(
  connectionId: string,
  resource: ResourceName,
  base: Omit<InventoryQuery, 'limit' | 'start' | 'replyWithCount'>,
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

export interface BackupStorage {
  uuid: string
  name?: string
  hostname?: string
  url?: string
  type?: string
  state?: string
  status?: string
  totalCapacity?: number
  availableCapacity?: number
}

/** A small whole list (image stores, VMs, volumes for pickers), newest first. */
export async function loadList<T>(
  connectionId: string,
  resource: ResourceName,
  conditions: string[] = [],
): Promise<T[]> {
  const page = await queryInventory<T>(connectionId, resource, { conditions, limit: 5000, start: 0 })
  return page.inventories
}

/** The name a user recognises for an image store, falling back to its UUID. */
export function storeLabel(stores: readonly BackupStorage[], uuid: string): string {
  const s = stores.find((x) => x.uuid === uuid)
  return s?.name ? `${s.name} (${s.hostname ?? uuid.slice(0, 8)})` : uuid
}
