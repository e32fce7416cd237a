import { createHash } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { AppError } from '../../errors/app-error.js'
import { DumpScanner, type DumpSummary } from './dump-scanner.js'

export interface BackupInspection {
  sha256: string
  size: number
  summary: DumpSummary
}

/**
 * Reads a zstack-ctl backup once: checksum of the file, full gunzip (a truncated or corrupted file
 * fails here, before anything is dropped) and a scan of its content (databases, tables, row counts,
 * Flyway version). `onBytes` reports compressed bytes read, for progress.
 */
export async function inspectBackup(
  file: string,
  options: { signal?: AbortSignal; onBytes?: (done: number, total: number) => void } = {},
): Promise<BackupInspection> {
  const size = statSync(file).size
  const hash = createHash('sha256')
  const scanner = new DumpScanner('localhost')
  let read = 0
  const input = createReadStream(file, {
    highWaterMark: 1 << 20,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  input.on('data', (c) => {
    hash.update(c as Buffer)
    read += c.length
    options.onBytes?.(read, size)
  })
  try {
    for await (const chunk of input.pipe(createGunzip())) scanner.push(chunk as Buffer)
    scanner.end()
  } catch (e) {
    if (options.signal?.aborted) throw options.signal.reason
    throw corruptBackup(file, e)
  }
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
  return { sha256: hash.digest('hex'), size, summary }
}

export function corruptBackup(file: string, cause: unknown): AppError {
  const reason = cause instanceof Error ? cause.message : String(cause)
  return new AppError(
    'restore.backup_corrupt',
    {
      en: `The backup ${file} failed its integrity check (${reason}). Nothing was changed.`,
      zh: `备份 ${file} 未通过完整性检查（${reason}）。未做任何更改。`,
    },
    { file },
    { cause },
  )
}
