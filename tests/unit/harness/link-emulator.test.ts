import { once } from 'node:events'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type LinkEmulator, startLinkEmulator } from '../../harness/link-emulator.js'

// A server that echoes one-byte pings and swallows anything larger, reporting the byte count
// back as text once the sender half-closes.
let server: Server
let port: number

beforeAll(async () => {
  server = createServer({ allowHalfOpen: true }, (s) => {
    let bytes = 0
    s.on('data', (d: Buffer) => {
      if (d.length === 1 && bytes === 0) s.write(d)
      else bytes += d.length
    })
    s.on('end', () => s.end(String(bytes)))
    s.on('error', () => {})
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as { port: number }).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

async function connect(link: LinkEmulator): Promise<Socket> {
  const s = tcpConnect(link.port, '127.0.0.1')
  await once(s, 'connect')
  return s
}

async function pingMs(link: LinkEmulator): Promise<number> {
  const s = await connect(link)
  const started = performance.now()
  s.write(Buffer.of(1))
  await once(s, 'data')
  const ms = performance.now() - started
  s.destroy()
  return ms
}

/** Sends `bytes` through the link and waits for the server's count: seconds from first byte to count. */
async function sendSeconds(link: LinkEmulator, bytes: number): Promise<{ seconds: number; counted: number }> {
  const s = await connect(link)
  let reply = ''
  s.on('data', (d: Buffer) => {
    reply += d.toString()
  })
  const started = performance.now()
  const block = Buffer.alloc(64 * 1024, 7)
  for (let sent = 0; sent < bytes; sent += block.length) {
    if (!s.write(block.subarray(0, Math.min(block.length, bytes - sent)))) await once(s, 'drain')
  }
  s.end()
  await once(s, 'end')
  return { seconds: (performance.now() - started) / 1000, counted: Number(reply) }
}

describe('link emulator', () => {
  it('delays a round trip by the set RTT (never less, within load tolerance more)', async () => {
    const link = await startLinkEmulator(port, { rttMs: 60, rateMbit: 100 })
    try {
      const samples = [await pingMs(link), await pingMs(link), await pingMs(link)]
      const best = Math.min(...samples)
      expect(best).toBeGreaterThanOrEqual(59)
      // A loaded machine adds timer lateness, not tens of ms on the best of three.
      expect(best).toBeLessThan(60 + 40)
    } finally {
      await link.stop()
    }
  })

  it('delivers at the set rate: never faster, and close to it', async () => {
    const rateMbit = 40
    const link = await startLinkEmulator(port, { rttMs: 20, rateMbit })
    try {
      const bytes = 4 * 1024 * 1024
      const { seconds, counted } = await sendSeconds(link, bytes)
      expect(counted).toBe(bytes)
      expect(link.delivered().up).toBe(bytes)
      const mbit = (bytes * 8) / 1e6 / seconds
      // Sending time includes one RTT (the count comes back): the bound is on the rate alone.
      expect(mbit).toBeLessThanOrEqual(rateMbit * 1.02)
      expect(mbit).toBeGreaterThan(rateMbit * 0.75)
    } finally {
      await link.stop()
    }
  })

  it('drops every connection on cutAll and stops by itself after its lifetime', async () => {
    const link = await startLinkEmulator(port, { rttMs: 10, rateMbit: 100, lifetimeMs: 300 })
    const s = await connect(link)
    const closed = once(s, 'close')
    link.cutAll()
    await closed
    await new Promise((r) => setTimeout(r, 400))
    const refused = tcpConnect(link.port, '127.0.0.1')
    const [err] = (await once(refused, 'error')) as [NodeJS.ErrnoException]
    expect(err.code).toBe('ECONNREFUSED')
  })
})
