import { AppError } from '../errors/app-error.js'

/**
 * Where to connect, as the user gave it. `host` may be an alias from `~/.ssh/config`; what the
 * config says fills in whatever is not set here. Secrets (password, passphrase) are never part
 * of a target: they come from the vault or a prompt through `ConnectOptions.credentials`.
 */
export interface SshTarget {
  host: string
  port?: number
  user?: string
  /** Private key file (`-i`); tried before the config's and the default identity files. */
  identityFile?: string
  /** ssh-agent socket; default `$SSH_AUTH_SOCK`; `false` turns agent auth off. */
  agent?: string | false
  /** `[user@]host[:port]` list, comma-separated, as in OpenSSH; overrides the config's ProxyJump. */
  proxyJump?: string
}

/** A target after `~/.ssh/config` has been applied: what is actually dialled. */
export interface ResolvedTarget {
  /** The name the user gave (alias); known-hosts entries use `hostname`. */
  alias: string
  hostname: string
  port: number
  user: string
  /** The files named by `-i` or IdentityFile; when none is named, the default `~/.ssh/id_*` that exist. */
  identityFiles: string[]
  /** Named files must work; default ones are skipped quietly when missing or locked, as OpenSSH does. */
  identitiesNamed: boolean
  proxyJump: string | null
}

/** `user@host:port` for logs, prompts and the catalog. Never carries a secret. */
export function targetLabel(t: { user: string; hostname: string; port: number }): string {
  const host = t.hostname.includes(':') ? `[${t.hostname}]` : t.hostname
  return `${t.user}@${host}:${t.port}`
}

/**
 * Parses `[user@]host[:port]` (IPv6 in brackets) or `ssh://user@host:port/...` without a password.
 * A URL carrying a password must go through the vault's `splitSshUrl` first, so it is refused here.
 */
export function parseHostSpec(spec: string): SshTarget {
  const text = spec.trim()
  if (/^ssh:\/\//i.test(text)) {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      throw badSpec()
    }
    if (url.password) throw badSpec()
    return withoutUndefined({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port ? Number(url.port) : undefined,
      user: url.username ? decodeURIComponent(url.username) : undefined,
    })
  }
  const m = /^(?:([^@\s]+)@)?(\[[0-9a-fA-F:.]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(text)
  if (!m?.[2]) throw badSpec()
  const port = m[3] ? Number(m[3]) : undefined
  if (port !== undefined && (port < 1 || port > 65535)) throw badSpec()
  return withoutUndefined({ host: m[2].replace(/^\[|\]$/g, ''), port, user: m[1] })
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

function badSpec(): AppError {
  return new AppError('ssh.bad_target', {
    en: 'A host must look like user@host:port, host, an alias from ~/.ssh/config, or ssh://user@host:port.',
    zh: '主机格式应为 user@host:port、host、~/.ssh/config 中的别名，或 ssh://user@host:port。',
  })
}
