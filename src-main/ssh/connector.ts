import { homedir } from 'node:os'
import { join } from 'node:path'
import type { SshHostRequest } from '../api/contract/ssh.js'
import { sshPassphraseKey, sshPasswordKey } from '../vault/keys.js'
import { splitSshUrl } from '../vault/ssh-url.js'
import type { Vault } from '../vault/vault.js'
import { connectHost } from './connect.js'
import { KnownHosts } from './known-hosts.js'
import type { HostKeyPrompter } from './prompter.js'
import { resolveTarget } from './ssh-config.js'
import type { SshHost } from './ssh-host.js'
import { parseHostSpec, type SshTarget, targetLabel } from './target.js'

/** Per-request host-key and config choices (see `sshSessionFields` in the contract). */
export interface SshSessionOptions {
  acceptNewHostKey: boolean
  knownHostsFile?: string | undefined
  sshConfigFile?: string | null | undefined
}

export interface SshConnectorDeps {
  dataDir: string
  vault: Vault
  prompter: HostKeyPrompter
  /** Stands in for `~` (tests); default the user's home. */
  homeDir?: string
}

/**
 * How services reach hosts: API host descriptions become SSH connections with the vault's
 * secrets, the app's known-hosts file (plus `~/.ssh/known_hosts`, read-only) and the UI's
 * host-key prompts.
 */
export class SshConnector {
  private readonly home: string

  constructor(private readonly deps: SshConnectorDeps) {
    this.home = deps.homeDir ?? homedir()
  }

  /** The app's own known-hosts file. */
  get knownHostsFile(): string {
    return join(this.deps.dataDir, 'known_hosts')
  }

  /** Turns a request's host into a target; an `ssh://user:password@...` URL leaves its password in the vault session. */
  async target(req: SshHostRequest, session: SshSessionOptions): Promise<SshTarget> {
    let base: SshTarget
    if (/^ssh:\/\//i.test(req.host)) {
      const url = splitSshUrl(req.host)
      base = {
        host: url.host,
        ...(url.port ? { port: url.port } : {}),
        ...(url.user ? { user: url.user } : {}),
      }
      if (url.password !== undefined) {
        const label = targetLabel(resolveTarget({ ...base, ...overrides(req) }, this.configSources(session)))
        await this.deps.vault.set(sshPasswordKey(label), url.password, { remember: false })
      }
    } else {
      base = parseHostSpec(req.host)
    }
    return { ...base, ...overrides(req) }
  }

  /** The `user@host:port` a request's host resolves to (the vault and catalog key). */
  async label(req: SshHostRequest, session: SshSessionOptions): Promise<string> {
    return targetLabel(resolveTarget(await this.target(req, session), this.configSources(session)))
  }

  async connect(req: SshHostRequest, session: SshSessionOptions, signal?: AbortSignal): Promise<SshHost> {
    const target = await this.target(req, session)
    const vault = this.deps.vault
    return connectHost(target, {
      ...this.configSources(session),
      knownHosts: new KnownHosts(session.knownHostsFile ?? this.knownHostsFile, [
        join(this.home, '.ssh', 'known_hosts'),
      ]),
      acceptNewHostKey: session.acceptNewHostKey,
      confirmHostKey: (prompt) => this.deps.prompter.ask(prompt),
      credentials: async (resolved) => {
        const password = (await vault.get(sshPasswordKey(targetLabel(resolved)))) ?? undefined
        return {
          ...(password !== undefined ? { password } : {}),
          passphrase: async (file) => (await vault.get(sshPassphraseKey(file))) ?? undefined,
        }
      },
      ...(signal ? { signal } : {}),
    })
  }

  private configSources(session: SshSessionOptions): { configFile?: string | null; homeDir: string } {
    return session.sshConfigFile === undefined
      ? { homeDir: this.home }
      : { configFile: session.sshConfigFile, homeDir: this.home }
  }
}

function overrides(req: SshHostRequest): Partial<SshTarget> {
  const o: Partial<SshTarget> = {}
  if (req.port !== undefined) o.port = req.port
  if (req.user !== undefined) o.user = req.user
  if (req.identityFile !== undefined) o.identityFile = req.identityFile
  if (req.proxyJump !== undefined) o.proxyJump = req.proxyJump
  if (req.agent === false) o.agent = false
  return o
}
