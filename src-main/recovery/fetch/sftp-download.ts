import { type FileHandle, open } from 'node:fs/promises'
import type { SFTPWrapper } from 'ssh2'
import { PRIVATE_FILE_MODE } from '../../util/private-files.js'

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
 * ssh2 advertises a fixed receive window of 2 MiB per channel (`MAX_WINDOW` in
 * ssh2/lib/Channel.js) and tops it up once half is used: one channel moves at most about one
 * window per round trip, whatever the link (20 MiB/s at 100 ms).
 */
export const SSH_CHANNEL_WINDOW = 2 * 1024 * 1024
export const DEFAULT_CHUNK_SIZE = 128 * 1024
/** Two windows' worth of reads per channel: the server has the next window's data ready when it opens. */
export const DEFAULT_REQUESTS_PER_CHANNEL = (2 * SSH_CHANNEL_WINDOW) / DEFAULT_CHUNK_SIZE
/**
 * OpenSSH's default `MaxSessions` is 10 channels per connection; 8 leaves room for the shared
 * SFTP channel's neighbours (commands the fetch runs). 8 windows = 160 MiB/s at 100 ms.
 */
export const DEFAULT_MAX_CHANNELS = 8

/**
 * Copies a remote file over SFTP with many reads in flight, writing each chunk at its offset.
 * On long links it opens more SFTP channels on the same connection as measurements show the
 * channel windows (not the link) are the limit (see `ChannelGrowth`); every channel takes the
 * next chunk from one shared cursor, so chunks complete nearly in order and the data written
 * ahead of the contiguous prefix stays within what is in flight.
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
  const first = await channels.sftp()
  const handle = await call<Buffer>((cb) => first.open(remotePath, 'r', cb))
  let local: FileHandle | null = null
  const extra: OpenedChannel[] = []
  const spares: Promise<OpenedChannel | null>[] = []
  try {
    const { size } = await call<{ size: number }>((cb) => first.fstat(handle, cb))
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
    const rttMs = await measureRttMs(first, handle)
    const tracker = new ContiguousTracker(start)
    const growth = new ChannelGrowth(rttMs, options.maxChannels ?? DEFAULT_MAX_CHANNELS)
    let next = start
    let received = 0
    let failure: unknown = null
    const readers: Promise<void>[] = []

    const worker = async (sftp: SFTPWrapper, h: Buffer): Promise<void> => {
      const buf = Buffer.allocUnsafe(chunkSize)
      while (failure === null && next < size) {
        if (options.signal?.aborted) throw options.signal.reason
        const offset = next
        const length = Math.min(chunkSize, size - offset)
        next += length
        await readFully(sftp, h, buf, length, offset)
        await file.write(buf, 0, length, offset)
        tracker.complete(offset, length)
        received += length
        options.onProgress?.(tracker.contiguous, size)
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
    // Readers added while waiting are awaited too (the array grows under the loop).
    for (let i = 0; i < readers.length; i++) await readers[i]
    if (failure !== null) {
      await file.truncate(tracker.contiguous)
      throw failure
    }
    return { size, resumedFrom: start, channels: growth.channels, rttMs }
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

/** The smallest of three `fstat` round trips: the link's round trip plus the server's least work. */
async function measureRttMs(sftp: SFTPWrapper, handle: Buffer): Promise<number> {
  let best = Number.POSITIVE_INFINITY
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    await call((cb) => sftp.fstat(handle, cb))
    best = Math.min(best, performance.now() - t)
  }
  return Math.max(best, 0.05)
}

/**
 * When to open more channels, from what the copy measures. A channel moves at most one window
 * per round trip, so n channels are bound by n × window / RTT. Measured through the link emulator
 * at 200 ms (tests/harness/link-emulator.ts), one channel moved about 1 MiB per round trip (0.4–0.5
 * of the bound) with ssh2 and OpenSSH's sftp alike, and at 20 ms / 100 Mbit/s 0.12 of it (the
 * link was the limit). So over each sample (4 round trips, at least 300 ms, after the newest
 * channels began reading: windows arrive in bursts; with 2-round-trip samples a run stopped at 4
 * channels on a 400 Mbit/s link that 8 filled better), a rate of at least a quarter of the bound means the windows may be the limit: the
 * channels double (up to the maximum). Growth stops for good once the rate is under a quarter of
 * the bound (the link or the CPU is the limit; on loopback that is the first sample), or a
 * doubling raised the rate by less than 30%.
 */
const WINDOW_BOUND_SHARE = 0.25
const MIN_GAIN_OF_DOUBLING = 1.3

export class ChannelGrowth {
  channels = 1
  private opening = 0
  private stopped = false
  private since = 0
  private bytesSince = 0
  private lastRate = 0
  private readonly periodMs: number

  constructor(
    private readonly rttMs: number,
    private readonly max: number,
  ) {
    this.periodMs = Math.max(4 * rttMs, 300)
  }

  /** A channel (the first, or one asked for) began reading: the next sample starts now. */
  started(bytes: number, now: number): void {
    this.opening = Math.max(0, this.opening - 1)
    this.since = now
    this.bytesSince = bytes
  }

  /** Channels the next doubling would add, once the current one has started (0 when growth is over). */
  nextBatch(): number {
    return this.stopped || this.opening > 0 ? 0 : Math.min(this.channels, this.max - this.channels)
  }

  /** A channel asked for could not be opened: no more growth. */
  failed(): void {
    this.opening = Math.max(0, this.opening - 1)
    this.channels--
    this.stopped = true
  }

  /** Called as data arrives; returns how many channels to open now. */
  observe(bytes: number, now: number): number {
    if (this.stopped || this.opening > 0 || this.channels >= this.max) return 0
    if (now - this.since < this.periodMs) return 0
    const rate = (bytes - this.bytesSince) / (now - this.since)
    this.since = now
    this.bytesSince = bytes
    const windowBound = (this.channels * SSH_CHANNEL_WINDOW) / this.rttMs
    if (
      rate < windowBound * WINDOW_BOUND_SHARE ||
      (this.lastRate > 0 && rate < this.lastRate * MIN_GAIN_OF_DOUBLING)
    ) {
      this.stopped = true
      return 0
    }
    this.lastRate = rate
    const add = Math.min(this.channels, this.max - this.channels)
    this.channels += add
    this.opening = add
    return add
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
