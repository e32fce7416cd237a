/**
 * Crafted inventories for the overview tests: a real database with migrations, a saved
 * connection, snapshots filled and published through the cache's own store, the real catalog
 * and the real CacheService for the cache's age. Dates are Gson strings (node wall-clock time).
 */
import { EventBus } from '../../../src-main/api/event-bus.js'
import { OperationRegistry } from '../../../src-main/api/operations.js'
import type { ResourceName } from '../../../src-main/cache/resources.js'
import { CacheService } from '../../../src-main/cache/service.js'
import type { Inventory } from '../../../src-main/cache/store.js'
import { type Database, openDatabase } from '../../../src-main/db/index.js'
import { AppError } from '../../../src-main/errors/app-error.js'
import { createLogger } from '../../../src-main/log/logger.js'
import { OverviewService } from '../../../src-main/overview/service.js'
import { BackupCatalog } from '../../../src-main/recovery/scan/catalog.js'
import { DEFAULT_IMAGE_STORE } from '../../../src-main/recovery/scan/types.js'
import { ConnectionRepository } from '../../../src-main/zstack/connection-repository.js'

/** "Now" for every test: 2017-11-20 12:00:00 on this machine's clock, so node wall time is the same. */
export const NOW = new Date(2017, 10, 20, 12, 0, 0)
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** The Gson date `seconds` before NOW (wall clock). */
export function before(seconds: number): string {
  const d = new Date(Date.UTC(2017, 10, 20, 12) - seconds * 1000)
  const h = d.getUTCHours()
  const two = (n: number) => String(n).padStart(2, '0')
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${h % 12 || 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`
}

export const HOUR = 3600
export const DAY = 86_400
export const GiB = 2 ** 30

let n = 0
export const uuid = (tag: string) => `${tag}${(n++).toString(16).padStart(32 - tag.length, '0')}`.slice(0, 32)

export function store(
  name: string,
  status: 'Connected' | 'Disconnected',
  host: string,
  available = 100 * GiB,
): Inventory {
  return {
    uuid: uuid('b5'),
    name,
    hostname: host,
    status,
    state: 'Enabled',
    type: 'ImageStoreBackupStorage',
    totalCapacity: 200 * GiB,
    availableCapacity: available,
  }
}

export function vm(name: string): { vm: Inventory; root: Inventory } {
  const vmUuid = uuid('e0')
  const root = {
    uuid: uuid('a0'),
    name: `ROOT-${name}`,
    type: 'Root',
    status: 'Ready',
    vmInstanceUuid: vmUuid,
  }
  return { vm: { uuid: vmUuid, name, type: 'UserVm', state: 'Running', rootVolumeUuid: root.uuid }, root }
}

export function dataVolume(name: string, vmUuid: string | null): Inventory {
  return { uuid: uuid('d0'), name, type: 'Data', status: 'Ready', vmInstanceUuid: vmUuid }
}

export function volumeBackup(
  volumeUuid: string,
  ageSeconds: number,
  stores: readonly Inventory[],
  over: Partial<Inventory> = {},
): Inventory {
  const id = uuid('cb')
  const date = before(ageSeconds)
  return {
    uuid: id,
    name: `backup-${id.slice(-4)}`,
    volumeUuid,
    status: 'Ready',
    size: GiB,
    createDate: date,
    lastOpDate: date,
    backupStorageRefs: stores.map((s) => ({ backupStorageUuid: s.uuid, status: 'Ready', createDate: date })),
    ...over,
  }
}

export function databaseBackup(
  ageSeconds: number,
  stores: readonly Inventory[],
  exportUrl: string | null = null,
): Inventory {
  const id = uuid('db')
  const date = before(ageSeconds)
  return {
    uuid: id,
    name: `db-${id.slice(-4)}`,
    status: 'Ready',
    size: GiB,
    createDate: date,
    lastOpDate: date,
    backupStorageRefs: stores.map((s) => ({ backupStorageUuid: s.uuid, status: 'Ready', exportUrl })),
  }
}

export interface World {
  db: Database
  overview: OverviewService
  catalog: BackupCatalog
  cache: CacheService
  /** A saved connection to `endpoint`; returns its id. */
  connection(name: string, endpoint?: string): string
  /** Fills and publishes one full snapshot of `connectionId` with these rows. */
  sync(connectionId: string, rows: Partial<Record<ResourceName, Inventory[]>>): void
  close(): Promise<void>
}

export function world(): World {
  const db = openDatabase(':memory:')
  const bus = new EventBus()
  const cache = new CacheService({
    db,
    dbFile: ':memory:',
    ops: new OperationRegistry(bus),
    bus,
    log: createLogger({ level: 'silent' }),
    backend: {
      sourceFor: () => Promise.reject(new AppError('test.offline', { en: 'offline', zh: '离线' })),
      queryNode: () => Promise.reject(new AppError('test.offline', { en: 'offline', zh: '离线' })),
    },
  })
  const catalog = new BackupCatalog(db)
  const overview = new OverviewService({
    db,
    store: cache.store,
    cacheStatus: (id) => cache.status(id),
    catalog,
    clock: () => NOW,
  })
  const repo = new ConnectionRepository(db)
  return {
    db,
    overview,
    catalog,
    cache,
    connection(name, endpoint = `http://${name}.example:8080/zstack`) {
      return repo.upsert({
        name,
        endpoint,
        accountName: 'admin',
        insecureTls: false,
        webhookBind: null,
        webhookPublicHost: null,
      }).id
    },
    sync(connectionId, rows) {
      const s = cache.store.createSnapshot(connectionId)
      const syncedAt = new Date().toISOString()
      const states = Object.entries(rows).map(([resource, list]) => {
        cache.store.insertPage(s, resource as ResourceName, list)
        return {
          resource: resource as ResourceName,
          count: list.length,
          syncedAt,
          highWater: null,
          error: null,
        }
      })
      cache.store.publish(connectionId, s, states, { kind: 'full', outcome: 'complete', error: null })
    },
    async close() {
      await cache.close()
      db.close()
    },
  }
}

export const HOST_SPEC = { target: null, imageStore: DEFAULT_IMAGE_STORE }
