import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { AppError } from '../errors/app-error.js'

export interface BackupFileCheck {
  /** Hex SHA-256 of the file as stored (the compressed bytes). */
  sha256: string
  size: number
  /** Bytes of SQL inside: proves the whole stream decompressed, CRC and length checked. */
  uncompressedSize: number
}

/** What else may see the bytes of the one read (so a caller need not read the file twice). */
export interface BackupReaders {
  /** Each decompressed chunk of SQL, in order; an error thrown here ends the read and is rethrown as is. */
  onSql?: (chunk: Buffer) => void
  /** Compressed bytes read so far, and the file's size. */
  onBytes?: (done: number, total: number) => void
}

/**
 * Reads a `.gz` backup once, end to end: SHA-256 of the file and a full gzip decompression (every
 * member's CRC-32 and length are checked by zlib). A backup is only "good" after this passes;
 * a truncated copy or a flipped bit fails here, before anyone restores from it.
 */
export async function verifyBackupFile(
  path: string,
  signal?: AbortSignal,
  readers: BackupReaders = {},
): Promise<BackupFileCheck> {
  let total = 0
  try {
    total = (await stat(path)).size
  } catch {
    throw new AppError(
      'backup.unreadable',
      {
        en: `The backup file ${path} does not exist or cannot be read.`,
        zh: `备份文件 ${path} 不存在或无法读取。`,
      },
      { path },
    )
  }
  const hash = createHash('sha256')
  let size = 0
  let uncompressedSize = 0
  let readerError: unknown = null
  try {
    await pipeline(
      createReadStream(path, { highWaterMark: 1 << 20 }),
      async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          hash.update(chunk)
          size += chunk.length
          readers.onBytes?.(size, total)
          yield chunk
        }
      },
      createGunzip({ chunkSize: 1 << 20 }),
      async (sql: AsyncIterable<Buffer>) => {
        for await (const chunk of sql) {
          uncompressedSize += chunk.length
          try {
            readers.onSql?.(chunk)
          } catch (e) {
            readerError = e
            throw e
          }
        }
      },
      { signal },
    )
  } catch (e) {
    if (signal?.aborted) throw signal.reason ?? e
    if (readerError !== null) throw readerError
    throw integrityError(path, e)
  }
  if (size === 0) throw integrityError(path, { code: 'Z_BUF_ERROR' })
  return { sha256: hash.digest('hex'), size, uncompressedSize }
}

function integrityError(path: string, e: unknown): AppError {
  const code = (e as { code?: string })?.code
  const truncated = code === 'Z_BUF_ERROR' || /unexpected end/i.test((e as Error)?.message ?? '')
  const notGzip = /incorrect header check/i.test((e as Error)?.message ?? '')
  const problem = truncated ? 'truncated' : notGzip ? 'not_gzip' : 'corrupt'
  const en = {
    truncated: 'is truncated (the gzip stream ends early): the copy is incomplete',
    not_gzip: 'is not a gzip file',
    corrupt: 'is corrupt (gzip data or checksum error)',
  }[problem]
  const zh = {
    truncated: '不完整（gzip 数据提前结束）：拷贝未完成',
    not_gzip: '不是 gzip 文件',
    corrupt: '已损坏（gzip 数据或校验和错误）',
  }[problem]
  return new AppError(
    'backup.integrity_failed',
    {
      en: `The backup file ${path} ${en}. Do not restore from it; fetch it again.`,
      zh: `备份文件 ${path} ${zh}。请勿用其恢复，请重新获取。`,
    },
    { path, problem },
  )
}
