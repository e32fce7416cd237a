import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppProtocolHandler } from '../../../src-main/host/app-protocol.js'
import { contentSecurityPolicy } from '../../../src-main/host/security.js'

let base: string
let root: string
let handle: ReturnType<typeof createAppProtocolHandler>

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'zsdr-proto-'))
  root = join(base, 'renderer')
  mkdirSync(join(root, 'assets'), { recursive: true })
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>')
  writeFileSync(join(root, 'assets/app.js'), 'console.log(1)')
  // Files next to the renderer folder that must never be reachable.
  writeFileSync(join(base, 'secret.txt'), 'top secret')
  mkdirSync(join(base, 'renderer-evil'))
  writeFileSync(join(base, 'renderer-evil/x.js'), 'evil')
  handle = createAppProtocolHandler(root)
})

afterAll(() => rmSync(base, { recursive: true, force: true }))

/** Builds a request the way Chromium hands it over: the raw URL, without Node's URL normalisation. */
function get(url: string, method = 'GET') {
  return handle({ url, method } as Request)
}

describe('app:// protocol', () => {
  it('serves the renderer with the strict CSP and security headers', async () => {
    const res = await get('app://zsdr/index.html')
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('<title>t</title>')
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(res.headers.get('content-security-policy')).not.toContain('unsafe')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const js = await get('app://zsdr/assets/app.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await get('app://zsdr/')).toMatchObject({ status: 200 })
  })

  it.each([
    'app://zsdr/../../etc/passwd',
    'app://zsdr/%2e%2e/secret.txt',
    'app://zsdr/%2E%2E%2Fsecret.txt',
    'app://zsdr/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    'app://zsdr/..%5csecret.txt',
    'app://zsdr/%2e%2e/renderer-evil/x.js',
    'app://zsdr/%00index.html',
    'app://zsdr/%E0%A4%A',
    'app://zsdr//etc/passwd',
  ])('never serves outside the renderer folder: %s', async (url) => {
    const res = await get(url)
    expect([403, 404]).toContain(res.status)
    const body = await res.text()
    expect(body).not.toContain('top secret')
    expect(body).not.toContain('evil')
    expect(body).not.toContain('root:')
    // Refusals carry the same headers as pages.
    expect(res.headers.get('content-security-policy')).toBe(contentSecurityPolicy())
  })

  it('answers 404 for missing files and directories, 404 for other hosts, 405 for writes', async () => {
    expect((await get('app://zsdr/nope.js')).status).toBe(404)
    expect((await get('app://zsdr/assets')).status).toBe(404)
    expect((await get('app://other/index.html')).status).toBe(404)
    expect((await get('app://zsdr/index.html', 'POST')).status).toBe(405)
    const head = await get('app://zsdr/index.html', 'HEAD')
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })
})
