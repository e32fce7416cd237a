import type { HealthCheck } from './api/contract/index.js'
import type { OperationRegistry } from './api/operations.js'
import type { HandlerMap } from './api/router.js'
import type { Database } from './db/index.js'
import { appInfo } from './util/app-info.js'

/** Handlers of the app-level calls: health and the operations registry. */
export function appHandlers(deps: { db: Database; ops: OperationRegistry }): HandlerMap {
  return {
    'app.health': (_req, ctx) => {
      const checks: HealthCheck[] = [databaseCheck(deps.db)]
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

function databaseCheck(db: Database): HealthCheck {
  try {
    const result = db.pragma('quick_check', { simple: true })
    return { name: 'database', ok: result === 'ok', detail: String(result) }
  } catch {
    return { name: 'database', ok: false, detail: 'unreadable' }
  }
}
