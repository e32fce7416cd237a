import type { Migration } from '../migrate.js'

/**
 * ZStack connections (address and account name; the password lives in the keychain or in memory,
 * never here) and the async API jobs this app started, so that a restarted app re-attaches to
 * unfinished jobs and still shows finished ones. No secret is stored: no password, no session id,
 * no request body.
 */
export const zstack: Migration = {
  version: 2,
  name: 'zstack',
  up(db) {
    db.exec(`CREATE TABLE zstack_connections (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      endpoint TEXT NOT NULL,
      account_name TEXT NOT NULL,
      insecure_tls INTEGER NOT NULL DEFAULT 0 CHECK (insecure_tls IN (0, 1)),
      webhook_bind TEXT,
      webhook_public_host TEXT,
      created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
      last_connected_at TEXT,
      UNIQUE (endpoint, account_name)
    ) STRICT`)
    db.exec(`CREATE TABLE zstack_jobs (
      job_uuid TEXT PRIMARY KEY CHECK (length(job_uuid) = 32),
      connection_id TEXT,
      endpoint TEXT NOT NULL,
      api TEXT NOT NULL,
      method TEXT NOT NULL,
      path TEXT NOT NULL,
      target_uuid TEXT,
      location TEXT,
      state TEXT NOT NULL CHECK (state IN ('sending', 'running', 'succeeded', 'failed', 'expired', 'detached', 'unknown')),
      result TEXT,
      error TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      finished_at TEXT
    ) STRICT`)
    db.exec('CREATE INDEX zstack_jobs_by_state ON zstack_jobs (state)')
    db.exec('CREATE INDEX zstack_jobs_by_connection ON zstack_jobs (connection_id, created_at)')
  },
}
