import { request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebhookReceiver } from '../../../src-main/zstack/webhook-receiver.js'

/**
 * Whoever can reach the callback port can send anything. A flood of body bytes, to a wrong path
 * or to the right one, must neither be buffered nor stop real deliveries.
 */
const FLOOD_BYTES = 200 * 1024 * 1024
const RSS_BOUND = 64 * 1024 * 1024
const hook = new WebhookReceiver({ bindHost: '127.0.0.1' })
let url: URL

interface Outcome {
  status: number | null
  sent: number
}

/** Streams `total` bytes (chunked, honouring back-pressure) until done or the server hangs up. */
function flood(path: string, total: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { status: null, sent: 0 }
    const req = request({
      host: url.hostname,
      port: url.port,
      path,
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'X-Job-UUID': 'x' },
    })
    req.on('response', (res) => {
      outcome.status = res.statusCode ?? null
      res.resume()
    })
    req.on('error', () => {}) // the server hanging up mid-body is the expected end
    req.on('close', () => resolve(outcome))
    const chunk = Buffer.alloc(256 * 1024, 0x61)
    const pump = () => {
      while (outcome.sent < total && !req.destroyed) {
        outcome.sent += chunk.length
        if (!req.write(chunk)) return void req.once('drain', pump)
      }
      if (!req.destroyed) req.end()
    }
    pump()
  })
}

beforeAll(async () => {
  url = new URL(await hook.start())
})

afterAll(() => hook.close())

/** Opens a socket, sends `text` and nothing more; resolves with how long the server kept it open. */
function slowSender(port: number, text: string): Promise<number> {
  return new Promise((resolve) => {
    const started = Date.now()
    const socket = connect(port, '127.0.0.1', () => socket.write(text))
    socket.on('data', () => {})
    socket.on('error', () => {})
    socket.on('close', () => resolve(Date.now() - started))
  })
}

describe('webhook receiver under a flood', () => {
  it('refuses a 200 MiB body to a wrong path and to the right one, with RSS growth under 64 MiB', async () => {
    global.gc?.()
    const before = process.memoryUsage().rss
    let peak = before
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss)
    }, 10)
    const [wrong, right] = await Promise.all([
      flood('/zsdr-hook/not-the-secret', FLOOD_BYTES),
      flood(url.pathname, FLOOD_BYTES),
    ]).finally(() => clearInterval(sampler))
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(`webhook flood: RSS growth ${((peak - before) / 1048576).toFixed(1)} MiB`)
    expect(peak - before).toBeLessThan(RSS_BOUND)
    expect(wrong.status).toBe(404)
    expect(right.status).toBe(413)
  })

  it('answers 413 to a declared length over 1 MiB, and still takes a real delivery afterwards', async () => {
    const declared = await new Promise<number>((resolve, reject) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'Content-Length': String(2 * 1024 * 1024) },
      })
      req.on('response', (res) => resolve(res.statusCode ?? 0))
      req.on('error', reject)
      req.flushHeaders()
    })
    expect(declared).toBe(413)

    hook.expect('job-1')
    const waiting = hook.wait('job-1')
    const delivered = await fetch(url, {
      method: 'POST',
      headers: { 'X-Job-UUID': 'job-1', 'X-Job-Success': 'true' },
      body: '{"inventory":{}}',
    })
    expect(delivered.status).toBe(204)
    expect((await waiting.promise).body).toBe('{"inventory":{}}')
  })

  it('cuts off a sender that stalls in its headers or its body', async () => {
    const strict = new WebhookReceiver({
      bindHost: '127.0.0.1',
      timeLimits: { headersMs: 500, requestMs: 1000 },
    })
    const hookUrl = new URL(await strict.start())
    try {
      const port = Number(hookUrl.port)
      const [headers, body] = await Promise.all([
        slowSender(port, `POST ${hookUrl.pathname} HTTP/1.1\r\nHost: x\r\n`),
        slowSender(port, `POST ${hookUrl.pathname} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{`),
      ])
      expect(headers).toBeLessThan(5000)
      expect(body).toBeLessThan(5000)
    } finally {
      await strict.close()
    }
  })
})
