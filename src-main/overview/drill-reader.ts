import type { Database, Statement } from 'better-sqlite3'
import type { DrillOutcome } from '../api/contract/drill.js'

/** A finished recovery drill of a catalogued backup (the `drill_runs` table of migration 7). */
export interface FinishedDrill {
  backupId: number
  outcome: DrillOutcome
  finishedAt: string
  restoreMs: number | null
}

/*
 * Finished drills only: a drill still running must not hide its backup's last result. Only the
 * columns the overview shows, so no report or sanity JSON is read.
 */
const FINISHED_SQL = `SELECT backup_id AS backupId, outcome, finished_at AS finishedAt, restore_ms AS restoreMs
FROM drill_runs WHERE backup_id IS NOT NULL AND finished_at IS NOT NULL AND outcome != 'running'
ORDER BY finished_at DESC, rowid DESC`

export class DrillReader {
  private readonly finished: Statement

  constructor(db: Database) {
    this.finished = db.prepare(FINISHED_SQL)
  }

  /**
   * Newest first, read lazily (the caller stops at the first drill of a backup it knows); the
   * query starts only when iterated, so a caller that never gets there leaves no statement busy.
   */
  newestFirst(): Iterable<FinishedDrill> {
    return { [Symbol.iterator]: () => this.finished.iterate() as IterableIterator<FinishedDrill> }
  }
}
