import { type FileHandle, open } from 'node:fs/promises'
import type { SFTPWrapper } from 'ssh2'
import { PRIVATE_FILE_MODE } from '../../util/private-files.js'
import {
  ChannelGrowth,
  channelsFor,
  FASTEST_LINK_BYTES_PER_MS,
  SSH_CHANNEL_WINDOW,
} from './channel-growth.js'
import { ChunkWriter } from './chunk-writer.js'

/** Where SFTP channels come from: the connection's shared one, and more on the same connection. */
export interface SftpChannels {
  sftp(): Promise<SFTPWrapper>
  /** A new SFTP channel on the same connection; the caller ends it. */
  openSftp(): Promise<SFTPWrapper>
}

export interface DownloadOptions {
  /** Reads in flight per channel; with `chunkSize` and the channels this sets the memory used. */
  requestsPerChannel?: number
  chunkSize?: number
  /** Upper bound on parallel SFTP channels (1 = never more than the shared one). */
  maxChannels?: number
  signal?: AbortSignal
  /** Called with bytes present locally (including a resumed prefix) and the remote size. */
  onProgress?: (done: number, total: number) => void
}

export interface DownloadResult {
  size: number
  resumedFrom: number
  /** Channels that ended up reading, and the round trip they were chosen from. */
  channels: number
  rttMs: number
}

/**
 * The largest read every OpenSSH sftp-server answers whole (ssh2 asks for at most 254 KiB from
 * OpenSSH, and splits bigger reads itself; servers of other kinds get smaller reads the same way).
 * Against 128 KiB it halved the requests and answers handled per byte: on loopback, with two
 * channels, 0.83 s against 1.02 s for 256 MiB (medians of 5, load 3–4).
 */
export const DEFAULT_CHUNK_SIZE = 252 * 1024
/** Two windows' worth of reads per channel: the server has the next window's data ready when it opens. */
export const DEFAULT_REQUESTS_PER_CHANNEL = Math.ceil((2 * SSH_CHANNEL_WINDOW) / DEFAULT_CHUNK_SIZE)
/**
 * OpenSSH's default `MaxSessions` is 10 channels per connection; 8 leaves room for the shared
 * SFTP channel's neighbours (commands the fetch runs). 8 windows = 160 MiB/s at 100 ms.
 */
export const DEFAULT_MAX_CHANNELS = 8
/** Files smaller than this (8 windows) are copied before more channels could help. */
const BIG_FILE_BYTES = 8 * SSH_CHANNEL_WINDOW
/**
 * Bigger files start with two channels, whatever the link: each channel has its own sftp-server
 * process on the host, which answers one read at a time, so a second one reads while the first
 * sends. On loopback (256 MiB, medians of 5, load 3–4.5): one channel 0.98–1.82 s and erratic
 * (0.73–2.72 s a round), two 0.83–1.13 s, three no better, against OpenSSH sftp 0.76–1.13 s.
 */
const FIRST_CHANNELS = 2

/**
 * Copies a remote file over SFTP with many reads in flight. On long links it opens more SFTP
 * channels on the same connection as measurements show the channel windows (not the link) are
 * the limit (see `ChannelGrowth`); every channel takes the next chunk from one shared cursor, so
 * chunks complete nearly in order and those held until the gap before them is filled stay within
 * what is in flight. The file is written front to back in runs (`ChunkWriter`).
 * Resumable: an existing local file is taken as the already-copied prefix. On any failure or
 * cancel the local file is cut back to the last byte before which everything was written, so
 * the next attempt can continue from there.
 */
export async function downloadFile(
  channels: SftpChannels,
  remotePath: string,
  localPath: string,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  const requests = options.requestsPerChannel ?? DEFAULT_REQUESTS_PER_CHANNEL
  const maxChannels = options.maxChannels ?? DEFAULT_MAX_CHANNELS
  const first = await channels.sftp()
  // Both in one round trip; each is timed, and the shorter is the round trip the channels are
  // chosen from (the server's own work only makes them longer).
  const [opened, stat] = await Promise.allSettled([
    timed(call<Buffer>((cb) => first.open(remotePath, 'r', cb))),
    timed(call<{ size: number }>((cb) => first.stat(remotePath, cb))),
  ])
  if (opened.status === 'rejected') throw opened.reason
  const handle = opened.value.value
  let local: FileHandle | null = null
  const extra: OpenedChannel[] = []
  const spares: Promise<OpenedChannel | null>[] = []
  try {
    if (stat.status === 'rejected') throw stat.reason
    const size = stat.value.value.size
    const rttMs = Math.max(Math.min(opened.value.ms, stat.value.ms), 0.05)
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
    const big = size - start >= BIG_FILE_BYTES
    const growth = new ChannelGrowth(rttMs, maxChannels, big ? Math.min(FIRST_CHANNELS, maxChannels) : 1)
    // Opening a channel takes 4 round trips: on a long link the channels a fast link would need
    // are opened while the first burst is measured, so those it asks for start at once.
    if (big)
      for (let i = 1; i < Math.min(maxChannels, channelsFor(FASTEST_LINK_BYTES_PER_MS, rttMs)); i++)
        spares.push(openChannel(channels, remotePath).catch(() => null))
    const writer = new ChunkWriter(file, size, start, chunkSize, (written) =>
      options.onProgress?.(written, size),
    )
    let next = start
    let received = 0
    let failure: unknown = null
    const readers: Promise<void>[] = []

    const worker = async (sftp: SFTPWrapper, h: Buffer): Promise<void> => {
      while (failure === null && next < size) {
        if (options.signal?.aborted) throw options.signal.reason
        const offset = next
        const length = Math.min(chunkSize, size - offset)
        next += length
        const buf = writer.take()
        const asked = performance.now()
        await readFully(sftp, h, buf, length, offset)
        // The first read is answered first (the server takes them in order): a round trip and one
        // chunk, before the burst is measured.
        if (offset === start) growth.roundTrip(performance.now() - asked)
        received += length
        await writer.put(offset, buf, length)
        const add = growth.observe(received, performance.now())
        for (let i = 0; i < add; i++) readers.push(addChannel())
      }
    }
    const startReading = (sftp: SFTPWrapper, h: Buffer): Promise<void> =>
      Promise.all(
        Array.from({ length: Math.max(1, Math.min(requests, Math.ceil((size - next) / chunkSize))) }, () =>
          worker(sftp, h).catch((e: unknown) => {
            failure ??= e
          }),
        ),
      ).then(() => {})
    // A channel that cannot be opened (the server's session limit) ends the growth, not the copy.
    const addChannel = async (): Promise<void> => {
      const opened = await (spares.shift() ?? openChannel(channels, remotePath).catch(() => null))
      if (!opened) return growth.failed()
      extra.push(opened)
      growth.started(received, performance.now())
      // Opening a channel and its file takes 4 round trips: once a doubling has begun, the next
      // one's channels are opened while the sample runs, so they start at once if asked for.
      for (let i = spares.length; i < growth.nextBatch(); i++)
        spares.push(openChannel(channels, remotePath).catch(() => null))
      await startReading(opened.sftp, opened.handle)
    }

    options.onProgress?.(start, size)
    growth.started(0, performance.now())
    readers.push(startReading(first, handle))
    for (let i = 1; i < growth.channels; i++) readers.push(addChannel())
    // Readers added while waiting are awaited too (the array grows under the loop).
    for (let i = 0; i < readers.length; i++) await readers[i]
    await writer.finish().catch((e: unknown) => {
      failure ??= e
    })
    if (failure !== null) {
      await file.truncate(writer.written)
      throw failure
    }
    return { size, resumedFrom: start, channels: growth.channels, rttMs: growth.roundTripMs }
  } finally {
    await local?.close()
    first.close(handle, () => {})
    for (const c of extra) c.sftp.end()
    for (const s of spares) void s.then((c) => c?.sftp.end())
  }
}

interface OpenedChannel {
  sftp: SFTPWrapper
  handle: Buffer
}

async function openChannel(channels: SftpChannels, remotePath: string): Promise<OpenedChannel> {
  const sftp = await channels.openSftp()
  try {
    return { sftp, handle: await call<Buffer>((cb) => sftp.open(remotePath, 'r', cb)) }
  } catch (e) {
    sftp.end()
    throw e
  }
}

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work
  return { value, ms: performance.now() - started }
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

function call<T>(fn: (cb: (err: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))))
}
