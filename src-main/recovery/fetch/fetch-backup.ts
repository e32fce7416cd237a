import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { CatalogBackup, FetchedCopy } from '../../api/contract/db-backups.js'
import type { OperationControl } from '../../api/operations.js'
import { AppError, isAppError } from '../../errors/app-error.js'
import type { Logger } from '../../log/logger.js'
import type { SshConnector, SshSessionOptions } from '../../ssh/connector.js'
import type { SshHost } from '../../ssh/ssh-host.js'
import { PRIVATE_DIR_MODE } from '../../util/private-files.js'
import { verifyBackupFile } from '../integrity.js'
import { type BackupCatalog, type CatalogHostRow, LOCAL_HOST_LABEL } from '../scan/catalog.js'
import { pullImageBackup, type RemoteSource, remoteFileExists, removeRemoteTemp } from './remote-source.js'
import { type DownloadOptions, downloadFile } from './sftp-download.js'

export interface FetchDeps {
  connector: SshConnector
  catalog: BackupCatalog
  dataDir: string
  log: Logger
  /** Tuning and retry pacing (tests, benchmark). */
  download?: Pick<DownloadOptions, 'requestsPerChannel' | 'chunkSize' | 'maxChannels'>
  retryDelayMs?: number
}

export interface FetchPlan {
  backupId: number
  destDir?: string | undefined
  restart: boolean
  session: SshSessionOptions
}

/** Attempts in a row that may fail without any progress before the fetch gives up. */
const MAX_IDLE_ATTEMPTS = 5

/**
 * Brings a catalogued backup to this machine: (for image-store backups) has zstcli export it on
 * the host, copies it over SFTP into `<name>.part` (resuming after dropped connections), checks it
 * end to end (SHA-256 + full gzip pass), then renames it into place and records it. Temporary
 * files on the host are removed whatever happens.
 */
export async function fetchBackup(
  deps: FetchDeps,
  plan: FetchPlan,
  op: OperationControl,
): Promise<FetchedCopy> {
  const backup = deps.catalog.get(plan.backupId)
  const host = deps.catalog.hostOfBackup(plan.backupId)
  if (!backup || !host) throw unknownBackup(plan.backupId)

  if (host.label === LOCAL_HOST_LABEL) return verifyAndRecord(deps, backup, backup.location, op)

  const destDir = plan.destDir ?? join(deps.dataDir, 'backups', safeName(host.label))
  await mkdir(destDir, { recursive: true, mode: PRIVATE_DIR_MODE })
  // Image names need not be unique on a store; the image id is.
  const id = backup.kind === 'image-store' ? `${backup.location.split('/').pop()?.slice(0, 12)}-` : ''
  const dest = join(destDir, safeName(`${id}${backup.name}`))
  const part = `${dest}.part`
  if (plan.restart) await rm(part, { force: true })

  await copyWithRetries(deps, plan, backup, host, part, `${dest}.imf2`, op)
  try {
    return await verifyAndRecord(deps, backup, part, op, dest)
  } catch (e) {
    // A copy that failed the check must not be resumed from: its bytes are wrong.
    if (isAppError(e) && e.code === 'backup.integrity_failed') await rm(part, { force: true })
    throw e
  }
}

async function copyWithRetries(
  deps: FetchDeps,
  plan: FetchPlan,
  backup: CatalogBackup,
  hostRow: CatalogHostRow,
  part: string,
  metadataDest: string,
  op: OperationControl,
): Promise<void> {
  if (!hostRow.spec.target) throw unknownBackup(plan.backupId)
  const target = hostRow.spec.target
  const tempDirs = new Set<string>()
  let source: RemoteSource | null = null
  let idle = 0
  let lastDone = -1
  let host: SshHost | null = null
  const progress = new ProgressThrottle()
  try {
    for (;;) {
      try {
        host = await deps.connector.connect(target, plan.session, op.signal)
        await cleanup(host, tempDirs, source?.tempDir ?? null)
        if (!source || !(await remoteFileExists(host, source.path))) {
          source = await locate(host, hostRow, backup, op.signal)
          if (source.tempDir) tempDirs.add(source.tempDir)
        }
        if (source.metadataPath)
          await downloadFile(host, source.metadataPath, metadataDest, { signal: op.signal })
        const copied = await downloadFile(host, source.path, part, {
          ...deps.download,
          signal: op.signal,
          onProgress: (done, total) => {
            if (done > lastDone) idle = 0
            lastDone = done
            if (progress.due(done, total)) op.progress({ phase: 'download', done, total, unit: 'bytes' })
          },
        })
        deps.log.info(
          {
            host: hostRow.label,
            bytes: copied.size,
            resumedFrom: copied.resumedFrom,
            channels: copied.channels,
            rttMs: Math.round(copied.rttMs * 10) / 10,
          },
          'fetch copied',
        )
        return
      } catch (e) {
        if (op.signal.aborted || !retriable(e, host) || ++idle >= MAX_IDLE_ATTEMPTS)
          throw asFetchError(e, hostRow.label)
        deps.log.warn(
          {
            host: hostRow.label,
            attempt: idle,
            code: isAppError(e) ? e.code : 'io',
            resumeFrom: Math.max(0, lastDone),
          },
          'fetch interrupted; resuming',
        )
        await host?.close()
        await sleep((deps.retryDelayMs ?? 1000) * 2 ** (idle - 1), op.signal)
      }
    }
  } finally {
    if (host && !host.closed) {
      // Free the channel first: on a host that allows one, the clean-up's command needs it.
      await host.closeSftp()
      await cleanup(host, tempDirs, null)
      await host.close()
    }
  }
}

async function locate(
  host: SshHost,
  hostRow: CatalogHostRow,
  backup: CatalogBackup,
  signal: AbortSignal,
): Promise<RemoteSource> {
  if (backup.kind === 'image-store')
    return pullImageBackup(host, hostRow.spec.imageStore, backup.location, signal)
  if (!(await remoteFileExists(host, backup.location))) {
    throw new AppError(
      'fetch.backup_gone',
      {
        en: `${backup.location} is no longer on ${host.label}. Scan the host again.`,
        zh: `${host.label} 上已没有 ${backup.location}。请重新扫描该主机。`,
      },
      { host: host.label, location: backup.location },
    )
  }
  return { path: backup.location, metadataPath: null, tempDir: null }
}

/** Removes our temp folders on the host, except the one still being copied from. */
async function cleanup(host: SshHost, tempDirs: Set<string>, keep: string | null): Promise<void> {
  for (const dir of [...tempDirs]) {
    if (dir === keep) continue
    if (await removeRemoteTemp(host, dir)) tempDirs.delete(dir)
  }
}

async function verifyAndRecord(
  deps: FetchDeps,
  backup: CatalogBackup,
  file: string,
  op: OperationControl,
  finalPath = file,
): Promise<FetchedCopy> {
  op.progress({ phase: 'verify', done: 0, total: 1, unit: 'steps' })
  const check = await verifyBackupFile(file, op.signal)
  if (backup.size !== null && check.size !== backup.size) {
    throw new AppError(
      'backup.integrity_failed',
      {
        en: `The copy of ${backup.name} has ${check.size} bytes, but the scan saw ${backup.size}: the source changed since. Scan the host again, then fetch.`,
        zh: `${backup.name} 的副本为 ${check.size} 字节，而扫描时为 ${backup.size} 字节：源文件已变化。请重新扫描该主机后再获取。`,
      },
      { problem: 'size_mismatch', expected: backup.size, actual: check.size },
    )
  }
  if (finalPath !== file) await rename(file, finalPath)
  op.progress({ phase: 'verify', done: 1, total: 1, unit: 'steps' })
  return deps.catalog.recordFetch(backup.id, {
    localPath: finalPath,
    sha256: check.sha256,
    size: check.size,
    uncompressedSize: check.uncompressedSize,
  })
}

/**
 * Chunks complete thousands of times per GiB; the UI needs a few updates a second. Reports the
 * first and last value, then whenever 0.5% more is done or 250 ms have passed.
 */
class ProgressThrottle {
  private lastAt = 0
  private lastDone = -1

  due(done: number, total: number): boolean {
    const now = Date.now()
    const due =
      this.lastDone < 0 || done >= total || done - this.lastDone >= total / 200 || now - this.lastAt >= 250
    if (due) {
      this.lastAt = now
      this.lastDone = done
    }
    return due
  }
}

/** A dropped link (or a server that went away) is worth another try; refusals are not. */
function retriable(e: unknown, host: SshHost | null): boolean {
  if (host?.closed) return true
  if (!isAppError(e)) return false
  return [
    'ssh.connection_lost',
    'ssh.connection_failed',
    'ssh.timeout',
    'ssh.connection_refused',
    // A new connection starts with no channel in use.
    'ssh.channel_refused',
  ].includes(e.code)
}

function asFetchError(e: unknown, label: string): unknown {
  if (isAppError(e) || (e instanceof Error && e.name === 'AbortError')) return e
  return new AppError(
    'fetch.transfer_failed',
    {
      en: `Copying the backup from ${label} failed. Run the fetch again to continue where it stopped.`,
      zh: `从 ${label} 复制备份失败。再次获取会从中断处继续。`,
    },
    { host: label, reason: (e as { code?: string | number })?.code ?? 'io' },
  )
}

function unknownBackup(id: number): AppError {
  return new AppError(
    'fetch.unknown_backup',
    {
      en: `There is no backup #${id} in the catalog. Scan first.`,
      zh: `目录中没有编号为 ${id} 的备份。请先扫描。`,
    },
    { backupId: id },
  )
}

/** A file or folder name from a label or backup name: no separators, nothing hidden. */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._@-]+/g, '_').replace(/^\.+/, '_') || 'backup'
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}
