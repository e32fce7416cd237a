import http from 'node:http'
import { AppError } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'
import type { Endpoint } from './endpoint.js'

/**
 * Reads the restore log that RecoverDatabaseFromBackup exposes on `logListenPort`: Server-Sent
 * Events on the management node's host, one `data: <line>` event per log line (zstack-ctl's
 * taillog). Yields lines until the node ends the stream or the signal aborts.
 */
export async function* readLogStream(
  endpoint: Endpoint,
  port: number,
  options: { signal?: AbortSignal; connectTimeoutMs?: number } = {},
): AsyncGenerator<string, void, void> {
  const url = `http://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${port}/`
  const res = await open(url, options.connectTimeoutMs ?? 10_000, options.signal)
  let buffer = ''
  let data: string[] = []
  try {
    for await (const chunk of res) {
      buffer += (chunk as Buffer).toString('utf8')
      let nl = buffer.indexOf('\n')
      while (nl >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '')
        buffer = buffer.slice(nl + 1)
        if (line === '') {
          // A blank line ends an event; multi-line data joins with \n as the SSE spec says.
          if (data.length > 0) yield data.join('\n')
          data = []
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''))
        }
        nl = buffer.indexOf('\n')
      }
    }
    // A log viewer wants the last line even when the stream ends without the closing blank line.
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, '').replace(/\r$/, ''))
    if (data.length > 0) yield data.join('\n')
  } catch (e) {
    if (options.signal?.aborted) return
    throw streamError(url, e)
  } finally {
    res.destroy()
  }
}

function open(url: string, timeoutMs: number, signal?: AbortSignal): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream' }, agent: false }, (res) => {
      clearTimeout(timer)
      if (res.statusCode !== 200) {
        res.resume()
        reject(streamError(url, new Error(`HTTP ${res.statusCode}`)))
        return
      }
      resolve(res)
    })
    const timer = setTimeout(() => req.destroy(new Error('timed out connecting')), timeoutMs)
    req.on('error', (e) => {
      clearTimeout(timer)
      reject(streamError(url, e))
    })
    signal?.addEventListener('abort', () => req.destroy(), { once: true })
  })
}

function streamError(url: string, e: unknown): AppError {
  const why = e instanceof Error ? e.message : String(e)
  return new AppError(
    'zstack.log_stream_failed',
    {
      en: `Could not read the restore log at ${redact(url)} (${why}). The restore itself may still be running on the management node.`,
      zh: `无法读取 ${redact(url)} 上的恢复日志（${why}）。恢复过程可能仍在管理节点上进行。`,
    },
    { url: redact(url) },
  )
}
