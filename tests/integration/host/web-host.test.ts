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
  token = new URL(host.url).searchParams.get('token') ?? ''
})

afterAll(async () => {
  await host.close()
  await services.close()
  services.removeDir()
  staticDir.remove()
})

describe('web host', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token', async () => {
    expect(host.address).toBe('127.0.0.1')
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/)
    // Another loopback address reaches the machine but not this server.
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.2', port: host.port, path: '/' }, () => resolve('connected'))
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      req.end()
    })
    expect(refused).toBe('ECONNREFUSED')
  })

  it('refuses requests without the token', async () => {
    expect((await send('/')).status).toBe(401)
    expect((await callHealth({})).status).toBe(401)
    expect((await send('/api/events')).status).toBe(401)
  })

  it('refuses a wrong token', async () => {
    expect((await send('/?token=wrong')).status).toBe(401)
    expect((await callHealth({ Authorization: 'Bearer wrong' })).status).toBe(401)
    expect((await callHealth({ Cookie: 'zsdr_token=wrong' })).status).toBe(401)
  })

  it('exchanges the URL token for an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const r = await send(`/?token=${token}`)
    expect(r.status).toBe(303)
    expect(r.headers.location).toBe('/')
    expect(String(r.headers['set-cookie'])).toMatch(/zsdr_token=.*HttpOnly; SameSite=Strict/)
    const page = await send('/', { headers: { Cookie: `zsdr_token=${token}` } })
    expect(page.status).toBe(200)
    expect(page.headers['content-security-policy']).toContain("script-src 'self'")
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
