import { type FileHandle, open } from 'node:fs/promises'
import type { SFTPWrapper } from 'ssh2'
import { PRIVATE_FILE_MODE } from '../../util/private-files.js'

export interface DownloadOptions {
  /** Requests in flight at once; with `chunkSize` this sets the memory used (128 × 128 KiB = 16 MiB). */
  concurrency?: number
  chunkSize?: number
  signal?: AbortSignal
  /** Called with bytes present locally (including a resumed prefix) and the remote size. */
  onProgress?: (done: number, total: number) => void
}

/** Measured on loopback (see tests/bench/fetch.ts): these keep pace with OpenSSH's sftp. */
export const DEFAULT_CONCURRENCY = 128
export const DEFAULT_CHUNK_SIZE = 128 * 1024

/**
 * Copies a remote file over SFTP with many reads in flight (what makes SFTP fast on real
 * links), writing each chunk at its offset. Resumable: an existing local file is taken as the
 * already-copied prefix. On any failure or cancel the local file is cut back to the last byte
 * before which everything was written, so the next attempt can continue from there.
 */
export async function downloadFile(
  sftp: SFTPWrapper,
  remotePath: string,
  localPath: string,
  options: DownloadOptions = {},
): Promise<{ size: number; resumedFrom: number }> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  const handle = await call<Buffer>((cb) => sftp.open(remotePath, 'r', cb))
  let local: FileHandle | null = null
  try {
    const { size } = await call<{ size: number }>((cb) => sftp.fstat(handle, cb))
    // Not 'a': with O_APPEND, Linux ignores the offsets of positional writes.
    const file = await open(localPath, 'r+').catch((e: NodeJS.ErrnoException) =>
      e.code === 'ENOENT' ? open(localPath, 'w+', PRIVATE_FILE_MODE) : Promise.reject(e),
    )
    local = file
    let start = (await file.stat()).size
    if (start > size) {
      await file.truncate(0)
      start = 0
    }
    const tracker = new ContiguousTracker(start)
    let next = start
    let failure: unknown = null
    const worker = async (): Promise<void> => {
      const buf = Buffer.allocUnsafe(chunkSize)
      while (failure === null && next < size) {
        if (options.signal?.aborted) throw options.signal.reason
        const offset = next
        const length = Math.min(chunkSize, size - offset)
        next += length
        await readFully(sftp, handle, buf, length, offset)
        await file.write(buf, 0, length, offset)
        tracker.complete(offset, length)
        options.onProgress?.(tracker.contiguous, size)
      }
    }
    options.onProgress?.(start, size)
    const workers = Array.from(
      { length: Math.max(1, Math.min(concurrency, Math.ceil((size - start) / chunkSize))) },
      () =>
        worker().catch((e: unknown) => {
          failure ??= e
        }),
    )
    await Promise.all(workers)
    if (failure !== null) {
      await file.truncate(tracker.contiguous)
      throw failure
    }
    return { size, resumedFrom: start }
  } finally {
    await local?.close()
    sftp.close(handle, () => {})
  }
}

/** Reads exactly `length` bytes at `offset` (servers may answer a read with fewer bytes). */
async function readFully(
  sftp: SFTPWrapper,
  handle: Buffer,
  buf: Buffer,
  length: number,
  offset: number,
): Promise<void> {
  let got = 0
  while (got < length) {
    const n = await call<number>((cb) =>
      sftp.read(handle, buf, got, length - got, offset + got, (err, bytes) => cb(err, bytes)),
    )
    if (n === 0) throw new Error('remote file ended early')
    got += n
  }
}

/** Tracks completed chunks so that `contiguous` is the length of the prefix written without holes. */
class ContiguousTracker {
  private readonly pending = new Map<number, number>()

  constructor(public contiguous: number) {}

  complete(offset: number, length: number): void {
    this.pending.set(offset, length)
    let len = this.pending.get(this.contiguous)
    while (len !== undefined) {
      this.pending.delete(this.contiguous)
      this.contiguous += len
      len = this.pending.get(this.contiguous)
    }
  }
}

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))))
}
