import { describe, expect, it } from 'vitest'
import { ChannelGrowth, SSH_CHANNEL_WINDOW } from '../../../src-main/recovery/fetch/channel-growth.js'

/**
 * Drives ChannelGrowth with a model link: n channels move min(link rate, n × 0.45 window per RTT)
 * (what one channel moved through the link emulator at 200 ms), or a CPU limit.
 */
function settle(rttMs: number, linkBytesPerMs: number, cpuBytesPerMs = Number.POSITIVE_INFINITY): number {
  const growth = new ChannelGrowth(rttMs, 8)
  let now = 0
  let bytes = 0
  growth.started(0, 0)
  for (let step = 0; step < 2000; step++) {
    const rate = Math.min(
      linkBytesPerMs,
      cpuBytesPerMs,
      (growth.channels * 0.45 * SSH_CHANNEL_WINDOW) / rttMs,
    )
    now += 10
    bytes += rate * 10
    const add = growth.observe(bytes, now)
    for (let i = 0; i < add; i++) growth.started(bytes, now)
  }
  return growth.channels
}

const mbit = (n: number) => (n * 1e6) / 8 / 1000

/** A first burst too slow to ask for a second channel (1 MiB in a second), then a sample restart. */
function slowBurst(growth: ChannelGrowth): ChannelGrowth {
  growth.started(0, 0)
  expect(growth.observe(1, 0)).toBe(0)
  expect(growth.observe(1 + SSH_CHANNEL_WINDOW / 2, 1000)).toBe(0)
  growth.started(0, 0)
  return growth
}

/**
 * The first half window arrives back to back at the link's rate; returns the channels opened
 * once it is in (the first chunk of 128 KiB starts the measurement).
 */
function afterBurst(rttMs: number, linkBytesPerMs: number, initial = 1): number {
  const growth = new ChannelGrowth(rttMs, 8, initial)
  // Only the first channel has begun: the others are still opening while the burst arrives.
  growth.started(0, 0)
  const chunk = 128 * 1024
  let opened = 0
  for (let bytes = chunk; bytes <= SSH_CHANNEL_WINDOW; bytes += chunk)
    opened += growth.observe(bytes, rttMs + bytes / linkBytesPerMs)
  return opened
}

describe('channel growth from measured rate and round trip', () => {
  it('opens enough channels to fill a 100 ms, 400 Mbit/s link', () => {
    const n = settle(100, mbit(400))
    // 400 Mbit/s = 50 MB/s; one channel moves ~9.4 MB/s at 100 ms: at least 6 are needed.
    expect(n).toBeGreaterThanOrEqual(6)
    expect(n).toBeLessThanOrEqual(8)
  })

  it('opens the channels a long link needs at once, from the rate of the first burst', () => {
    // 50 MB/s × 100 ms = 5 MB in flight; one channel keeps ~0.94 MB in flight: 6 channels.
    expect(afterBurst(100, mbit(400))).toBe(5)
    // Channels opened from the start count: two of the six are there already.
    expect(afterBurst(100, mbit(400), 2)).toBe(4)
    // The cap holds however fast the burst.
    expect(afterBurst(300, mbit(10_000))).toBe(7)
    // Where one channel's window covers the link, nothing is opened.
    expect(afterBurst(20, mbit(100))).toBe(0)
    expect(afterBurst(0.2, mbit(8000))).toBe(0)
  })

  it('keeps one channel where one window fills the link (20 ms, 100 Mbit/s) and on loopback', () => {
    expect(settle(20, mbit(100))).toBe(1)
    expect(settle(0.2, mbit(8000), 200_000)).toBe(1)
  })

  it('stops doubling when the CPU, not the windows, is the limit', () => {
    // At 200 ms one channel moves ~4.7 MB/s; a CPU that manages 12 MB/s doubles it with a
    // second channel, then gains less than 30% from four: growth ends at four.
    expect(settle(200, mbit(1000), 12_000)).toBe(4)
  })

  it('never goes past the maximum, and a channel that cannot open ends growth', () => {
    expect(settle(300, mbit(10_000))).toBe(8)
    const h = slowBurst(new ChannelGrowth(100, 8))
    expect(h.observe(8_000_000, 400)).toBe(1)
    h.started(8_000_000, 400)
    // Two channels read: the next doubling would add two.
    expect(h.nextBatch()).toBe(2)
    const g = slowBurst(new ChannelGrowth(100, 8))
    expect(g.observe(8_000_000, 400)).toBe(1)
    // Until the channel asked for has started, there is no next batch to open ahead.
    expect(g.nextBatch()).toBe(0)
    g.failed()
    expect(g.channels).toBe(1)
    expect(g.nextBatch()).toBe(0)
    expect(g.observe(9_000_000, 2000)).toBe(0)
  })

  it('takes the shortest round trip: one measured long on a busy CPU does not make a short link a long one', () => {
    // A 1 Gbit/s LAN, two channels; the copy's open and stat took 60 ms (a busy CPU), the link's 6 ms.
    const burst = (growth: ChannelGrowth) => {
      growth.started(0, 0)
      let opened = 0
      for (let bytes = 128 * 1024; bytes <= SSH_CHANNEL_WINDOW; bytes += 128 * 1024)
        opened += growth.observe(bytes, 1 + bytes / mbit(1000))
      return opened
    }
    expect(burst(new ChannelGrowth(60, 8, 2))).toBeGreaterThan(0)
    const growth = new ChannelGrowth(60, 8, 2)
    growth.roundTrip(6) // the first read came back in 6 ms
    expect(burst(growth)).toBe(0)
    expect(growth.roundTripMs).toBe(6)
    growth.roundTrip(30) // a longer sample changes nothing
    expect(growth.roundTripMs).toBe(6)
  })

  it('a burst faster than any laptop port (loopback) asks for no more channels, even with a round trip measured long', () => {
    // Both round-trip samples came back slow (2.6 ms: a busy CPU), the burst at 1.4 GB/s.
    const loopback = new ChannelGrowth(2.6, 8, 2)
    loopback.started(0, 0)
    let opened = 0
    for (let bytes = 128 * 1024; bytes <= SSH_CHANNEL_WINDOW; bytes += 128 * 1024)
      opened += loopback.observe(bytes, 1 + bytes / 1_400_000)
    expect(opened).toBe(0)
    expect(loopback.burstRate).toBeGreaterThan(1_000_000)
    // A real 1 Gbit/s link at 100 ms still gets its channels at once.
    expect(afterBurst(100, mbit(1000))).toBe(7)
  })
})
