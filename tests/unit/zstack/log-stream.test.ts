import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { parseEndpoint } from '../../../src-main/zstack/endpoint.js'
import { readLogStream } from '../../../src-main/zstack/log-stream.js'

let server: Server | null = null
afterEach(async () => {
  const s = server
  server = null
  if (s) {
    s.closeAllConnections()
    await new Promise<void>((r) => s.close(() => r()))
  }
})

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler)
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return (server!.address() as AddressInfo).port
}

const endpoint = parseEndpoint('127.0.0.1')

describe('readLogStream (SSE)', () => {
  it('yields one line per event: CRLF, multi-line data, comments, a last event without a blank line', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: first\r\n\r\n')
      res.write('data: two\ndata: lines\n\n: a comment\n\n')
      res.write('data: split ')
      setTimeout(() => res.end('across chunks\n\ndata: last'), 20)
    })
    const lines: string[] = []
    for await (const line of readLogStream(endpoint, port)) lines.push(line)
    expect(lines).toEqual(['first', 'two\nlines', 'split across chunks', 'last'])
  })

  it('stops quietly when the signal aborts', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' })
      res.write('data: one\n\n')
    })
    const ac = new AbortController()
    const lines: string[] = []
    for await (const line of readLogStream(endpoint, port, { signal: ac.signal })) {
      lines.push(line)
      ac.abort()
    }
    expect(lines).toEqual(['one'])
  })

  it('a refused port or a non-200 is zstack.log_stream_failed, saying the restore may still run', async () => {
    const port = await serve((_req, res) => res.writeHead(404).end())
    const collect = async (p: number) => {
      for await (const _ of readLogStream(endpoint, p)) {
        // drain
      }
    }
    const e = await collect(port).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(AppError)
    expect((e as AppError).code).toBe('zstack.log_stream_failed')
    expect((e as AppError).text.en).toMatch(/may still be running/)
    await new Promise<void>((r) => server!.close(() => r()))
    server = null
    const refused = await collect(port).catch((x: unknown) => x)
    expect((refused as AppError).code).toBe('zstack.log_stream_failed')
  })
})
