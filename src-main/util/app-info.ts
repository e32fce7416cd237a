import { readFileSync } from 'node:fs'

export interface AppInfo {
  name: string
  version: string
}

/** Name and version from package.json, read once; the same in the window, the web host and the CLI. */
export const appInfo: AppInfo = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    productName: string
    version: string
  }
  return { name: pkg.productName, version: pkg.version }
})()
