import { describe, expect, it } from 'vitest'
import { AppError } from '../../../src-main/errors/app-error.js'
import { parseEndpoint } from '../../../src-main/zstack/endpoint.js'

describe('parseEndpoint', () => {
  const ok: [string, string][] = [
    ['10.0.0.5', 'http://10.0.0.5:8080/zstack'],
    ['10.0.0.5:9090', 'http://10.0.0.5:9090/zstack'],
    ['mn.example.com', 'http://mn.example.com:8080/zstack'],
    ['http://10.0.0.5:8080', 'http://10.0.0.5:8080/zstack'],
    ['http://10.0.0.5:8080/zstack', 'http://10.0.0.5:8080/zstack'],
    ['http://10.0.0.5:8080/zstack/', 'http://10.0.0.5:8080/zstack'],
    ['https://mn:8443/zstack', 'https://mn:8443/zstack'],
    ['https://mn', 'https://mn:8080/zstack'],
    ['  10.0.0.5/zstack  ', 'http://10.0.0.5:8080/zstack'],
    ['[::1]:8080', 'http://[::1]:8080/zstack'],
  ]
  for (const [input, base] of ok) {
    it(`accepts ${JSON.stringify(input)}`, () => expect(parseEndpoint(input).baseUrl).toBe(base))
  }

  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['ftp://mn', /only http and https/],
    ['http://admin:pw@mn', /credentials/],
    ['http://mn:8080/other', /unexpected path/],
    ['http://mn:8080/zstack?x=1', /query/],
    ['http://mn:99999', /not a host name or URL/],
  ]
  for (const [input, why] of bad) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      let err: unknown
      try {
        parseEndpoint(input)
      } catch (e) {
        err = e
      }
      expect(err).toBeInstanceOf(AppError)
      expect((err as AppError).code).toBe('zstack.invalid_endpoint')
      expect((err as AppError).text.en).toMatch(why)
      expect((err as AppError).text.zh.length).toBeGreaterThan(0)
      expect((err as AppError).text.en).not.toContain(':pw@')
    })
  }
})
