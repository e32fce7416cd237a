/**
 * A WAN link on loopback (this kernel has no netem): a TCP proxy to a local port that delays each
 * direction by half the round-trip time and serialises it at a set rate, like a long fat link
 * and a router queue of one bandwidth-delay product. Bounded: at most `queueBytes` wait to be sent per direction (more
 * is left in the sender's socket, which then stops it), plus what is "on the wire" (rate × delay);
 * a receiver that stops reading stops delivery. Stops by itself after `lifetimeMs`, so a test that
 * forgets it cannot leave it running.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'

export interface LinkOptions {
  rttMs: number
  rateMbit: number
  /** Bytes waiting to be serialised before the proxy stops reading (the router's queue). */
  queueBytes?: number
  /** The emulator closes itself after this long (default 15 min). */
  lifetimeMs?: number
}

export interface LinkEmulator {
  port: number
  /** Bytes delivered so far, client → server and server → client. */
  delivered(): { up: number; down: number }
  /** Cuts every open connection at once, like a network drop. */
  cutAll(): void
  stop(): Promise<void>
}

/** Stop writing to a receiver that has this much unread: the link waits for it. */
const RECEIVER_BACKLOG = 1024 * 1024

export async function startLinkEmulator(targetPort: number, options: LinkOptions): Promise<LinkEmulator> {
  const oneWayMs = options.rttMs / 2
  const bytesPerMs = (options.rateMbit * 1e6) / 8 / 1000
  // Default queue: one bandwidth-delay product (the classic router buffer), at least 1 MiB. A
  // smaller one makes the proxy stop and start reading in bursts paced by timers, which run late
  // on a loaded machine and would starve the link below its rate.
  const queueBytes = options.queueBytes ?? Math.max(1024 * 1024, Math.round(bytesPerMs * options.rttMs))
  const sockets = new Set<Socket>()
  const totals = { up: 0, down: 0 }
  // Half-open allowed both ways: each direction ends on its own, as TCP does.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = tcpConnect({ port: targetPort, host: '127.0.0.1', allowHalfOpen: true })
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {
        client.destroy()
        upstream.destroy()
      })
    }
    const close = () => {
      client.destroy()
      upstream.destroy()
    }
    relay(client, upstream, { oneWayMs, bytesPerMs, queueBytes }, (n) => (totals.up += n), close)
    relay(upstream, client, { oneWayMs, bytesPerMs, queueBytes }, (n) => (totals.down += n), close)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      clearTimeout(lifetime)
      for (const s of sockets) s.destroy()
      if (!server.listening) return resolve()
      server.close(() => resolve())
    })
  const lifetime = setTimeout(() => void stop(), options.lifetimeMs ?? 15 * 60_000)
  lifetime.unref()
  return {
    port: (server.address() as { port: number }).port,
    delivered: () => ({ ...totals }),
    cutAll() {
      for (const s of sockets) s.destroy()
    },
    stop,
  }
}

interface Timing {
  oneWayMs: number
  bytesPerMs: number
  queueBytes: number
}

/**
 * One direction: each chunk leaves once the link has serialised it (at `bytesPerMs`, after the
 * chunks before it) and arrives `oneWayMs` later, in order. Reading pauses while more than
 * `queueBytes` wait for serialisation; delivery pauses while the receiver has a backlog.
 */
function relay(from: Socket, to: Socket, t: Timing, count: (bytes: number) => void, close: () => void): void {
  const inFlight: { at: number; data: Buffer }[] = []
  let linkFreeAt = 0
  let waiting = 0 // bytes not yet serialised
  let timer: NodeJS.Timeout | null = null
  let blocked = false // waiting for the receiver's 'drain'
  let recheck: NodeJS.Timeout | null = null
  let ended = false

  const deliver = (): void => {
    timer = null
    blocked = false
    const now = performance.now()
    while (inFlight.length > 0 && (inFlight[0]?.at ?? 0) <= now) {
      if (to.writableLength > RECEIVER_BACKLOG) {
        blocked = true
        to.once('drain', deliver)
        return
      }
      const chunk = inFlight.shift()
      if (!chunk || to.destroyed) return
      to.write(chunk.data)
      count(chunk.data.length)
    }
    settle(now)
    if (inFlight.length > 0) timer = setTimeout(deliver, Math.max(0, (inFlight[0]?.at ?? now) - now))
    else if (ended) to.end()
  }
  /** Serialisation of a chunk has finished once its departure (arrival minus delay) has passed. */
  const settle = (now: number): void => {
    waiting = 0
    for (const c of inFlight) if (c.at - t.oneWayMs > now) waiting += c.data.length
    if (!from.isPaused()) return
    if (waiting <= t.queueBytes) from.resume()
    else if (!recheck) {
      // Look again once the excess has been serialised.
      recheck = setTimeout(
        () => {
          recheck = null
          settle(performance.now())
        },
        Math.max(1, (waiting - t.queueBytes) / t.bytesPerMs),
      )
    }
  }

  from.on('data', (data: Buffer) => {
    const now = performance.now()
    linkFreeAt = Math.max(linkFreeAt, now) + data.length / t.bytesPerMs
    inFlight.push({ at: linkFreeAt + t.oneWayMs, data })
    waiting += data.length
    if (waiting > t.queueBytes) {
      from.pause()
      settle(now)
    }
    if (!timer && !blocked) timer = setTimeout(deliver, Math.max(0, (inFlight[0]?.at ?? now) - now))
  })
  from.on('end', () => {
    ended = true
    if (inFlight.length === 0) to.end()
  })
  from.on('close', () => {
    if (recheck) clearTimeout(recheck)
    if (!ended) close()
  })
}
