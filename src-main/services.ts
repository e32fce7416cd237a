import { join } from 'node:path'
import { EventBus } from './api/event-bus.js'
import { OperationRegistry } from './api/operations.js'
import { Router } from './api/router.js'
import { appHandlers } from './app-handlers.js'
import { type Database, openDatabase } from './db/index.js'
import { createLogger, type Logger } from './log/logger.js'

export interface Services {
  dataDir: string
  db: Database
  bus: EventBus
  ops: OperationRegistry
  router: Router
  log: Logger
  close(): Promise<void>
}

/**
 * The composition root shared by all three doors (Electron window, web host, CLI): one database,
 * one event bus, one router over every service's handlers.
 */
export function createServices(options: { dataDir: string; log?: Logger }): Services {
  const log = options.log ?? createLogger()
  const db = openDatabase(join(options.dataDir, 'zsdr.sqlite'))
  const bus = new EventBus()
  const ops = new OperationRegistry(bus)
  const router = new Router({ ...appHandlers({ db, ops }) }, log)
  return {
    dataDir: options.dataDir,
    db,
    bus,
    ops,
    router,
    log,
    async close() {
      db.close()
    },
  }
}
