import type { RestoreOutcome, RestoreRunSummary } from '../../api/contract/restore.js'
import type { Database } from '../../db/index.js'
import type { RestoreRunResult } from './engine.js'
import type { StepRecord } from './run-log.js'

/** The `restore_runs` table (migration 5): the history the window lists and the CLI prints. */
export class RestoreRuns {
  constructor(private readonly db: Database) {}

  started(runId: string, target: string, backupPath: string): void {
    this.db
      .prepare('INSERT INTO restore_runs (run_id, started_at, target, backup_path) VALUES (?, ?, ?, ?)')
      .run(runId, new Date().toISOString(), target, backupPath)
  }

  finished(result: RestoreRunResult, steps: StepRecord[]): void {
    this.db
      .prepare(
        `UPDATE restore_runs SET finished_at = ?, outcome = ?, backup_sha256 = ?, steps = ?, report_json = ?,
           report_text = ?, safety_dump_host_path = ?, safety_dump_laptop_path = ?, target = COALESCE(?, target)
         WHERE run_id = ?`,
      )
      .run(
        new Date().toISOString(),
        result.outcome,
        result.plan?.backup?.sha256 ?? null,
        JSON.stringify(steps.map((s) => ({ id: s.id, status: s.status, ms: s.ms }))),
        result.reportPaths.json,
        result.reportPaths.text,
        result.safetyDump?.hostPath ?? null,
        result.safetyDump?.laptopPath ?? null,
        result.plan?.target.label || null,
        result.runId,
      )
  }

  list(limit: number): RestoreRunSummary[] {
    const rows = this.db
      .prepare(
        `SELECT run_id, started_at, finished_at, target, backup_path, outcome, report_json, report_text
           FROM restore_runs ORDER BY started_at DESC LIMIT ?`,
      )
      .all(limit) as {
      run_id: string
      started_at: string
      finished_at: string | null
      target: string
      backup_path: string
      outcome: string
      report_json: string | null
      report_text: string | null
    }[]
    return rows.map((r) => ({
      runId: r.run_id,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      target: r.target,
      backupPath: r.backup_path,
      outcome: r.outcome as RestoreOutcome | 'running',
      reportJson: r.report_json,
      reportText: r.report_text,
    }))
  }
}
