import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { forgetSecret, registerSecret } from '../../../src-main/errors/redact.js'
import { ZStackClient } from '../../../src-main/zstack/client.js'
import { parseEndpoint } from '../../../src-main/zstack/endpoint.js'

/**
 * A management node (or whatever answers in its place) may send anything. Whatever it sends, the
 * error that reaches the UI, the CLI and the log carries no session id and no other secret.
 */
const sessionId = randomBytes(16).toString('hex')
let reply: { status: number; body: string } = { status: 200, body: '' }
let server: Server

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume()
    res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(reply.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

async function loginError(): Promise<AppError> {
  const client = new ZStackClient({
    endpoint: parseEndpoint(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    accountName: 'admin',
    password: () => 'pw-not-in-errors',
    requestTimeoutMs: 5000,
  })
  const e = await client.login().then(
    () => null,
    (err: unknown) => err,
  )
  expect(e).toBeInstanceOf(AppError)
  return e as AppError
}

const login = `{"inventory":{"uuid":"${sessionId}","accountUuid":"${'a'.repeat(32)}","userUuid":"${'a'.repeat(32)}","expiredDate":"Nov 30, 2026 8:00:00 AM"`

describe('secrets in error details', () => {
  it('a truncated login reply puts no part of the session id in the error', async () => {
    for (const cut of [login.length, login.indexOf(sessionId) + 20]) {
      reply = { status: 200, body: login.slice(0, cut) }
      const e = await loginError()
      expect(e.code).toBe('zstack.malformed_reply')
      const text = JSON.stringify(e.toEnvelope()) + e.message
      expect(text).not.toContain(sessionId.slice(0, 20))
      // The rest of the reply is still there to diagnose with.
      expect(text).toContain('inventory')
    }
  })

  it('a login reply without the session field, or with a wrong status, leaks nothing either', async () => {
    reply = { status: 200, body: `{"inventory":{"uuid":"${sessionId}"},"extra":1` }
    const malformed = await loginError()
    reply = { status: 500, body: `{"inventory":{"uuid":"${sessionId}"}}` }
    const status = await loginError()
    for (const e of [malformed, status]) expect(JSON.stringify(e.toEnvelope())).not.toContain(sessionId)
  })

  it('masks fields named for secrets in any error details, and known secrets in their text', () => {
    const e = new AppError(
      'test.secret',
      { en: 'x', zh: 'x' },
      { password: 'hunter2-long', nested: { sessionUuid: 'abc', Authorization: 'OAuth abcdef' }, note: 'ok' },
    )
    expect(e.details).toEqual({
      password: '***',
      nested: { sessionUuid: '***', Authorization: '***' },
      note: 'ok',
    })
    registerSecret('a-registered-secret')
    const text = new AppError(
      'test.secret',
      { en: 'a-registered-secret', zh: 'a-registered-secret' },
      {
        reply: 'x a-registered-secret y',
      },
    )
    expect(JSON.stringify(text.toEnvelope())).not.toContain('a-registered-secret')
    forgetSecret('a-registered-secret')
  })
})
