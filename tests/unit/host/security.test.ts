import { describe, expect, it } from 'vitest'
import {
  contentSecurityPolicy,
  externalUrlAllowed,
  resolveStaticPath,
} from '../../../src-main/host/security.js'

describe('static path guard', () => {
  const root = '/srv/app'
  it.each([
    ['/', '/srv/app/index.html'],
    ['/assets/index.js', '/srv/app/assets/index.js'],
    ['/a%20b.css', '/srv/app/a b.css'],
  ])('maps %s inside the root', (path, expected) => {
    expect(resolveStaticPath(root, path)).toBe(expected)
  })

  it.each([
    '/../etc/passwd',
    '/assets/../../etc/passwd',
    '/%2e%2e/%2e%2e/etc/passwd',
    '/..%2f..%2fetc/passwd',
    '/assets%5c..%5c..%5cwin.ini',
    '/index.html%00.js',
    '/%E0%A4%A',
  ])('refuses %s', (path) => {
    expect(resolveStaticPath(root, path)).toBeNull()
  })
})

describe('CSP', () => {
  it('allows only self scripts and forbids inline script, eval, objects and framing', () => {
    const csp = contentSecurityPolicy()
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("frame-ancestors 'none'")
  })
})

describe('external links', () => {
  it.each([
    ['https://www.zstack.io/help', true],
    ['http://10.0.0.5:5000/console', true],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['smb://host/share', false],
    ['https://user:pw@host/', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(externalUrlAllowed(url)).toBe(allowed)
  })
})
