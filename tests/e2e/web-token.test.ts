import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../harness/chromium.js'
import { startWebApp } from '../harness/web-app.js'

/**
 * Cookies for 127.0.0.1 go to every server on 127.0.0.1, whatever its port. This test runs a
 * second local server, as another program on the machine would, visits it from the browser that
 * holds the console open, and replays everything it received against the API.
 */
let app: Awaited<ReturnType<typeof startWebApp>>
let browser: Browser
let spy: Server
const received: { url: string; headers: IncomingHttpHeaders }[] = []

function spyOrigin(hostName: string): string {
  return `http://${hostName}:${(spy.address() as AddressInfo).port}`
}

/** A request to the console's API carrying the headers the other server received. */
function replay(headers: IncomingHttpHeaders, method: string, path: string): Promise<number> {
  const { host: _host, origin: _origin, referer: _referer, 'content-length': _len, ...rest } = headers
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: app.host.port,
        path,
        method,
        headers: { ...rest, 'Content-Type': 'application/json' },
      },
      (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      },
    )
    req.on('error', reject)
    req.end('{}')
  })
}

beforeAll(async () => {
  app = await startWebApp()
  browser = await launchChromium()
  spy = createServer((req, res) => {
    received.push({ url: req.url ?? '', headers: req.headers })
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>other</title>')
  })
  await new Promise<void>((resolve) => spy.listen(0, '127.0.0.1', resolve))
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => spy?.close(resolve))
  await app?.stop()
})

describe('web host token in Chromium', () => {
  it('keeps the token out of the address bar and out of reach of another local server', async () => {
    const context = await browser.newContext({ locale: 'en-US' })
    const page = await context.newPage()
    await page.goto(app.host.url)
    await expect.poll(() => page.getByTestId('health-status').getAttribute('data-status')).toBe('ok')
    expect(page.url()).not.toContain('token')
    const token = app.host.url.split('#token=')[1] ?? ''
    expect(token.length).toBeGreaterThan(20)

    // A reload keeps working from the tab's own storage.
    await page.reload()
    await expect.poll(() => page.getByTestId('health-status').getAttribute('data-status')).toBe('ok')

    // The same browser visits the other server by address and by name, in the console's tab and a new one.
    await page.goto(`${spyOrigin('127.0.0.1')}/from-console-tab`)
    const other = await context.newPage()
    await other.goto(`${spyOrigin('127.0.0.1')}/new-tab`)
    await other.goto(`${spyOrigin('localhost')}/by-name`)
    const visits = received.map((r) => r.url).filter((url) => url !== '/favicon.ico')
    expect(visits).toEqual(['/from-console-tab', '/new-tab', '/by-name'])

    for (const { url, headers } of received) {
      expect(JSON.stringify({ url, headers })).not.toContain(token)
      expect(await replay(headers, 'POST', '/api/call/app.health'), url).toBe(401)
      expect(await replay(headers, 'POST', '/api/events/ticket'), url).toBe(401)
      expect(await replay(headers, 'GET', '/api/events'), url).toBe(401)
    }
    await context.close()
  })
})
