import type { Migration } from '../migrate.js'
import { settings } from './001-settings.js'
import { zstack } from './002-zstack.js'
import { cache } from './003-cache.js'
import { recoveryCatalog } from './004-recovery-catalog.js'
import { restoreRuns } from './005-restore-runs.js'
import { operationHistory } from './006-operation-history.js'
import { drillRuns } from './007-drill-runs.js'
import { cacheScheduler } from './008-cache-scheduler.js'

/**
 * Every schema step of the app, in order. Numbers are reserved per service so that work on
 * different services never collides: 1 settings, 2 zstack (connections, jobs), 3 cache,
 * 4 recovery catalog, 5 restore runs, 6 operation history, 7 drill runs, 8 cache (scheduler). Never edit a released migration:
 * add a new one.
 */
export const migrations: readonly Migration[] = [
  settings,
  zstack,
  cache,
  recoveryCatalog,
  restoreRuns,
  operationHistory,
  drillRuns,
  cacheScheduler,
]
