import http from 'node:http'
import https from 'node:https'
import { AppError } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'
import { abortError, type CallSite, timeoutError } from './errors.js'

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  url: string
  headers?: Record<string, string>
  body?: string
  timeoutMs: number
  signal?: AbortSignal
  /** https only: accept a self-signed management node certificate (opt-in per connection). */
  insecureTls?: boolean
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

/** Transport failures say whether the request can have reached the server (`delivered`). */
export type Delivery = 'no' | 'unknown'

export function deliveryOf(e: unknown): Delivery | null {
  if (!(e instanceof AppError)) return null
  const d = e.details?.delivered
  return d === 'no' || d === 'unknown' ? d : null
}

/**
 * One HTTP exchange with plain node:http(s), so that TLS options, timeouts and socket errors are
 * under our control and each failure becomes a typed AppError: refused, reset, DNS, TLS, timeout.
 */
export function httpRequest(req: HttpRequest, where: CallSite): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now()
    if (req.signal?.aborted) return reject(abortError(where, req.signal, startedAt))
    const url = new URL(req.url)
    const lib = url.protocol === 'https:' ? https : http
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers }
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json;charset=UTF-8'
      headers['content-length'] = String(Buffer.byteLength(req.body))
    }
    let connected = false
    let settled = false
    const done = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.signal?.removeEventListener('abort', onAbort)
      fn()
    }
    const request = lib.request(
      url,
      {
        method: req.method,
        headers,
        agent: false,
        ...(url.protocol === 'https:' ? { rejectUnauthorized: !req.insecureTls } : {}),
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          done(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        )
        res.on('error', (e) => done(() => reject(transportError(e, where, true))))
        res.on('aborted', () => done(() => reject(transportError(resetError(), where, true))))
      },
    )
    request.on('socket', (s) => {
      s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        connected = true
      })
    })
    request.on('error', (e) => done(() => reject(transportError(e, where, connected))))
    const timer = setTimeout(() => {
      done(() =>
        reject(withDelivery(timeoutError(where, req.timeoutMs, false), connected ? 'unknown' : 'no')),
      )
      request.destroy()
    }, req.timeoutMs)
    const onAbort = () => {
      const error = abortError(where, req.signal!, startedAt)
      done(() =>
        reject(error.code === 'zstack.timeout' ? withDelivery(error, connected ? 'unknown' : 'no') : error),
      )
      request.destroy()
    }
    req.signal?.addEventListener('abort', onAbort, { once: true })
    request.end(req.body)
  })
}

function resetError(): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error('socket hang up')
  e.code = 'ECONNRESET'
  return e
}

function withDelivery(e: AppError, delivered: Delivery): AppError {
  return new AppError(e.code, e.text, { ...e.details, delivered })
}

/** Maps a socket/TLS/DNS error to a typed AppError with a plain zh/en explanation. */
function transportError(e: NodeJS.ErrnoException, where: CallSite, connected: boolean): AppError {
  const code = e.code ?? ''
  const target = redact(new URL(where.url).host)
  const details = { ...where, url: redact(where.url), errno: code || undefined }
  if (code === 'ECONNREFUSED') {
    return new AppError(
      'zstack.connection_refused',
      {
        en: `Nothing is listening at ${target}: the management node is down, or the address or port is wrong.`,
        zh: `${target} 上没有服务在监听：管理节点未运行，或地址/端口错误。`,
      },
      { ...details, delivered: 'no' },
    )
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new AppError(
      'zstack.host_not_found',
      { en: `The host name in ${target} cannot be resolved.`, zh: `无法解析 ${target} 中的主机名。` },
      { ...details, delivered: 'no' },
    )
  }
  if (/CERT|SSL|TLS|SELF_SIGNED|ERR_TLS/i.test(code) || /certificate|ssl|tls/i.test(e.message)) {
    return new AppError(
      'zstack.tls_error',
      {
        en: `The TLS connection to ${target} failed (${code || 'handshake error'}): the certificate is not trusted or the node does not speak https.`,
        zh: `与 ${target} 的 TLS 连接失败（${code || '握手错误'}）：证书不受信任，或该节点不支持 https。`,
      },
      { ...details, delivered: 'no' },
    )
  }
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new AppError(
      'zstack.unreachable',
      {
        en: `${target} cannot be reached (${code}): check the network path to the management node.`,
        zh: `无法到达 ${target}（${code}）：请检查到管理节点的网络。`,
      },
      { ...details, delivered: connected ? 'unknown' : 'no' },
    )
  }
  return new AppError(
    'zstack.connection_reset',
    {
      en: `The connection to ${target} was closed before a complete answer arrived (${code || e.message}).`,
      zh: `与 ${target} 的连接在收到完整响应前被关闭（${code || e.message}）。`,
    },
    { ...details, delivered: connected ? 'unknown' : 'no' },
  )
}
