import { AppError } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'

/** A management node's REST root, e.g. `http://10.0.0.5:8080/zstack`. */
export interface Endpoint {
  /** Always ends in `/zstack`, no trailing slash. */
  baseUrl: string
  protocol: 'http' | 'https'
  host: string
  port: number
}

export const DEFAULT_PORT = 8080

/**
 * Accepts what a field engineer types: `host`, `host:port`, `http(s)://host[:port]`, each with or
 * without `/zstack` (and a trailing slash). The port defaults to 8080 whatever the scheme, as the
 * management node listens there.
 */
export function parseEndpoint(input: string): Endpoint {
  const text = input.trim()
  if (text === '') throw badEndpoint(input, { en: 'it is empty', zh: '地址为空' })
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw badEndpoint(input, { en: 'it is not a host name or URL', zh: '不是有效的主机名或 URL' })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw badEndpoint(input, { en: 'only http and https are supported', zh: '只支持 http 和 https' })
  }
  if (url.username || url.password) {
    throw badEndpoint(input, {
      en: 'do not put credentials in the address',
      zh: '请勿在地址中包含账号或密码',
    })
  }
  if (url.search || url.hash)
    throw badEndpoint(input, { en: 'remove the ?query or #fragment', zh: '请去掉 ? 查询或 # 片段' })
  const path = url.pathname.replace(/\/+$/, '')
  if (path !== '' && path !== '/zstack') {
    throw badEndpoint(input, {
      en: `unexpected path "${path}" (expected nothing or /zstack)`,
      zh: `路径“${path}”无效（应为空或 /zstack）`,
    })
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http'
  const port = url.port === '' ? DEFAULT_PORT : Number(url.port)
  const host = url.hostname
  return { baseUrl: `${protocol}://${formatHost(host)}:${port}/zstack`, protocol, host, port }
}

function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

function badEndpoint(input: string, why: { en: string; zh: string }): AppError {
  const shown = redact(input.slice(0, 200))
  return new AppError(
    'zstack.invalid_endpoint',
    {
      en: `"${shown}" is not a usable management node address: ${why.en}. Examples: 10.0.0.5, 10.0.0.5:8080, http://mn.example.com:8080/zstack.`,
      zh: `“${shown}”不是可用的管理节点地址：${why.zh}。示例：10.0.0.5、10.0.0.5:8080、http://mn.example.com:8080/zstack。`,
    },
    { input: shown },
  )
}
