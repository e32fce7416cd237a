import { describe, expect, it } from 'vitest'
import { isAppError } from '../../../src-main/errors/app-error.js'
import { LogParser, MAX_LINE } from '../../../src-main/zstack/log-stream.js'

function parse(...chunks: string[]): string[] {
  const p = new LogParser('node:4000')
  return chunks.flatMap((c) => [...p.push(c)])
}

describe('restore log parser (raw TCP, taillog or SSE)', () => {
  it('LF-only headers then data: lines, as taillog behind nc writes them', () => {
    expect(parse('HTTP/1.1 200 OK\nContent-Type: text/event-stream\n\ndata: one\ndata: two\n')).toEqual([
      'one',
      'two',
    ])
  })

  it('CRLF headers and SSE events with blank lines and comments', () => {
    expect(
      parse(
        'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\n: hi\r\ndata: a\r\n\r\nid: 3\r\ndata:b\r\n\r\n',
      ),
    ).toEqual(['a', 'b'])
  })

  it('no headers and no data: prefixes: every line is a log line', () => {
    expect(parse('plain one\nplain two\n')).toEqual(['plain one', 'plain two'])
  })

  it('lines split across chunks anywhere, headers included', () => {
    expect(parse('HTT', 'P/1.1 200 OK\nX: y', '\n\ndata: sp', 'lit\nda', 'ta: next\n')).toEqual([
      'split',
      'next',
    ])
  })

  it('a status other than 200 is a clear error', () => {
    try {
      parse('HTTP/1.1 503 Service Unavailable\n\n')
      expect.unreachable()
    } catch (e) {
      expect(isAppError(e) && e.code).toBe('zstack.log_stream_failed')
    }
  })

  it('control characters from the node never pass; overlong lines are cut', () => {
    expect(parse('data: \u001b[31mred\u001b[0m\tx\u0007\n')).toEqual(['[31mred[0m x'])
    const long = parse(`data: ${'x'.repeat(MAX_LINE + 10)}\n`)[0]!
    expect(long.length).toBe(MAX_LINE + 1)
    // A line that never ends is cut instead of held in memory without limit.
    expect(parse('HTTP/1.1 200 OK\n\n', 'y'.repeat(MAX_LINE * 5)).length).toBe(1)
  })

  it('headers without end are refused after 16 KiB', () => {
    expect(() => parse(`HTTP/1.1 200 OK\n${'X-Pad: aaaaaaaaaaaaaaaaaaaa\n'.repeat(1000)}`)).toThrow(
      /headers too long/,
    )
  })
})
