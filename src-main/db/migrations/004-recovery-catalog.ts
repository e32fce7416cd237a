import type { Migration } from '../migrate.js'

/**
 * The offline catalog of database backups: which hosts were scanned (address and host-key
 * fingerprint, never a secret), every backup seen there with where and when it was seen, and
 * every copy fetched to this machine with its SHA-256. A second look needs no network.
 */
export const recoveryCatalog: Migration = {
  version: 4,
  name: 'recovery catalog',
  up(db) {
    db.exec(`
      CREATE TABLE recovery_hosts (
        id INTEGER PRIMARY KEY,
        -- user@host:port, or 'localhost' for this machine
        label TEXT NOT NULL UNIQUE,
        host TEXT NOT NULL,
        port INTEGER,
        user TEXT,
        -- how the user named it (alias, ProxyJump), so a fetch can reconnect the same way
        spec TEXT NOT NULL,
        host_key_fingerprint TEXT,
        last_scanned_at TEXT,
        last_error_code TEXT
      ) STRICT;

      CREATE TABLE recovery_backups (
        id INTEGER PRIMARY KEY,
        host_id INTEGER NOT NULL REFERENCES recovery_hosts(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('image-store', 'dump-file')),
        -- zstore://zsbak/<id> for image-store backups, the absolute file path for dump files
        location TEXT NOT NULL,
        name TEXT NOT NULL,
        zstack_version TEXT,
        created_at TEXT,
        size INTEGER,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        -- set when a later scan of the same place no longer finds it
        missing_since TEXT,
        UNIQUE (host_id, kind, location)
      ) STRICT;

      CREATE TABLE recovery_fetches (
        id INTEGER PRIMARY KEY,
        backup_id INTEGER NOT NULL REFERENCES recovery_backups(id) ON DELETE CASCADE,
        local_path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        uncompressed_size INTEGER NOT NULL,
        fetched_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX recovery_fetches_backup ON recovery_fetches (backup_id);
    `)
  },
}
