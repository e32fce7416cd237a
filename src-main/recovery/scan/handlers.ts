import type { EventBus } from '../../api/event-bus.js'
import type { OperationRegistry } from '../../api/operations.js'
import type { HandlerMap } from '../../api/router.js'
import type { Logger } from '../../log/logger.js'
import type { SshConnector } from '../../ssh/connector.js'
import type { BackupCatalog } from './catalog.js'
import { scanBackups } from './scan-hosts.js'
import { DEFAULT_DUMP_DIRS, DEFAULT_IMAGE_STORE } from './types.js'

export interface BackupHandlerDeps {
  connector: SshConnector
  catalog: BackupCatalog
  ops: OperationRegistry
  bus: EventBus
  log: Logger
}

export function scanHandlers(deps: BackupHandlerDeps): HandlerMap {
  return {
    'db.scan': (req) => {
      const names = [
        ...req.hosts.map((h) => h.target.host),
        ...(req.localDirs.length ? ['local folders'] : []),
      ]
      const { opId } = deps.ops.start(
        'db.scan',
        `Scan ${names.length} place(s) for database backups`,
        async (op) => {
          const hosts = await scanBackups(
            deps,
            {
              hosts: req.hosts,
              localDirs: req.localDirs,
              imageStore: { ...DEFAULT_IMAGE_STORE, ...req.imageStore },
              dumpDirs: req.dumpDirs ?? DEFAULT_DUMP_DIRS,
              session: req,
            },
            op,
          )
          deps.bus.emit('db.scanned', { opId: op.opId, hosts })
          return hosts
        },
        { subject: names.join(', ') || null },
      )
      return { opId }
    },
    'db.catalog': (req) =>
      deps.catalog.list({ hostLabel: req.hostLabel, includeMissing: req.includeMissing }),
  }
}
