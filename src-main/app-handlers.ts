import type { HealthCheck } from './api/contract/index.js'
import type { OperationRegistry } from './api/operations.js'
import type { HandlerMap } from './api/router.js'
import type { Database } from './db/index.js'
import { appInfo } from './util/app-info.js'

/** Handlers of the app-level calls: health and the operations registry. */
export function appHandlers(deps: { db: Database; ops: OperationRegistry }): HandlerMap {
  return {
    'app.health': (req, ctx) => {
      const checks: HealthCheck[] = [databaseCheck(deps.db, req.deep === true)]
      return {
        ...appInfo,
        transport: ctx.transport,
        platform: `${process.platform}-${process.arch}`,
        status: checks.every((c) => c.ok) ? 'ok' : 'degraded',
        checks,
      }
    },
    'ops.list': () => deps.ops.list(),
    'ops.cancel': ({ opId }) => ({ cancelled: deps.ops.cancel(opId) }),
  }
}

/**
 * Cheap by default (the database answers a read of its schema); `deep` adds `quick_check`, which
 * reads every page and would stall every other call on a big database.
 */
function databaseCheck(db: Database, deep: boolean): HealthCheck {
  try {
    if (!deep) {
      db.pragma('schema_version', { simple: true })
      return { name: 'database', ok: true, detail: 'open' }
    }
    const result = db.pragma('quick_check', { simple: true })
    return { name: 'database', ok: result === 'ok', detail: String(result) }
  } catch {
    return { name: 'database', ok: false, detail: 'unreadable' }
  }
}
