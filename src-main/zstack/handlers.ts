import type { HandlerMap } from '../api/router.js'
import type { ZStackService } from './service.js'

/** The `zstack.*` calls of the API contract, over the ZStack service. */
export function zstackHandlers(zstack: ZStackService): HandlerMap {
  return {
    'zstack.connect': (req) => zstack.connect(req),
    'zstack.disconnect': async ({ connectionId }) => ({
      disconnected: await zstack.disconnect(connectionId),
    }),
    'zstack.connections.list': () => zstack.listConnections(),
    'zstack.connections.remove': async ({ connectionId }) => ({
      removed: await zstack.removeConnection(connectionId),
    }),
    'zstack.session.check': async ({ connectionId }) => ({ valid: await zstack.checkSession(connectionId) }),
    'zstack.dr.call': (req) => zstack.callDr(req as Parameters<ZStackService['callDr']>[0]),
    'zstack.dr.start': (req) => ({
      opId: zstack.startDr(req as Parameters<ZStackService['startDr']>[0]).opId,
    }),
    'zstack.query': (req) => zstack.query(req),
    'zstack.jobs.list': (req) => zstack.listJobs(req),
    'zstack.jobs.attach': ({ jobUuid }) => ({ attached: zstack.attachJob(jobUuid) }),
    'zstack.jobs.cancel': ({ jobUuid }) => ({ cancelled: zstack.cancelJob(jobUuid) }),
    'zstack.logs.open': ({ connectionId, port, subject }) => zstack.openLog(connectionId, port, subject),
    'zstack.logs.close': ({ streamId }) => ({ closed: zstack.closeLog(streamId) }),
  }
}
