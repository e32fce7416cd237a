import type { CatalogBackup, FetchedCopy } from '../../api/contract/db-backups.js'
import type { SshHostRequest } from '../../api/contract/ssh.js'
import type { Database } from '../../db/index.js'
import type { BackupKind, FoundBackup, ImageStoreSettings } from './types.js'

export const LOCAL_HOST_LABEL = 'localhost'

/** How to reach a host again for a fetch: what the user gave (never a secret) and the zstcli settings used. */
export interface HostSpec {
  target: SshHostRequest | null
  imageStore: ImageStoreSettings
}

/** A place a scan looked at: all image-store backups of a host, or dump files in some folders. */
export interface ScanScope {
  kind: BackupKind
  dirs?: readonly string[]
}

export interface CatalogHostRow {
  id: number
  label: string
  spec: HostSpec
  hostKeyFingerprint: string | null
}

interface BackupRow {
  id: number
  host_label: string
  kind: BackupKind
  location: string
  name: string
  zstack_version: string | null
  created_at: string | null
  size: number | null
  first_seen_at: string
  last_seen_at: string
  missing_since: string | null
  f_id: number | null
  local_path: string | null
  sha256: string | null
  f_size: number | null
  uncompressed_size: number | null
  fetched_at: string | null
}

/**
 * The offline catalog (migration 4): hosts, backups seen on them, local copies. The only place
 * with SQL for these tables. Holds addresses, fingerprints and checksums; never a secret.
 */
export class BackupCatalog {
  constructor(private readonly db: Database) {}

  upsertHost(label: string, spec: HostSpec, hostKeyFingerprint: string | null): number {
    const [host, port, user] = splitLabel(label)
    const row = this.db
      .prepare(
        `INSERT INTO recovery_hosts (label, host, port, user, spec, host_key_fingerprint)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(label) DO UPDATE SET spec = excluded.spec,
           host_key_fingerprint = COALESCE(excluded.host_key_fingerprint, host_key_fingerprint)
         RETURNING id`,
      )
      .get(label, host, port, user, JSON.stringify(spec), hostKeyFingerprint) as { id: number }
    return row.id
  }

  hostOfBackup(backupId: number): CatalogHostRow | null {
    const row = this.db
      .prepare(
        `SELECT h.id, h.label, h.spec, h.host_key_fingerprint FROM recovery_hosts h
         JOIN recovery_backups b ON b.host_id = h.id WHERE b.id = ?`,
      )
      .get(backupId) as
      | { id: number; label: string; spec: string; host_key_fingerprint: string | null }
      | undefined
    return row
      ? {
          id: row.id,
          label: row.label,
          spec: JSON.parse(row.spec) as HostSpec,
          hostKeyFingerprint: row.host_key_fingerprint,
        }
      : null
  }

  /**
   * Records what one look at a host found. Backups in the places looked at (a kind, and for dump
   * files the folders) that are no longer there are marked missing; they are kept, since the
   * catalog remembers where a backup used to be. Places not looked at this time are left alone.
   */
  recordScan(hostId: number, looked: readonly ScanScope[], found: readonly FoundBackup[], at = now()): void {
    const upsert = this.db.prepare(
      `INSERT INTO recovery_backups (host_id, kind, location, name, zstack_version, created_at, size, first_seen_at, last_seen_at)
       VALUES (@hostId, @kind, @location, @name, @zstackVersion, @createdAt, @size, @at, @at)
       ON CONFLICT(host_id, kind, location) DO UPDATE SET name = excluded.name,
         zstack_version = excluded.zstack_version, created_at = excluded.created_at, size = excluded.size,
         last_seen_at = excluded.last_seen_at, missing_since = NULL`,
    )
    const markMissing = this.db.prepare(
      `UPDATE recovery_backups SET missing_since = COALESCE(missing_since, @at)
       WHERE host_id = @hostId AND kind = @kind AND last_seen_at < @at
         AND (@dir IS NULL OR substr(location, 1, length(@dir)) = @dir)`,
    )
    this.db.transaction(() => {
      for (const b of found) upsert.run({ hostId, at, ...b })
      for (const scope of looked) {
        const dirs = scope.dirs?.map((d) => `${d.replace(/\/+$/, '')}/`) ?? [null]
        for (const dir of dirs) markMissing.run({ at, hostId, kind: scope.kind, dir })
      }
      this.db
        .prepare('UPDATE recovery_hosts SET last_scanned_at = ?, last_error_code = NULL WHERE id = ?')
        .run(at, hostId)
    })()
  }

  recordHostError(hostId: number, code: string): void {
    this.db.prepare('UPDATE recovery_hosts SET last_error_code = ? WHERE id = ?').run(code, hostId)
  }

  list(filter: { hostLabel?: string | undefined; includeMissing?: boolean } = {}): CatalogBackup[] {
    const rows = this.db
      .prepare(
        `SELECT b.*, h.label AS host_label, f.id AS f_id, f.local_path, f.sha256, f.size AS f_size,
                f.uncompressed_size, f.fetched_at
         FROM recovery_backups b JOIN recovery_hosts h ON h.id = b.host_id
         LEFT JOIN recovery_fetches f ON f.id = (SELECT MAX(id) FROM recovery_fetches WHERE backup_id = b.id)
         WHERE (@label IS NULL OR h.label = @label) AND (@missing = 1 OR b.missing_since IS NULL)
         ORDER BY b.created_at DESC, b.id DESC`,
      )
      .all({
        label: filter.hostLabel ?? null,
        missing: filter.includeMissing === false ? 0 : 1,
      }) as BackupRow[]
    return rows.map(toBackup)
  }

  get(backupId: number): CatalogBackup | null {
    return this.list().find((b) => b.id === backupId) ?? null
  }

  recordFetch(backupId: number, copy: Omit<FetchedCopy, 'id' | 'fetchedAt'>, at = now()): FetchedCopy {
    const { id } = this.db
      .prepare(
        `INSERT INTO recovery_fetches (backup_id, local_path, sha256, size, uncompressed_size, fetched_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .get(backupId, copy.localPath, copy.sha256, copy.size, copy.uncompressedSize, at) as { id: number }
    return { id, fetchedAt: at, ...copy }
  }
}

function toBackup(r: BackupRow): CatalogBackup {
  return {
    id: r.id,
    hostLabel: r.host_label,
    kind: r.kind,
    location: r.location,
    name: r.name,
    zstackVersion: r.zstack_version,
    createdAt: r.created_at,
    size: r.size,
    firstSeenAt: r.first_seen_at,
    lastSeenAt: r.last_seen_at,
    missingSince: r.missing_since,
    fetched:
      r.f_id === null
        ? null
        : {
            id: r.f_id,
            localPath: r.local_path ?? '',
            sha256: r.sha256 ?? '',
            size: r.f_size ?? 0,
            uncompressedSize: r.uncompressed_size ?? 0,
            fetchedAt: r.fetched_at ?? '',
          },
  }
}

function splitLabel(label: string): [string, number | null, string | null] {
  const m = /^(.*)@(.*):(\d+)$/.exec(label)
  return m ? [m[2] ?? label, Number(m[3]), m[1] ?? null] : [label, null, null]
}

function now(): string {
  return new Date().toISOString()
}
