import { z } from 'zod'
import type { ErrorEnvelope } from '../../errors/app-error.js'
import { defineCall, defineEvent } from './define.js'
import { sshHostSchema, sshSessionFields } from './ssh.js'

export interface FetchedCopy {
  id: number
  localPath: string
  sha256: string
  size: number
  uncompressedSize: number
  fetchedAt: string
}

/** A management-database backup in the offline catalog: where and when it was seen, and any local copy. */
export interface CatalogBackup {
  id: number
  /** `user@host:port`, or `localhost` for files on this machine. */
  hostLabel: string
  kind: 'image-store' | 'dump-file'
  /** `zstore://zsbak/<id>` or the file path on that host. */
  location: string
  name: string
  zstackVersion: string | null
  createdAt: string | null
  size: number | null
  firstSeenAt: string
  lastSeenAt: string
  /** Set when a later scan of the same place no longer found it. */
  missingSince: string | null
  fetched: FetchedCopy | null
}

export interface HostScanResult {
  label: string
  hostKeyFingerprint: string | null
  /** Backups seen on this host in this scan. */
  found: number
  /** What could not be looked at (zstore down, connection refused, ...); the rest of the scan went on. */
  problems: ErrorEnvelope[]
}

export interface ScanFinished {
  opId: string
  hosts: HostScanResult[]
}

export interface FetchFinished {
  opId: string
  backupId: number
  copy: FetchedCopy
}

/** zstcli and its CA on the image-store host, default ZStack's paths; registry port default 8000. */
const imageStoreSettings = z
  .object({
    zstcli: z.string().min(1).max(4096).optional(),
    rootCa: z.string().min(1).max(4096).optional(),
    registryPort: z.number().int().min(1).max(65535).optional(),
  })
  .strict()

const absolutePath = z.string().min(1).max(4096)

export const dbBackupCalls = {
  /** Looks for backups on hosts (image store and/or dump folders) and local folders; result in `db.scanned` and the catalog. */
  'db.scan': defineCall<{ opId: string }>()(() =>
    z
      .object({
        hosts: z
          .array(
            z
              .object({
                target: sshHostSchema,
                imageStore: z.boolean().default(true),
                dumpFiles: z.boolean().default(true),
              })
              .strict(),
          )
          .max(200)
          .default([]),
        localDirs: z.array(absolutePath).max(100).default([]),
        imageStore: imageStoreSettings.default({}),
        /** Dump folders on the hosts (default zstack-ctl's two). */
        dumpDirs: z.array(absolutePath).max(20).optional(),
        ...sshSessionFields,
      })
      .strict(),
  ),
  /** The offline catalog: no network. */
  'db.catalog': defineCall<CatalogBackup[]>()(() =>
    z
      .object({ hostLabel: z.string().max(600).optional(), includeMissing: z.boolean().default(true) })
      .strict(),
  ),
  /** Copies a catalogued backup to this machine and verifies it; result in `db.fetched` and the catalog. */
  'db.fetch': defineCall<{ opId: string }>()(() =>
    z
      .object({
        backupId: z.number().int().positive(),
        /** Folder for the copy (default: `backups/` in the app's data folder). */
        destDir: absolutePath.optional(),
        /** Drop a partial copy and start over instead of resuming. */
        restart: z.boolean().default(false),
        ...sshSessionFields,
      })
      .strict(),
  ),
}

export const dbBackupEvents = {
  'db.scanned': defineEvent<ScanFinished>(),
  'db.fetched': defineEvent<FetchFinished>(),
}
