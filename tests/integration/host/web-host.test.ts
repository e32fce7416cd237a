import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebHost, type WebHost } from '../../../src-main/host/web-host.js'
import { testServices } from '../../harness/services.js'
import { makeTempDir } from '../../harness/temp.js'

const services = testServices()
const staticDir = makeTempDir('static')
let host: WebHost
let token: string

interface Reply {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function send(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<Reply>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: host.port, path, method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        let body = ''
        res.on('data', (c) => {
          body += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      },
    )
    req.on('error', reject)
    req.end(init.body)
  })
}

const auth = () => ({ Authorization: `Bearer ${token}` })
const callHealth = (headers: Record<string, string>) =>
  send('/api/call/app.health', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: '{}',
  })

beforeAll(async () => {
  mkdirSync(join(staticDir.path, 'assets'))
  writeFileSync(join(staticDir.path, 'index.html'), '<!doctype html><title>t</title>')
  writeFileSync(join(staticDir.path, 'assets', 'a.js'), 'console.log(1)')
  host = await startWebHost({
    router: services.router,
    bus: services.bus,
    log: services.log,
    staticDir: staticDir.path,
  })
  token = new URL(host.url).hash.replace(/^#token=/, '')
})

afterAll(async () => {
  await host.close()
  await services.close()
  services.removeDir()
  staticDir.remove()
})

describe('web host', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token in its fragment', async () => {
    expect(host.address).toBe('127.0.0.1')
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/)
    // Another loopback address reaches the machine but not this server.
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.2', port: host.port, path: '/' }, () => resolve('connected'))
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      req.end()
    })
    expect(refused).toBe('ECONNREFUSED')
  })

  it('refuses API calls and events without the token', async () => {
    expect((await callHealth({})).status).toBe(401)
    expect((await send('/api/events')).status).toBe(401)
    expect((await send('/api/other', { headers: auth() })).status).toBe(404)
  })

  it('refuses a wrong token', async () => {
    expect((await callHealth({ Authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await send('/api/events', { headers: { Authorization: 'Bearer wrong' } })).status).toBe(401)
  })

  it('serves the page without the token and never sets or accepts a cookie', async () => {
    const page = await send('/')
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
    expect(page.headers['set-cookie']).toBeUndefined()
    // The token in a cookie or in the query opens nothing: cookies for 127.0.0.1 reach every port.
    expect((await callHealth({ Cookie: `zsdr_token=${token}` })).status).toBe(401)
    const query = await send(`/api/call/app.health?token=${token}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(query.status).toBe(401)
  })

  it('answers 400 to a malformed %-escape in the path or the query', async () => {
    for (const path of ['/%', '/assets/%zz.js', '/?q=%E0%A4%A', '/api/call/app.%ZZhealth']) {
      const r = await send(path, { method: path.startsWith('/api/') ? 'POST' : 'GET', headers: auth() })
      expect(r.status, path).toBe(400)
    }
  })

  it('answers 413 to a body over 1 MiB, declared or streamed, without reading it all', async () => {
    const declared = await send('/api/call/app.health', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', 'Content-Length': String(2 * 1024 * 1024) },
    })
    expect(declared.status).toBe(413)
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: host.port,
          path: '/api/call/app.health',
          method: 'POST',
          headers: { ...auth(), 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
        },
        (res) => {
          resolve(res.statusCode ?? 0)
          res.resume()
        },
      )
      req.on('error', reject)
      const chunk = Buffer.alloc(64 * 1024, 0x20)
      let sent = 0
      const pump = () => {
        while (sent < 4 * 1024 * 1024 && !req.destroyed) {
          sent += chunk.length
          if (!req.write(chunk)) return void req.once('drain', pump)
        }
        req.end()
      }
      pump()
    })
    expect(streamed).toBe(413)
  })

  it('refuses a foreign Origin even with the token', async () => {
    const r = await callHealth({ ...auth(), Origin: 'http://evil.example' })
    expect(r.status).toBe(403)
    const other = await callHealth({ ...auth(), Origin: `http://127.0.0.1:${host.port + 1}` })
    expect(other.status).toBe(403)
  })

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const r = await callHealth({ ...auth(), Host: `evil.example:${host.port}` })
    expect(r.status).toBe(421)
  })

  it('answers API calls with the router envelope', async () => {
    const r = await callHealth({ ...auth(), Origin: host.origin })
    expect(r.status).toBe(200)
    const envelope = JSON.parse(r.body) as { ok: boolean; value: { transport: string; status: string } }
    expect(envelope.ok).toBe(true)
    expect(envelope.value.transport).toBe('web')
    expect(envelope.value.status).toBe('ok')
  })

  it('validates API requests and refuses non-JSON bodies', async () => {
    const invalid = await send('/api/call/ops.cancel', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: '{"opId": 5}',
    })
    expect(JSON.parse(invalid.body).error.code).toBe('api.invalid_request')
    const form = await send('/api/call/app.health', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    })
    expect(form.status).toBe(415)
    const garbage = await send('/api/call/app.health', {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: '{not json',
    })
    expect(garbage.status).toBe(400)
  })

  it('does not serve files outside the renderer folder', async () => {
    const r = await send('/..%2f..%2f..%2fetc%2fpasswd', { headers: auth() })
    expect(r.status).toBe(404)
    expect(r.body).not.toContain('root:')
  })

  it('opens the event stream with a ticket once, and issues tickets only for the token', async () => {
    expect((await send('/api/events/ticket', { method: 'POST' })).status).toBe(401)
    const issued = await send('/api/events/ticket', { method: 'POST', headers: auth() })
    const { ticket } = JSON.parse(issued.body) as { ticket: string }
    expect(ticket).toMatch(/^[\w-]{32}$/)
    const opened = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, path: `/api/events?ticket=${ticket}` },
        (res) => {
          resolve(res.statusCode ?? 0)
          req.destroy()
        },
      )
      req.on('error', reject)
      req.end()
    })
    expect(opened).toBe(200)
    expect((await send(`/api/events?ticket=${ticket}`)).status).toBe(401)
    expect((await send('/api/events?ticket=made-up')).status).toBe(401)
  })

  it('delivers events over Server-Sent Events', async () => {
    const received = new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, path: '/api/events', headers: auth() },
        (res) => {
          expect(res.headers['content-type']).toContain('text/event-stream')
          let buffer = ''
          res.on('data', (c) => {
            buffer += c
            if (buffer.includes('"op.finished"')) {
              resolve(buffer)
              req.destroy()
            }
          })
        },
      )
      req.on('error', reject)
      req.end()
    })
    await new Promise((r) => setTimeout(r, 100))
    services.bus.emit('op.finished', { opId: 'e'.repeat(32), kind: 'demo', outcome: 'succeeded' })
    const text = await received
    expect(text).toContain(`"opId":"${'e'.repeat(32)}"`)
  })
})
