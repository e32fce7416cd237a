/**
 * ssh2 advertises a fixed receive window of 2 MiB per channel (`MAX_WINDOW` in
 * ssh2/lib/Channel.js) and tops it up once half is used: one channel moves at most about one
 * window per round trip, whatever the link (20 MiB/s at 100 ms).
 */
export const SSH_CHANNEL_WINDOW = 2 * 1024 * 1024

/**
 * What one channel moves per round trip, as a share of its window. Measured through the link
 * emulator at 200 ms (tests/harness/link-emulator.ts): about 1 MiB per round trip (0.4–0.5), with
 * ssh2 and OpenSSH's sftp alike (the window is topped up only once half of it is used).
 */
export const CHANNEL_WINDOW_SHARE = 0.45

/** The fastest link planned for: a laptop's 1 Gbit/s port (see `downloadFile`'s channels opened ahead). */
export const FASTEST_LINK_BYTES_PER_MS = 125_000

/** Channels that keep a link of `bytesPerMs` full at a round trip of `rttMs`. */
export function channelsFor(bytesPerMs: number, rttMs: number): number {
  return Math.ceil((bytesPerMs * rttMs) / (CHANNEL_WINDOW_SHARE * SSH_CHANNEL_WINDOW))
}

/**
 * The first half window of a copy is sent back to back (the server has the whole window and
 * enough reads), so the time it takes to arrive is the link's (or the server's) rate: a
 * packet-train measurement. Through the link emulator it read 46–50 MB/s on a 400 Mbit/s link.
 */
const BURST_BYTES = SSH_CHANNEL_WINDOW / 2

/**
 * After the first estimate, over each sample (4 round trips, at least 300 ms, after the newest
 * channels began reading: windows arrive in bursts; with 2-round-trip samples a run stopped at 4
 * channels on a 400 Mbit/s link that 8 filled better), a rate of at least a quarter of the window
 * bound means the windows may still be the limit: the channels double (up to the maximum). Growth
 * stops for good once the rate is under a quarter of the bound (the link or the CPU is the limit;
 * on loopback that is the first sample), or a doubling raised the rate by less than 30%.
 */
const WINDOW_BOUND_SHARE = 0.25
const MIN_GAIN_OF_DOUBLING = 1.3

/**
 * When to open more channels, from what the copy measures. A channel moves about
 * `CHANNEL_WINDOW_SHARE` of its window per round trip, so filling a link of rate R takes
 * R × RTT / (share × window) channels. R is measured from the first burst (see `BURST_BYTES`):
 * the channels needed are opened at once, instead of doubling one sample at a time (that took
 * about 3 s to reach 8 channels at 100 ms). Doubling by measured gain goes on after that, for a
 * link whose first burst was held back by something else.
 */
export class ChannelGrowth {
  channels: number
  /** The first burst's rate in bytes per ms, once measured. */
  burstRate: number | null = null
  private opening = 0
  private stopped = false
  private since = 0
  private bytesSince = 0
  private lastRate = 0
  private burstStart: { bytes: number; at: number } | null = null
  private periodMs: number

  /** The caller opens `initial` channels and calls `started` as each begins reading, the first included. */
  constructor(
    private rttMs: number,
    private readonly max: number,
    initial = 1,
  ) {
    this.periodMs = Math.max(4 * rttMs, 300)
    this.channels = initial
    this.opening = initial
  }

  /**
   * Another sample of the round trip (the first read's answer): the shortest one counts. A busy CPU
   * makes any one sample long (an `open` and `stat` of 6 ms on loopback, against 0.3 ms usually), and
   * a round trip taken too long makes a short link look long: more channels, for nothing but memory.
   */
  get roundTripMs(): number {
    return this.rttMs
  }

  roundTrip(ms: number): void {
    if (ms >= this.rttMs) return
    this.rttMs = Math.max(ms, 0.05)
    this.periodMs = Math.max(4 * this.rttMs, 300)
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
    if (this.stopped || this.channels >= this.max) return 0
    // The burst is measured even while channels are still opening (they take 4 round trips).
    if (this.burstRate === null) return this.observeBurst(bytes, now)
    if (this.opening > 0 || now - this.since < this.periodMs) return 0
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
    return this.open(Math.min(this.channels, this.max - this.channels))
  }

  /** The first chunk starts the burst; half a window later its rate says how many channels to open. */
  private observeBurst(bytes: number, now: number): number {
    if (!this.burstStart) {
      this.burstStart = { bytes, at: now }
      return 0
    }
    const moved = bytes - this.burstStart.bytes
    if (moved < BURST_BYTES) return 0
    this.burstRate = moved / Math.max(now - this.burstStart.at, 0.001)
    // A burst faster than the fastest link planned for did not cross a laptop's network port
    // (loopback, the same host): there, every round trip measured on a busy CPU is the CPU's, and
    // the channels it would ask for only take memory (a 2.6 ms "round trip" at 1.4 GB/s asked for
    // four, peak RSS 232 MB). Such a link is planned as the fastest one; doubling by gain still follows.
    const rate = Math.min(this.burstRate, FASTEST_LINK_BYTES_PER_MS)
    return this.open(Math.max(0, Math.min(channelsFor(rate, this.rttMs), this.max) - this.channels))
  }

  private open(add: number): number {
    this.channels += add
    this.opening += add
    return add
  }
}
