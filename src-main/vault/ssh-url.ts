import { AppError } from '../errors/app-error.js'
import { redact, registerSecret } from '../errors/redact.js'

export interface SplitSshUrl {
  user: string | undefined
  host: string
  port: number | undefined
  path: string
  /** Present only if the URL carried one; the caller puts it in the vault at once. */
  password: string | undefined
  /** The URL without its password: safe to show, log and store. */
  redacted: string
}

/**
 * Splits the `ssh://user:password@host:port/path` URLs ZStack uses (backupStorageUrl, zstack-ctl)
 * and users paste. The password is registered for redaction the moment it is seen.
 */
export function splitSshUrl(url: string): SplitSshUrl {
  let parsed: URL
  try {
    parsed = new URL(url.trim())
  } catch {
    throw badUrl(url)
  }
  if (parsed.protocol !== 'ssh:' || !parsed.hostname) throw badUrl(url)
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined
  registerSecret(password)
  registerSecret(parsed.password)
  const user = parsed.username ? decodeURIComponent(parsed.username) : undefined
  parsed.password = ''
  return {
    user,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : undefined,
    path: decodeURIComponent(parsed.pathname || '/'),
    password,
    redacted: parsed.toString(),
  }
}

function badUrl(url: string): AppError {
  return new AppError('vault.bad_ssh_url', {
    en: `Not an SSH URL of the form ssh://user:password@host:port/path: ${redact(url)}`,
    zh: `不是 ssh://user:password@host:port/path 形式的 SSH 地址：${redact(url)}`,
  })
}
