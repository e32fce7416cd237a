import type { HandlerMap } from '../../api/router.js'
import type { BackupHandlerDeps } from '../scan/handlers.js'
import { type FetchDeps, fetchBackup } from './fetch-backup.js'

export function fetchHandlers(
  deps: BackupHandlerDeps & Pick<FetchDeps, 'dataDir' | 'download' | 'retryDelayMs'>,
): HandlerMap {
  return {
    'db.fetch': (req) => {
      const backup = deps.catalog.get(req.backupId)
      const label = backup ? `Fetch ${backup.name} from ${backup.hostLabel}` : `Fetch backup #${req.backupId}`
      const subject = backup ? `${backup.name} (${backup.hostLabel})` : `#${req.backupId}`
      const { opId } = deps.ops.start('db.fetch', { label, subject }, async (op) => {
        const copy = await fetchBackup(
          deps,
          { backupId: req.backupId, destDir: req.destDir, restart: req.restart, session: req },
          op,
        )
        deps.bus.emit('db.fetched', { opId: op.opId, backupId: req.backupId, copy })
        return copy
      })
      return { opId }
    },
  }
}
