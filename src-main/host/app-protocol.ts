import { readFile, stat } from 'node:fs/promises'
import { APP_HOST } from './app-origin.js'
import { mimeType, resolveStaticPath, SECURITY_HEADERS } from './security.js'

export type AppProtocolHandler = (request: Request) => Promise<Response>

/**
 * Serves the built renderer for the `app://zsdr/...` protocol. Only GET/HEAD on the app's own host;
 * the path must stay inside `root`; every response carries the same security headers (CSP included)
 * as the web host's, so the renderer runs under one policy whichever door it came through.
 */
export function createAppProtocolHandler(root: string): AppProtocolHandler {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed')
    let url: URL
    try {
      url = new URL(request.url)
    } catch {
      return plain(400, 'Bad request')
    }
    if (url.host !== APP_HOST) return plain(404, 'Not found')
    // Checked on the raw path: URL parsing already folds "/../", but not "%2e%2e%2f" or "%5c".
    const file = resolveStaticPath(root, url.pathname)
    if (!file) return plain(403, 'Forbidden')
    try {
      if (!(await stat(file)).isFile()) return plain(404, 'Not found')
      const body = request.method === 'HEAD' ? null : await readFile(file)
      return new Response(body, {
        status: 200,
        headers: { ...SECURITY_HEADERS, 'Content-Type': mimeType(file) },
      })
    } catch {
      return plain(404, 'Not found')
    }
  }
}

function plain(status: number, text: string): Response {
  return new Response(text, {
    status,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  })
}
