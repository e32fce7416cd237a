import { join } from 'node:path'
import { EventBus } from './api/event-bus.js'
import { OperationHistory } from './api/operation-history.js'
import { OperationRegistry } from './api/operations.js'
import { Router } from './api/router.js'
import { appHandlers } from './app-handlers.js'
import { CacheService, cacheHandlers } from './cache/index.js'
import { zstackCacheBackend } from './cache/zstack-backend.js'
import { type Database, openDatabase } from './db/index.js'
import { createLogger, type Logger } from './log/logger.js'
import { overviewHandlers } from './overview/handlers.js'
import { DrillService, drillHandlers } from './recovery/drill/service.js'
import { fetchBackup } from './recovery/fetch/fetch-backup.js'
import { fetchHandlers } from './recovery/fetch/handlers.js'
import { RestoreService, type RestoreServiceDeps, restoreHandlers } from './recovery/restore/index.js'
import { BackupCatalog } from './recovery/scan/catalog.js'
import { scanHandlers } from './recovery/scan/handlers.js'
import { SshConnector } from './ssh/connector.js'
import { sshHandlers } from './ssh/handlers.js'
import { HostKeyPrompter } from './ssh/prompter.js'
import { onFirstUse } from './util/on-first-use.js'
import { vaultHandlers } from './vault/handlers.js'
import { Vault } from './vault/vault.js'
import { ZStackService, zstackHandlers } from './zstack/index.js'
import { scheduleHandlers } from './zstack/scheduler/handlers.js'

export interface Services {
  dataDir: string
  db: Database
  bus: EventBus
  ops: OperationRegistry
  router: Router
  log: Logger
  vault: Vault
  zstack: ZStackService
  ssh: SshConnector
  catalog: BackupCatalog
  cache: CacheService
  close(): Promise<void>
}

/**
 * The composition root shared by all three doors (Electron window, web host, CLI): one database,
 * one event bus, one vault, one router over every service's handlers.
 */
export function createServices(options: {
  dataDir: string
  log?: Logger
  /** Tests pass a vault over their own keyring or memory. */
  vault?: Vault
  /** Stands in for `~` when reading ~/.ssh (tests). */
  homeDir?: string
  /** How long a lost restore-log connection is retried (tests shorten it). */
  logRetryWindowMs?: number
}): Services {
  const log = options.log ?? createLogger()
  const dbFile = join(options.dataDir, 'zsdr.sqlite')
  const db = openDatabase(dbFile)
  const bus = new EventBus()
  const ops = new OperationRegistry(bus, new OperationHistory(db))
  const vault = options.vault ?? new Vault()
  const zstack = new ZStackService({
    db,
    bus,
    ops,
    log,
    vault,
    ...(options.logRetryWindowMs !== undefined ? { logRetryWindowMs: options.logRetryWindowMs } : {}),
  })
  zstack.resumeUnfinished()
  const prompter = new HostKeyPrompter(bus)
  const ssh = new SshConnector({
    dataDir: options.dataDir,
    vault,
    prompter,
    ...(options.homeDir ? { homeDir: options.homeDir } : {}),
  })
  const catalog = new BackupCatalog(db)
  const cache = new CacheService({ db, dbFile, ops, bus, log, backend: zstackCacheBackend(zstack, vault) })
  zstack.onDrChange((connectionId, changes) => cache.follow(connectionId, changes))
  const backupDeps = { connector: ssh, catalog, ops, bus, log }
  const restoreFetch: RestoreServiceDeps['fetch'] = async (backupId, session, op) =>
    (
      await fetchBackup(
        { ...backupDeps, dataDir: options.dataDir },
        { backupId, restart: false, session },
        op,
      )
    ).localPath
  // What a restore and a drill both need: each loads a backup (fetched first if it is remote) onto a server.
  const recoveryDeps = { db, bus, ops, dataDir: options.dataDir, connector: ssh, vault, fetch: restoreFetch }
  const restore = new RestoreService({ ...recoveryDeps, catalog })
  const drill = new DrillService(recoveryDeps)
  // Services no restore or fetch needs are imported on their first call (#17: a CLI command's start-up).
  const overview = onFirstUse(async () => {
    const { OverviewService } = await import('./overview/service.js')
    return new OverviewService({ db, store: cache.store, cacheStatus: (id) => cache.status(id), catalog })
  })
  const schedules = onFirstUse(async () => {
    const { SchedulesService } = await import('./zstack/scheduler/service.js')
    return new SchedulesService(zstack, cache)
  })
  const router = new Router(
    {
      ...appHandlers({ db, ops }),
      ...vaultHandlers(vault),
      ...zstackHandlers(zstack),
      ...scheduleHandlers(schedules),
      ...sshHandlers({ connector: ssh, prompter }),
      ...scanHandlers(backupDeps),
      ...fetchHandlers({ ...backupDeps, dataDir: options.dataDir }),
      ...restoreHandlers(restore),
      ...cacheHandlers(cache),
      ...overviewHandlers(overview),
      ...drillHandlers(drill),
    },
    log,
  )
  return {
    dataDir: options.dataDir,
    db,
    bus,
    ops,
    router,
    log,
    vault,
    zstack,
    ssh,
    catalog,
    cache,
    async close() {
      await cache.close()
      await zstack.close()
      db.close()
    },
  }
}
