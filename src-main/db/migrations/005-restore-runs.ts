import type { Migration } from '../migrate.js'

/**
 * One row per restore run: what was restored where, how it ended, and where its evidence report
 * is. Steps are a JSON array of `{id, status, ms}`. No secret is ever stored (the MySQL root password
 * lives in the keychain or nowhere).
 */
export const restoreRuns: Migration = {
  version: 5,
  name: 'restore runs',
  up(db) {
    db.exec(`CREATE TABLE restore_runs (
      run_id TEXT PRIMARY KEY,
      started_at TEXT NOT NULL,
      finished_at TEXT,
      target TEXT NOT NULL,
      backup_path TEXT NOT NULL,
      backup_sha256 TEXT,
      outcome TEXT NOT NULL DEFAULT 'running',
      steps TEXT NOT NULL DEFAULT '[]',
      report_json TEXT,
      report_text TEXT,
      safety_dump_host_path TEXT,
      safety_dump_laptop_path TEXT
    ) STRICT;
    CREATE INDEX restore_runs_started ON restore_runs (started_at DESC);`)
  },
}
