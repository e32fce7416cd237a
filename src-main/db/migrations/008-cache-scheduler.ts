import type { Migration } from '../migrate.js'

/**
 * The node's backup schedules in the offline inventory (src-main/cache), so the schedule list
 * still answers when the node is down. Same layout as 003-cache: one row table with the
 * queryable fields (NOCASE text, dates in ms) and the inventory as sent in `<table>_doc`.
 */
export const cacheScheduler: Migration = {
  version: 8,
  name: 'cache scheduler',
  up(db) {
    db.exec(`
CREATE TABLE cache_scheduler_jobs (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  targetResourceUuid TEXT COLLATE NOCASE,
  state TEXT COLLATE NOCASE
) STRICT;
CREATE UNIQUE INDEX cache_scheduler_jobs_uuid ON cache_scheduler_jobs (uuid, snapshot_id);
CREATE INDEX cache_scheduler_jobs_target ON cache_scheduler_jobs (targetResourceUuid, snapshot_id);
CREATE TABLE cache_scheduler_jobs_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_scheduler_triggers (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  schedulerType TEXT COLLATE NOCASE,
  cron TEXT COLLATE NOCASE,
  schedulerInterval INTEGER,
  repeatCount INTEGER
) STRICT;
CREATE UNIQUE INDEX cache_scheduler_triggers_uuid ON cache_scheduler_triggers (uuid, snapshot_id);
CREATE TABLE cache_scheduler_triggers_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;
`)
  },
}
