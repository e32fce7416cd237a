import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { EventBus } from '../api/event-bus.js'
import type { Router } from '../api/router.js'
import type { Logger } from '../log/logger.js'
import { mimeType, resolveStaticPath, SECURITY_HEADERS } from './security.js'

/**
 * The web door: serves the built renderer and the same API the Electron preload exposes, on
 * 127.0.0.1 only. Every request needs the per-run token (from the printed URL, then an
 * HttpOnly SameSite=Strict cookie), a loopback Host header (no DNS rebinding) and, when the
 * browser sends one, the host's own Origin. Events go out as Server-Sent Events.
 */
export interface WebHostOptions {
  router: Router
  bus: EventBus
  log: Logger
  staticDir: string
  /** 0 (default) picks a free port. */
  port?: number
  token?: string
}

export interface WebHost {
  /** The URL to open: includes the token. Treat it as a secret. */
  url: string
  origin: string
  /** The address the server is bound to: always 127.0.0.1. */
  address: string
  port: number
  close(): Promise<void>
}

const LOOPBACK = '127.0.0.1'
const COOKIE = 'zsdr_token'
const MAX_BODY_BYTES = 1024 * 1024
const HEARTBEAT_MS = 15_000

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const sseClients = new Set<ServerResponse>()
  let port = 0
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.log.error({ err }, 'web host request failed')
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error')
      else res.destroy()
    })
  })

  const unsubscribe = options.bus.subscribe((name, payload) => {
    const frame = `data: ${JSON.stringify({ name, payload })}\n\n`
    for (const client of sseClients) client.write(frame)
  })
  const heartbeat = setInterval(() => {
    for (const client of sseClients) client.write(': keep-alive\n\n')
  }, HEARTBEAT_MS)
  heartbeat.unref()

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const origins = [`http://${LOOPBACK}:${port}`, `http://localhost:${port}`]
    const hostOk = req.headers.host === `${LOOPBACK}:${port}` || req.headers.host === `localhost:${port}`
    if (!hostOk) return send(res, 421, 'text/plain; charset=utf-8', 'wrong host')
    const origin = req.headers.origin
    if (origin !== undefined && !origins.includes(origin))
      return send(res, 403, 'text/plain; charset=utf-8', 'foreign origin')

    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`)
    const queryToken = url.searchParams.get('token')
    if (req.method === 'GET' && queryToken !== null) return exchangeToken(res, url, queryToken)
    if (!tokenMatches(presentedToken(req), token)) {
      return send(
        res,
        401,
        'text/plain; charset=utf-8',
        'missing or wrong token: open the URL zsdr serve printed',
      )
    }

    if (url.pathname.startsWith('/api/call/'))
      return apiCall(req, res, decodeURIComponent(url.pathname.slice(10)))
    if (url.pathname === '/api/events' && req.method === 'GET') return openEvents(req, res)
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed')
    return serveStatic(res, url.pathname)
  }

  function exchangeToken(res: ServerResponse, url: URL, presented: string): void {
    if (!tokenMatches(presented, token)) return send(res, 401, 'text/plain; charset=utf-8', 'wrong token')
    url.searchParams.delete('token')
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      Location: url.pathname + url.search,
      'Cache-Control': 'no-store',
    })
    res.end()
  }

  async function apiCall(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain; charset=utf-8', 'use POST')
    // JSON-only (a cross-site form post cannot send this without a CORS preflight, which we never grant).
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return send(res, 415, 'text/plain; charset=utf-8', 'expected application/json')
    }
    let payload: unknown
    try {
      payload = JSON.parse((await readBody(req)) || '{}')
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'request body is not JSON or is too large')
    }
    const envelope = await options.router.dispatch(name, payload, { transport: 'web' })
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(envelope))
  }

  function openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
    })
    res.write(': connected\n\n')
    sseClients.add(res)
    req.on('close', () => sseClients.delete(res))
  }

  function serveStatic(res: ServerResponse, pathname: string): void {
    const candidate = resolveStaticPath(options.staticDir, pathname)
    if (candidate === null) return send(res, 404, 'text/plain; charset=utf-8', 'not found')
    // Unknown paths fall back to index.html: the renderer routes on the client side.
    const file = isFile(candidate) ? candidate : join(options.staticDir, 'index.html')
    if (!isFile(file))
      return send(res, 503, 'text/plain; charset=utf-8', 'renderer not built: run npm run build')
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': mimeType(file),
      'Cache-Control': file.endsWith('.html') ? 'no-store' : 'private, max-age=3600',
    })
    createReadStream(file).pipe(res)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, LOOPBACK, () => resolve())
  })
  const bound = server.address() as AddressInfo
  port = bound.port
  const origin = `http://${LOOPBACK}:${port}`
  return {
    url: `${origin}/?token=${token}`,
    origin,
    address: bound.address,
    port,
    async close() {
      unsubscribe()
      clearInterval(heartbeat)
      for (const client of sseClients) client.end()
      await closeServer(server)
    },
  }
}

function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7)
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=')
    if (k === COOKIE) return v
  }
  return undefined
}

function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false
  const a = Buffer.from(presented)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store' })
  res.end(body)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}
