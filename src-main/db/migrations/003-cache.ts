import type { Migration } from '../migrate.js'

/**
 * The offline inventory (src-main/cache). Every cached row belongs to a snapshot; a connection's
 * current snapshot is named in `cache_sync_state`. A full sync fills a new snapshot and switches the
 * pointer in one transaction, so readers always see one consistent snapshot and a sync killed
 * halfway leaves only an unreferenced snapshot behind (removed by the next sync).
 *
 * Text columns use NOCASE because the server compares as MySQL utf8_general_ci does; dates are
 * stored as the Gson wall-clock time in milliseconds (sortable, zone-free); the inventory as the
 * server sent it lives in `<table>_doc` so scans never read it. Indexes end with snapshot_id: a
 * connection has one snapshot (two while a sync runs), so it narrows nothing, and a scan in row-id
 * order (the server's order) can stop at LIMIT. Refs point at their parent's row id. No secret is
 * ever stored here.
 */
export const cache: Migration = {
  version: 3,
  name: 'cache',
  up(db) {
    db.exec(`
CREATE TABLE cache_snapshots (
  id INTEGER PRIMARY KEY,
  connection_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
CREATE INDEX cache_snapshots_connection ON cache_snapshots (connection_id);

CREATE TABLE cache_sync_state (
  connection_id TEXT PRIMARY KEY,
  snapshot_id INTEGER REFERENCES cache_snapshots (id),
  last_full_sync_at TEXT,
  last_incremental_sync_at TEXT,
  last_attempt_at TEXT,
  last_outcome TEXT,
  last_error TEXT
) STRICT;

CREATE TABLE cache_resource_state (
  snapshot_id INTEGER NOT NULL,
  resource TEXT NOT NULL,
  count INTEGER NOT NULL,
  synced_at TEXT,
  high_water INTEGER,
  error TEXT,
  PRIMARY KEY (snapshot_id, resource)
) STRICT;

CREATE TABLE cache_volume_backups (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  volumeUuid TEXT COLLATE NOCASE,
  type TEXT COLLATE NOCASE,
  state TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  size INTEGER,
  metadata TEXT COLLATE NOCASE,
  groupUuid TEXT COLLATE NOCASE
) STRICT;
CREATE UNIQUE INDEX cache_volume_backups_uuid ON cache_volume_backups (uuid, snapshot_id);
CREATE INDEX cache_volume_backups_volume ON cache_volume_backups (volumeUuid, snapshot_id);
CREATE INDEX cache_volume_backups_group ON cache_volume_backups (groupUuid, snapshot_id);
CREATE INDEX cache_volume_backups_created ON cache_volume_backups (createDate, snapshot_id);
CREATE INDEX cache_volume_backups_name ON cache_volume_backups (name, snapshot_id);
CREATE INDEX cache_volume_backups_size ON cache_volume_backups (size, snapshot_id);
CREATE TABLE cache_volume_backups_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_volume_backup_refs (
  snapshot_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  volumeBackupUuid TEXT NOT NULL COLLATE NOCASE,
  backupStorageUuid TEXT COLLATE NOCASE,
  installPath TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER
) STRICT;
CREATE INDEX cache_volume_backup_refs_parent ON cache_volume_backup_refs (parent_id);
CREATE INDEX cache_volume_backup_refs_bs ON cache_volume_backup_refs (backupStorageUuid, snapshot_id, parent_id);

CREATE TABLE cache_database_backups (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  state TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  size INTEGER,
  metadata TEXT COLLATE NOCASE
) STRICT;
CREATE UNIQUE INDEX cache_database_backups_uuid ON cache_database_backups (uuid, snapshot_id);
CREATE INDEX cache_database_backups_created ON cache_database_backups (createDate, snapshot_id);
CREATE TABLE cache_database_backups_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_database_backup_refs (
  snapshot_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  databaseBackupUuid TEXT NOT NULL COLLATE NOCASE,
  backupStorageUuid TEXT COLLATE NOCASE,
  installPath TEXT COLLATE NOCASE,
  exportUrl TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER
) STRICT;
CREATE INDEX cache_database_backup_refs_parent ON cache_database_backup_refs (parent_id);
CREATE INDEX cache_database_backup_refs_bs ON cache_database_backup_refs (backupStorageUuid, snapshot_id, parent_id);

CREATE TABLE cache_backup_storages (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  url TEXT COLLATE NOCASE,
  hostname TEXT COLLATE NOCASE,
  username TEXT COLLATE NOCASE,
  sshPort INTEGER,
  type TEXT COLLATE NOCASE,
  state TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  totalCapacity INTEGER,
  availableCapacity INTEGER
) STRICT;
CREATE UNIQUE INDEX cache_backup_storages_uuid ON cache_backup_storages (uuid, snapshot_id);
CREATE TABLE cache_backup_storages_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_volumes (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  primaryStorageUuid TEXT COLLATE NOCASE,
  vmInstanceUuid TEXT COLLATE NOCASE,
  diskOfferingUuid TEXT COLLATE NOCASE,
  rootImageUuid TEXT COLLATE NOCASE,
  installPath TEXT COLLATE NOCASE,
  type TEXT COLLATE NOCASE,
  format TEXT COLLATE NOCASE,
  size INTEGER,
  actualSize INTEGER,
  deviceId INTEGER,
  state TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  isShareable INTEGER
) STRICT;
CREATE UNIQUE INDEX cache_volumes_uuid ON cache_volumes (uuid, snapshot_id);
CREATE INDEX cache_volumes_vm ON cache_volumes (vmInstanceUuid, snapshot_id);
CREATE TABLE cache_volumes_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_vm_instances (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  zoneUuid TEXT COLLATE NOCASE,
  clusterUuid TEXT COLLATE NOCASE,
  hostUuid TEXT COLLATE NOCASE,
  lastHostUuid TEXT COLLATE NOCASE,
  imageUuid TEXT COLLATE NOCASE,
  instanceOfferingUuid TEXT COLLATE NOCASE,
  rootVolumeUuid TEXT COLLATE NOCASE,
  platform TEXT COLLATE NOCASE,
  defaultL3NetworkUuid TEXT COLLATE NOCASE,
  type TEXT COLLATE NOCASE,
  hypervisorType TEXT COLLATE NOCASE,
  memorySize INTEGER,
  cpuNum INTEGER,
  cpuSpeed INTEGER,
  allocatorStrategy TEXT COLLATE NOCASE,
  state TEXT COLLATE NOCASE
) STRICT;
CREATE UNIQUE INDEX cache_vm_instances_uuid ON cache_vm_instances (uuid, snapshot_id);
CREATE TABLE cache_vm_instances_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_images (
  id INTEGER PRIMARY KEY,
  snapshot_id INTEGER NOT NULL,
  uuid TEXT NOT NULL COLLATE NOCASE,
  name TEXT COLLATE NOCASE,
  description TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER,
  exportUrl TEXT COLLATE NOCASE,
  exportMd5Sum TEXT COLLATE NOCASE,
  state TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  size INTEGER,
  actualSize INTEGER,
  md5Sum TEXT COLLATE NOCASE,
  url TEXT COLLATE NOCASE,
  mediaType TEXT COLLATE NOCASE,
  guestOsType TEXT COLLATE NOCASE,
  type TEXT COLLATE NOCASE,
  platform TEXT COLLATE NOCASE,
  format TEXT COLLATE NOCASE,
  system INTEGER
) STRICT;
CREATE UNIQUE INDEX cache_images_uuid ON cache_images (uuid, snapshot_id);
CREATE TABLE cache_images_doc (id INTEGER PRIMARY KEY, doc TEXT NOT NULL) STRICT;

CREATE TABLE cache_image_refs (
  snapshot_id INTEGER NOT NULL,
  parent_id INTEGER NOT NULL,
  imageUuid TEXT NOT NULL COLLATE NOCASE,
  backupStorageUuid TEXT COLLATE NOCASE,
  installPath TEXT COLLATE NOCASE,
  exportUrl TEXT COLLATE NOCASE,
  status TEXT COLLATE NOCASE,
  createDate INTEGER,
  lastOpDate INTEGER
) STRICT;
CREATE INDEX cache_image_refs_parent ON cache_image_refs (parent_id);
CREATE INDEX cache_image_refs_bs ON cache_image_refs (backupStorageUuid, snapshot_id, parent_id);
`)
  },
}
