import type { DrillOutcome, DrillRunSummary, DrillSanity } from '../../api/contract/drill.js'
import type { Database } from '../../db/index.js'
import type { DrillResult } from './run-drill.js'

interface Row {
  run_id: string
  backup_id: number | null
  backup_path: string
  backup_sha256: string | null
  host: string
  started_at: string
  finished_at: string | null
  outcome: string
  restore_ms: number | null
  first_error_code: string | null
  first_error_message: string | null
  sanity: string | null
  production_unchanged: number | null
  report_json: string | null
  report_text: string | null
}

/** The `drill_runs` table (migration 7): each backup's drill results, for the lists and "last proven backup". */
export class DrillRuns {
  constructor(private readonly db: Database) {}

  started(runId: string, backupId: number | null, backupPath: string, host: string): void {
    this.db
      .prepare(
        'INSERT INTO drill_runs (run_id, backup_id, backup_path, host, started_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(runId, backupId, backupPath, host, new Date().toISOString())
  }

  finished(result: DrillResult): void {
    this.db
      .prepare(
        `UPDATE drill_runs SET finished_at = ?, outcome = ?, backup_sha256 = ?, restore_ms = ?, first_error_code = ?,
           first_error_message = ?, sanity = ?, production_unchanged = ?, report_json = ?, report_text = ?,
           host = COALESCE(NULLIF(?, ''), host)
         WHERE run_id = ?`,
      )
      .run(
        result.finishedAt,
        result.outcome,
        result.backup.sha256,
        result.restoreMs,
        result.firstError?.code ?? null,
        result.firstError?.message ?? null,
        result.sanity ? JSON.stringify(result.sanity) : null,
        result.production.unchanged === null ? null : Number(result.production.unchanged),
        result.reportPaths.json,
        result.reportPaths.text,
        result.host,
        result.runId,
      )
  }

  /** A run that never finished (the app was killed): it cannot have passed. */
  abandoned(runId: string, message: string): void {
    this.db
      .prepare(
        `UPDATE drill_runs SET finished_at = ?, outcome = 'failed', first_error_code = 'drill.internal', first_error_message = ?
         WHERE run_id = ? AND outcome = 'running'`,
      )
      .run(new Date().toISOString(), message, runId)
  }

  /** The newest drill of every catalogued backup that has one (for the backup lists). */
  latestPerBackup(): DrillRunSummary[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM drill_runs d WHERE backup_id IS NOT NULL
           AND run_id = (SELECT run_id FROM drill_runs WHERE backup_id = d.backup_id
                          ORDER BY started_at DESC, rowid DESC LIMIT 1)`,
      )
      .all() as Row[]
    return rows.map(toSummary)
  }

  list(filter: {
    limit: number
    backupId?: number | undefined
    runId?: string | undefined
  }): DrillRunSummary[] {
    const where: string[] = []
    const args: (string | number)[] = []
    if (filter.backupId !== undefined) {
      where.push('backup_id = ?')
      args.push(filter.backupId)
    }
    if (filter.runId !== undefined) {
      where.push('run_id = ?')
      args.push(filter.runId)
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM drill_runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC, rowid DESC LIMIT ?`,
      )
      .all(...args, filter.limit) as Row[]
    return rows.map(toSummary)
  }
}

function toSummary(r: Row): DrillRunSummary {
  return {
    runId: r.run_id,
    backupId: r.backup_id,
    backupPath: r.backup_path,
    backupSha256: r.backup_sha256,
    host: r.host,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome as DrillOutcome | 'running',
    restoreMs: r.restore_ms,
    firstError: r.first_error_code
      ? { code: r.first_error_code, message: r.first_error_message ?? '' }
      : null,
    sanity: r.sanity ? (JSON.parse(r.sanity) as DrillSanity) : null,
    productionUnchanged: r.production_unchanged === null ? null : r.production_unchanged === 1,
    reportJson: r.report_json,
    reportText: r.report_text,
  }
}
