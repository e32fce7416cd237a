import net from 'node:net'
import { AppError } from '../errors/app-error.js'
import { redact } from '../errors/redact.js'
import type { Endpoint } from './endpoint.js'

/**
 * Reads the restore log that RecoverDatabaseFromBackup exposes on `logListenPort`, as a raw TCP
 * stream: most likely zstack-ctl's `taillog` behind `nc -lp` (spec README, "The live log"), which
 * writes its HTTP headers with bare LF line ends (a strict HTTP parser such as Node's refuses
 * them), then `data: <line>` per log line, and never ends by itself. Accepted: LF or CRLF line
 * ends, with or without an HTTP status line and headers, with or without `data: ` prefixes, SSE
 * comments and blank lines. Every byte is the node's: lines are stripped of control characters and
 * cut at `MAX_LINE` characters. Yields lines until the node closes the connection or the signal
 * aborts; a broken or refused connection throws `zstack.log_stream_failed`.
 */
export const MAX_LINE = 8192
const MAX_HEADERS = 16 * 1024

export async function* readLogStream(
  endpoint: Endpoint,
  port: number,
  options: { signal?: AbortSignal; connectTimeoutMs?: number } = {},
): AsyncGenerator<string, void, void> {
  const where = `${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${port}`
  const socket = await connect(endpoint.host, port, where, options.connectTimeoutMs ?? 10_000, options.signal)
  const parser = new LogParser(where)
  try {
    // A real HTTP server needs a request; nc just prints it on its side.
    socket.write(`GET / HTTP/1.1\r\nHost: ${where}\r\nAccept: text/event-stream\r\n\r\n`)
    const decoder = new TextDecoder('utf-8')
    for await (const chunk of socket) {
      yield* parser.push(decoder.decode(chunk as Buffer, { stream: true }))
    }
    yield* parser.push(`${decoder.decode()}\n`)
  } catch (e) {
    if (options.signal?.aborted) return
    throw streamError(where, e)
  } finally {
    socket.destroy()
  }
}

/** Splits the stream into log lines; headers (if any) are checked and dropped. */
export class LogParser {
  private buffer = ''
  private phase: 'start' | 'headers' | 'body' = 'start'
  private headerBytes = 0

  constructor(private readonly where: string) {}

  *push(text: string): Generator<string> {
    this.buffer += text
    let nl = this.buffer.indexOf('\n')
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '')
      this.buffer = this.buffer.slice(nl + 1)
      const out = this.take(line)
      if (out !== null) yield out
      nl = this.buffer.indexOf('\n')
    }
    // A line with no end in sight is cut rather than held without limit.
    if (this.buffer.length > MAX_LINE * 4) {
      const out = this.take(this.buffer)
      this.buffer = ''
      if (out !== null) yield out
    }
  }

  private take(line: string): string | null {
    if (this.phase === 'start') {
      if (!line.startsWith('HTTP/')) {
        this.phase = 'body'
        return bodyLine(line)
      }
      const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(line)
      if (status?.[1] !== '200')
        throw streamError(this.where, new Error(`status line ${clean(line).slice(0, 80)}`))
      this.phase = 'headers'
      return null
    }
    if (this.phase === 'headers') {
      this.headerBytes += line.length + 1
      if (this.headerBytes > MAX_HEADERS) throw streamError(this.where, new Error('headers too long'))
      if (line === '') this.phase = 'body'
      return null
    }
    return bodyLine(line)
  }
}

/** One body line as a log line: the `data:` prefix removed; blank lines and other SSE fields skipped. */
function bodyLine(line: string): string | null {
  if (line === '' || line.startsWith(':') || /^(event|id|retry):/.test(line)) return null
  const text = line.startsWith('data:') ? line.slice(5).replace(/^ /, '') : line
  const shown = clean(text)
  return shown.length > MAX_LINE ? `${shown.slice(0, MAX_LINE)}…` : shown
}

/** Control characters from another machine never reach a terminal or a screen (tabs become spaces). */
function clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '')
}

function connect(
  host: string,
  port: number,
  where: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(streamError(where, new Error('aborted')))
    const socket = net.connect({ host, port })
    const timer = setTimeout(() => socket.destroy(new Error('timed out connecting')), timeoutMs)
    socket.once('connect', () => {
      clearTimeout(timer)
      resolve(socket)
    })
    socket.once('error', (e) => {
      clearTimeout(timer)
      reject(streamError(where, e))
    })
    // With an error, so that an abort while still connecting settles the promise too.
    signal?.addEventListener('abort', () => socket.destroy(new Error('aborted')), { once: true })
  })
}

function streamError(where: string, e: unknown): AppError {
  if (e instanceof AppError) return e
  const why = e instanceof Error ? e.message : String(e)
  return new AppError(
    'zstack.log_stream_failed',
    {
      en: `Could not read the restore log at ${redact(where)} (${why}). The restore itself may still be running on the management node.`,
      zh: `无法读取 ${redact(where)} 上的恢复日志（${why}）。恢复过程可能仍在管理节点上进行。`,
    },
    { where: redact(where) },
  )
}
