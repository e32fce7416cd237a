import { join } from 'node:path'
import { EventBus } from './api/event-bus.js'
import { OperationRegistry } from './api/operations.js'
import { Router } from './api/router.js'
import { appHandlers } from './app-handlers.js'
import { type Database, openDatabase } from './db/index.js'
import { createLogger, type Logger } from './log/logger.js'
import { type SecretStore, ZStackService, zstackHandlers } from './zstack/index.js'

export interface Services {
  dataDir: string
  db: Database
  bus: EventBus
  ops: OperationRegistry
  router: Router
  log: Logger
  zstack: ZStackService
  close(): Promise<void>
}

/**
 * The composition root shared by all three doors (Electron window, web host, CLI): one database,
 * one event bus, one router over every service's handlers.
 */
export function createServices(options: { dataDir: string; log?: Logger; secrets?: SecretStore }): Services {
  const log = options.log ?? createLogger()
  const db = openDatabase(join(options.dataDir, 'zsdr.sqlite'))
  const bus = new EventBus()
  const ops = new OperationRegistry(bus)
  const zstack = new ZStackService({ db, bus, ops, log, secrets: options.secrets })
  zstack.resumeUnfinished()
  const router = new Router({ ...appHandlers({ db, ops }), ...zstackHandlers(zstack) }, log)
  return {
    dataDir: options.dataDir,
    db,
    bus,
    ops,
    router,
    log,
    zstack,
    async close() {
      await zstack.close()
      db.close()
    },
  }
}
