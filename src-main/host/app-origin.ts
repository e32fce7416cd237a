/**
 * The renderer's home when it runs in the Electron window: a privileged `app://zsdr` origin served
 * from the built renderer folder (never file://, which would grant every local file the same origin).
 */
export const APP_SCHEME = 'app'
export const APP_HOST = 'zsdr'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`

/**
 * True when `url` belongs to the origin of `base`. Compares scheme and host (with port) rather than
 * `URL.origin`, because Node reports the origin of a custom scheme such as `app:` as "null".
 */
export function sameOrigin(url: string, base: string): boolean {
  try {
    const a = new URL(url)
    const b = new URL(base)
    return a.protocol === b.protocol && a.host === b.host && a.host !== ''
  } catch {
    return false
  }
}
