import type { Migration } from '../migrate.js'

/**
 * The history of the app's own long operations (DR calls, sync, fetch, restore, recovery through
 * the node), so that the Jobs screen still shows what ran, on what (by name), how long, and why it
 * failed after the app restarts. Error envelopes are stored redacted; no secret, no request body.
 */
export const operationHistory: Migration = {
  version: 6,
  name: 'operation-history',
  up(db) {
    db.exec(`CREATE TABLE operation_history (
      op_id TEXT PRIMARY KEY CHECK (length(op_id) = 32),
      kind TEXT NOT NULL,
      label TEXT NOT NULL,
      subject TEXT,
      connection_id TEXT,
      state TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'cancelled')),
      error TEXT,
      started_at TEXT NOT NULL,
      finished_at TEXT
    ) STRICT`)
    db.exec('CREATE INDEX operation_history_by_start ON operation_history (started_at)')
  },
}
