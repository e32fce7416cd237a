import { join } from 'node:path'
import type { ParsedRequest } from '../../api/contract/index.js'
import type { HandlerMap } from '../../api/router.js'
import { registerSecret } from '../../errors/redact.js'
import { mysqlRootPasswordKey } from '../../vault/keys.js'
import type { RestoreServiceDeps } from '../restore/service.js'
import { DrillRuns } from './drill-store.js'
import { DEFAULT_DISK_MARGIN, DEFAULT_TEMP_DIR, type DrillResult, runDrill } from './run-drill.js'

export type DrillServiceDeps = Omit<RestoreServiceDeps, 'catalog'>

/**
 * Runs drills for every door: each is an operation (progress, cancel) whose log goes out as
 * `drill.log` events, and lands in `drill_runs` with its evidence report.
 */
export class DrillService {
  private readonly runs: DrillRuns

  constructor(private readonly deps: DrillServiceDeps) {
    this.runs = new DrillRuns(deps.db)
  }

  run(req: ParsedRequest<'drill.run'>): { opId: string; done: Promise<DrillResult> } {
    const session = {
      acceptNewHostKey: req.acceptNewHostKey,
      knownHostsFile: req.knownHostsFile,
      sshConfigFile: req.sshConfigFile,
    }
    return this.deps.ops.start('drill', 'Test restore (drill)', async (op) => {
      const label = await this.deps.connector.label(req.target, session)
      const backupId = 'backupId' in req.backup ? req.backup.backupId : null
      const backupFile =
        'file' in req.backup ? req.backup.file : await this.deps.fetch(req.backup.backupId, session, op)
      const { rootPassword, ...endpoint } = req.mysql ?? {}
      // Optional here (it only serves the read-only checksums of the live server): no keychain, no check.
      const password =
        rootPassword ?? (await this.deps.vault.get(mysqlRootPasswordKey(label)).catch(() => null))
      registerSecret(password)
      this.runs.started(op.opId, backupId, backupFile, label)
      try {
        const result = await runDrill({
          runId: op.opId,
          settings: {
            backupFile,
            backupId,
            tempDir: req.tempDir ?? DEFAULT_TEMP_DIR,
            diskMargin: req.diskMarginMb === undefined ? DEFAULT_DISK_MARGIN : req.diskMarginMb * 1048576,
            live: password ? { ...endpoint, password } : null,
            laptopDir: join(this.deps.dataDir, 'drill'),
          },
          connect: () => this.deps.connector.connect(req.target, session, op.signal),
          log: (entry) => this.deps.bus.emit('drill.log', entry),
          progress: (u) => op.progress(u),
          signal: op.signal,
        })
        this.runs.finished(result)
        return result
      } catch (e) {
        this.runs.abandoned(op.opId, e instanceof Error ? e.message : String(e))
        throw e
      }
    })
  }

  history(filter: ParsedRequest<'drill.runs'>) {
    return this.runs.list(filter)
  }

  latest() {
    return this.runs.latestPerBackup()
  }
}

/** The `drill.*` calls: run (returns an opId at once) and the history per backup. */
export function drillHandlers(service: DrillService): HandlerMap {
  return {
    'drill.run': (req) => ({ opId: service.run(req).opId }),
    'drill.runs': (req) => service.history(req),
    'drill.latest': () => service.latest(),
  }
}
