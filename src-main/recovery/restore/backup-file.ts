import { AppError } from '../../errors/app-error.js'
import { verifyBackupFile } from '../integrity.js'
import { DumpScanner, type DumpSummary, type StatementObserver } from './dump-scanner.js'

export interface BackupInspection {
  sha256: string
  size: number
  summary: DumpSummary
}

/**
 * Proves a zstack-ctl backup good before anything is dropped, in one read of the file: the shared
 * integrity check (SHA-256 and a full gzip pass, so a truncated or corrupted file fails here) with a
 * scan of its content (databases, tables, rows per table, Flyway version) that the plan shows and the
 * verification compares against. `onBytes` reports compressed bytes read, for progress.
 */
export async function inspectBackup(
  file: string,
  options: {
    signal?: AbortSignal
    onBytes?: (done: number, total: number) => void
    /** See every accepted statement in the same pass (drift detection). */
    observers?: readonly StatementObserver[]
  } = {},
): Promise<BackupInspection> {
  const scanner = new DumpScanner({ definerHost: 'localhost', observers: options.observers ?? [] })
  const check = await verifyBackupFile(file, options.signal, {
    onSql: (chunk) => scanner.push(chunk),
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  })
  scanner.end()
  const summary = scanner.summary()
  if (!summary.databases.zstack) {
    throw new AppError(
      'restore.backup_not_zstack',
      {
        en: `${file} is readable but holds no "zstack" database: it is not a zstack-ctl management-database backup.`,
        zh: `${file} 可以读取，但其中没有 “zstack” 数据库：它不是 zstack-ctl 生成的管理数据库备份。`,
      },
      { file },
    )
  }
  return { sha256: check.sha256, size: check.size, summary }
}
