/** Where a database backup lives: an image on an image store, or a `zstack-ctl dump_mysql` file. */
export type BackupKind = 'image-store' | 'dump-file'

/** One backup as a scan finds it (before it enters the catalog). */
export interface FoundBackup {
  kind: BackupKind
  /** `zstore://zsbak/<imageId>` for image-store backups; the absolute file path for dump files. */
  location: string
  name: string
  zstackVersion: string | null
  /** As the source gives it: host-local time without a zone (`2026-11-27T20:30:00`), or ISO UTC from a file's mtime. */
  createdAt: string | null
  size: number | null
}

/** How to reach zstore on an image-store host; defaults are ZStack's own paths. */
export interface ImageStoreSettings {
  zstcli: string
  rootCa: string
  registryPort: number
}

export const DEFAULT_IMAGE_STORE: ImageStoreSettings = {
  zstcli: '/usr/local/zstack/imagestore/bin/zstcli',
  rootCa: '/var/lib/zstack/imagestorebackupstorage/package/certs/ca.pem',
  registryPort: 8000,
}

/** Where `zstack-ctl dump_mysql` writes, and where `--host-info` copies land on another host. */
export const DEFAULT_DUMP_DIRS = ['/var/lib/zstack/mysql-backup', '/var/lib/zstack/from-zstack-remote-backup']

/** The command zstack-ctl's image store runs as its server (spec digest), offered when zstore is down. */
export const ZSTORE_START_COMMAND =
  '/usr/local/zstack/imagestore/bin/zstore -conf /usr/local/zstack/imagestore/bin/zstore.yaml'

/** Quotes a value for a POSIX shell command line on the host. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`
}
