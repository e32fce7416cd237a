import { randomBytes } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  answerAndClose,
  BodyTooLarge,
  limitedServerOptions,
  readBoundedBody,
  type TimeLimits,
} from '../util/http-limits.js'

/** What the management node POSTs when a job ends: the body a poll would return. */
export interface WebhookDelivery {
  jobUuid: string
  success: boolean
  body: string
}

export interface WebhookReceiverOptions {
  /** Address to bind; must be reachable from the management node. Default 127.0.0.1. */
  bindHost?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Host name or IP the node should call back, if different from bindHost (e.g. 0.0.0.0 bound). */
  publicHost?: string
  /** How long a caller may take to send headers and the whole request (defaults: 10 s, 30 s). */
  timeLimits?: TimeLimits
}

/**
 * Receives X-Web-Hook callbacks. The callback path holds a random secret so that nobody who does
 * not know it can feed results in; deliveries are matched to waiting jobs by X-Job-UUID, and
 * anything else is ignored (answered 2xx so the node stops retrying). Polling stays on as the
 * fallback, so a lost webhook never loses a result. A wrong path is refused before its body is read,
 * a body over 1 MiB gets 413, and slow senders are cut off (memory and sockets stay bounded).
 */
export class WebhookReceiver {
  private server: Server | null = null
  private readonly secret = randomBytes(24).toString('hex')
  private readonly waiters = new Map<string, (d: WebhookDelivery) => void>()
  private readonly early = new Map<string, WebhookDelivery>()
  /** Jobs this app started with a webhook and has not yet heard about. */
  private readonly expected = new Set<string>()
  private baseUrl = ''
  /** Count of deliveries accepted and ignored, for diagnostics and tests. */
  readonly stats = { accepted: 0, ignored: 0, rejected: 0 }

  constructor(private readonly options: WebhookReceiverOptions = {}) {}

  async start(): Promise<string> {
    if (this.server) return this.url
    const server = createServer(limitedServerOptions(this.options.timeLimits), (req, res) => {
      // The secret path is checked on the request line, before a byte of the body is read.
      if (req.method !== 'POST' || req.url !== `/zsdr-hook/${this.secret}`) {
        this.stats.rejected++
        return answerAndClose(res, 404)
      }
      readBoundedBody(req).then(
        (body) => {
          this.deliver(req.headers, body.toString('utf8'))
          res.writeHead(204).end()
        },
        (e: unknown) => {
          this.stats.rejected++
          if (e instanceof BodyTooLarge) answerAndClose(res, 413)
          else req.destroy()
        },
      )
    })
    const host = this.options.bindHost ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port ?? 0, host, resolve)
    })
    this.server = server
    const port = (server.address() as AddressInfo).port
    const shown = this.options.publicHost ?? host
    this.baseUrl = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`
    return this.url
  }

  private deliver(headers: IncomingHttpHeaders, body: string): void {
    const jobUuid = String(headers['x-job-uuid'] ?? '')
    const delivery = { jobUuid, success: String(headers['x-job-success']).toLowerCase() === 'true', body }
    const waiter = this.waiters.get(jobUuid)
    if (waiter) {
      this.stats.accepted++
      this.waiters.delete(jobUuid)
      waiter(delivery)
    } else if (this.expected.has(jobUuid)) {
      // Arrived before the caller started waiting (fast jobs): keep it for wait().
      this.stats.accepted++
      this.early.set(jobUuid, delivery)
    } else {
      this.stats.ignored++
    }
  }

  /** Where callbacks are received, without the secret path (safe to show). */
  get publicBase(): string {
    return this.baseUrl
  }

  /** The callback URL to send as X-Web-Hook (contains the secret: never log it). */
  get url(): string {
    return `${this.baseUrl}/zsdr-hook/${this.secret}`
  }

  /** Announces a job whose callback may arrive; only announced jobs are accepted. */
  expect(jobUuid: string): void {
    this.expected.add(jobUuid)
  }

  /** Resolves when the job's callback arrives; `cancel` stops waiting. */
  wait(jobUuid: string): { promise: Promise<WebhookDelivery>; cancel(): void } {
    const early = this.early.get(jobUuid)
    if (early) {
      this.early.delete(jobUuid)
      this.expected.delete(jobUuid)
      return { promise: Promise.resolve(early), cancel() {} }
    }
    let cancel = () => {}
    const promise = new Promise<WebhookDelivery>((resolve) => {
      this.waiters.set(jobUuid, (d) => {
        this.expected.delete(jobUuid)
        resolve(d)
      })
      cancel = () => {
        this.waiters.delete(jobUuid)
        this.expected.delete(jobUuid)
      }
    })
    return { promise, cancel }
  }

  async close(): Promise<void> {
    const server = this.server
    this.server = null
    this.waiters.clear()
    if (!server) return
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
