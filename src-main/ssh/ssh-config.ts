import { existsSync, readFileSync } from 'node:fs'
import { homedir, userInfo } from 'node:os'
import { join, resolve } from 'node:path'
import SSHConfig from 'ssh-config'
import type { ResolvedTarget, SshTarget } from './target.js'

export interface ConfigSources {
  /** The OpenSSH client config to honour; default `~/.ssh/config`; `null` reads none. */
  configFile?: string | null
  /** Stands in for `~` (tests); default the user's home directory. */
  homeDir?: string
}

const DEFAULT_IDENTITIES = ['id_ed25519', 'id_ecdsa', 'id_rsa']

/**
 * Applies `~/.ssh/config` to a target as OpenSSH does for the options we honour: Host aliases,
 * HostName, Port, User, IdentityFile, ProxyJump. Values given on the target win over the config.
 */
export function resolveTarget(target: SshTarget, sources: ConfigSources = {}): ResolvedTarget {
  const home = sources.homeDir ?? homedir()
  const computed = readConfig(
    sources.configFile === undefined ? join(home, '.ssh', 'config') : sources.configFile,
  )?.compute(target.host, { ignoreCase: true, matchExec: false })
  const get = (key: string): string | undefined => {
    const v = computed?.[key.toLowerCase()]
    return Array.isArray(v) ? v[0] : v
  }
  const list = (key: string): string[] => {
    const v = computed?.[key.toLowerCase()]
    return v === undefined ? [] : Array.isArray(v) ? v : [v]
  }
  const hostname = (get('HostName') ?? target.host).replace(/%h/g, target.host)
  const configured = [...(target.identityFile ? [target.identityFile] : []), ...list('IdentityFile')]
  const named = configured.length > 0
  const files = named ? configured : DEFAULT_IDENTITIES.map((n) => join(home, '.ssh', n))
  const jump = target.proxyJump ?? get('ProxyJump') ?? null
  return {
    alias: target.host,
    hostname,
    port: target.port ?? Number(get('Port') ?? 22),
    user: target.user ?? get('User') ?? userInfo().username,
    identityFiles: unique(files.map((f) => expandHome(f, home))),
    identitiesNamed: named,
    proxyJump: jump && jump.toLowerCase() !== 'none' ? jump : null,
  }
}

function readConfig(file: string | null): SSHConfig | null {
  if (!file || !existsSync(file)) return null
  return SSHConfig.parse(readFileSync(file, 'utf8'))
}

function expandHome(path: string, home: string): string {
  if (path === '~' || path.startsWith('~/')) return join(home, path.slice(1))
  return resolve(path)
}

function unique(items: string[]): string[] {
  return [...new Set(items)]
}
