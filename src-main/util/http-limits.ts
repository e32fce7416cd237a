import type { IncomingMessage, OutgoingHttpHeaders, ServerOptions, ServerResponse } from 'node:http'

/**
 * Limits for the app's two small HTTP servers (the web host and the webhook receiver): whatever a
 * caller sends, memory and time stay bounded. A body is read only up to a cap, and a too-large one
 * is answered 413 and its connection closed without reading the rest.
 */
export const MAX_BODY_BYTES = 1024 * 1024

export class BodyTooLarge extends Error {
  constructor() {
    super('request body too large')
    this.name = 'BodyTooLarge'
  }
}

export interface TimeLimits {
  /** The request line and headers must arrive within this. */
  headersMs: number
  /** The whole request, body included. */
  requestMs: number
}

export const DEFAULT_TIME_LIMITS: TimeLimits = { headersMs: 10_000, requestMs: 30_000 }

/**
 * Server options with header and whole-request time limits, so a slow sender cannot hold a socket
 * open for minutes. Node checks them on a timer: it runs every second here (the default is 30 s).
 */
export function limitedServerOptions(limits: TimeLimits = DEFAULT_TIME_LIMITS): ServerOptions {
  return {
    headersTimeout: limits.headersMs,
    requestTimeout: limits.requestMs,
    connectionsCheckingInterval: Math.min(1000, limits.headersMs),
  }
}

/** The body, or BodyTooLarge as soon as the declared or received length passes `maxBytes`. */
export function readBoundedBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > maxBytes) return Promise.reject(new BodyTooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) return void chunks.push(chunk)
      // Stop reading: the answer closes the connection, so the rest is never buffered.
      req.off('data', onData)
      req.pause()
      chunks.length = 0
      reject(new BodyTooLarge())
    }
    req.on('data', onData)
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/**
 * Answers and closes the connection without reading what is left of the request body (for 413 and
 * for refusals sent before the body is read).
 */
export function answerAndClose(
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders = {},
  body = '',
): void {
  res.shouldKeepAlive = false
  res.writeHead(status, { ...headers, Connection: 'close' })
  res.end(body, () => res.req.socket.destroy())
}
