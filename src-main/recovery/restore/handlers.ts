import { randomBytes } from 'node:crypto'
import type { ParsedRequest } from '../../api/contract/index.js'
import type { HandlerMap } from '../../api/router.js'
import type { RestoreJob, RestoreService } from './service.js'

export function jobFromRequest(req: ParsedRequest<'restore.plan'>): RestoreJob {
  return {
    target: req.target,
    session: {
      acceptNewHostKey: req.acceptNewHostKey,
      knownHostsFile: req.knownHostsFile,
      sshConfigFile: req.sshConfigFile,
    },
    backup: req.backup,
    mysql: req.mysql,
    skipUi: req.skipUi,
    safetyDir: req.safetyDir,
    zstackCtl: req.zstackCtl,
    acceptDrift: req.acceptDrift,
    keepHa: req.keepHa,
  }
}

/** The `restore.*` calls: plan, run (returns an opId at once), confirm by typed host name, history. */
export function restoreHandlers(service: RestoreService): HandlerMap {
  return {
    'restore.plan': (req) => service.plan(jobFromRequest(req), randomBytes(16).toString('hex')),
    'restore.run': (req) => ({ opId: service.run(jobFromRequest(req), req.yes).opId }),
    'restore.confirm': (req) => ({ accepted: service.confirm(req.opId, req.typedHostName, req.abort) }),
    'restore.runs': (req) => service.history(req.limit),
  }
}
