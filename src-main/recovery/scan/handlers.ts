import type { EventBus } from '../../api/event-bus.js'
import type { OperationRegistry } from '../../api/operations.js'
import type { HandlerMap } from '../../api/router.js'
import { AppError } from '../../errors/app-error.js'
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
      if (req.hosts.length === 0 && req.localDirs.length === 0) throw nothingToScanError()
      const names = [
        ...req.hosts.map((h) => h.target.host),
        ...(req.localDirs.length ? ['local folders'] : []),
      ]
      const { opId } = deps.ops.start(
        'db.scan',
        { label: `Scan ${names.length} place(s) for database backups`, subject: names.join(', ') || null },
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
      )
      return { opId }
    },
    'db.catalog': (req) =>
      deps.catalog.list({ hostLabel: req.hostLabel, includeMissing: req.includeMissing }),
  }
}

function nothingToScanError(): AppError {
  return new AppError('scan.nothing', {
    en: 'Nothing to search: give at least one host or one local folder.',
    zh: '没有可查找的位置：请至少提供一个主机或一个本地文件夹。',
  })
}
