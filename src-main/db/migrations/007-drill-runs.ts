import type { Migration } from '../migrate.js'

/**
 * One row per recovery drill (a backup restored into a throwaway server): which backup (catalog id
 * and/or file and SHA-256), where, when, how it ended, the restore time, the first error, and the
 * evidence report. The latest passed row of a backup is its "last proven" mark.
 */
export const drillRuns: Migration = {
  version: 7,
  name: 'drill runs',
  up(db) {
    db.exec(`CREATE TABLE drill_runs (
      run_id TEXT PRIMARY KEY,
      backup_id INTEGER REFERENCES recovery_backups(id) ON DELETE SET NULL,
      backup_path TEXT NOT NULL,
      backup_sha256 TEXT,
      host TEXT NOT NULL,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      outcome TEXT NOT NULL DEFAULT 'running',
      restore_ms INTEGER,
      first_error_code TEXT,
      first_error_message TEXT,
      sanity TEXT,
      production_unchanged INTEGER,
      report_json TEXT,
      report_text TEXT
    ) STRICT;
    CREATE INDEX drill_runs_backup ON drill_runs (backup_id, started_at DESC);
    CREATE INDEX drill_runs_started ON drill_runs (started_at DESC);`)
  },
}
