import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { EventBus } from '../api/event-bus.js'
import type { Router } from '../api/router.js'
import type { Logger } from '../log/logger.js'
import {
  answerAndClose,
  BodyTooLarge,
  limitedServerOptions,
  MAX_BODY_BYTES,
  readBoundedBody,
} from '../util/http-limits.js'
import { mimeType, resolveStaticPath, SECURITY_HEADERS } from './security.js'

/**
 * The web door: serves the built renderer and the same API the Electron preload exposes, on
 * 127.0.0.1 only. Every request needs a loopback Host header (no DNS rebinding) and, when the
 * browser sends one, the host's own Origin. API calls and events also need the per-run token in
 * an `Authorization: Bearer` header. The printed URL carries the token in its fragment, which a
 * browser never sends to any server; the page keeps it in sessionStorage. No cookie is ever set:
 * cookies for 127.0.0.1 go to every server on 127.0.0.1 whatever its port, so another local
 * program would receive them. The static renderer files hold no secret and need no token.
 * Events go out as Server-Sent Events; since EventSource cannot send a header, the page first
 * trades its token for a ticket that opens one event stream, once, within 30 seconds.
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
  /** The URL to open: includes the token in its fragment. Treat it as a secret. */
  url: string
  origin: string
  /** The address the server is bound to: always 127.0.0.1. */
  address: string
  port: number
  close(): Promise<void>
}

const LOOPBACK = '127.0.0.1'
const HEARTBEAT_MS = 15_000
const TICKET_TTL_MS = 30_000

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? randomBytes(24).toString('base64url')
  const sseClients = new Set<ServerResponse>()
  /** Event-stream tickets not yet used, with when each expires. */
  const tickets = new Map<string, number>()
  let port = 0
  const server = createServer(limitedServerOptions(), (req, res) => {
    handle(req, res).catch((err: unknown) => {
      options.log.error({ err }, 'web host request failed')
      if (!res.headersSent) refuse(res, 500, 'internal error')
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
    if (!hostOk) return refuse(res, 421, 'wrong host')
    const origin = req.headers.origin
    if (origin !== undefined && !origins.includes(origin)) return refuse(res, 403, 'foreign origin')

    if (!escapesValid(req.url ?? '/')) return refuse(res, 400, 'bad %-escape in the URL')
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}:${port}`)
    if (url.pathname === '/api/events' && req.method === 'GET') {
      const ticket = url.searchParams.get('ticket')
      const admitted = ticket === null ? tokenMatches(presentedToken(req), token) : useTicket(ticket)
      return admitted ? openEvents(req, res) : refuse(res, 401, 'missing, used or expired event ticket')
    }
    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(presentedToken(req), token))
        return refuse(res, 401, 'missing or wrong token: open the URL zsdr serve printed')
      if (url.pathname.startsWith('/api/call/'))
        return apiCall(req, res, decodeURIComponent(url.pathname.slice(10)))
      if (url.pathname === '/api/events/ticket' && req.method === 'POST') return issueTicket(res)
      return refuse(res, 404, 'not found')
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed')
    return serveStatic(res, url.pathname)
  }

  async function apiCall(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') return refuse(res, 405, 'use POST')
    // JSON-only (a cross-site form post cannot send this without a CORS preflight, which we never grant).
    if (!req.headers['content-type']?.startsWith('application/json'))
      return refuse(res, 415, 'expected application/json')
    let payload: unknown
    try {
      payload = JSON.parse((await readBoundedBody(req)).toString('utf8') || '{}')
    } catch (e) {
      if (e instanceof BodyTooLarge) return refuse(res, 413, `request body over ${MAX_BODY_BYTES} bytes`)
      return refuse(res, 400, 'request body is not JSON')
    }
    const envelope = await options.router.dispatch(name, payload, { transport: 'web' })
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify(envelope))
  }

  function issueTicket(res: ServerResponse): void {
    const now = Date.now()
    for (const [t, expires] of tickets) if (expires <= now) tickets.delete(t)
    const ticket = randomBytes(24).toString('base64url')
    tickets.set(ticket, now + TICKET_TTL_MS)
    send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ ticket }))
  }

  function useTicket(ticket: string): boolean {
    const expires = tickets.get(ticket)
    tickets.delete(ticket)
    return expires !== undefined && expires > Date.now()
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
    if (candidate === null) return refuse(res, 404, 'not found')
    // Unknown paths fall back to index.html: the renderer routes on the client side.
    const file = isFile(candidate) ? candidate : join(options.staticDir, 'index.html')
    if (!isFile(file)) return refuse(res, 503, 'renderer not built: run npm run build')
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
    url: `${origin}/#token=${token}`,
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

/** Only the Authorization header counts: a browser never attaches it to a request on its own. */
function presentedToken(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined
}

/** Every %-escape in the path and query decodes (a malformed one is the caller's error: 400). */
function escapesValid(rawUrl: string): boolean {
  try {
    decodeURIComponent(rawUrl)
    return true
  } catch {
    return false
  }
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

/** A plain-text refusal that also closes the connection, so an unread request body is never read. */
function refuse(res: ServerResponse, status: number, text: string): void {
  answerAndClose(
    res,
    status,
    { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    text,
  )
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
