import type {
  CatalogBackup,
  FetchedCopy,
  HostScanResult,
  SshHostRequest,
} from '../../../../src-main/api/contract/index.js'
import { call } from '../../lib/api.js'

/** How to log in to one SSH host, as typed in the wizard (the same choices the CLI offers). */
export interface SshLogin {
  host: string
  port: number
  user: string
  /** Sent to the vault for this session when not empty; never kept here after use. */
  password: string
  /** A private key file on this computer (OpenSSH or PEM). */
  identityFile: string
  /** The key's passphrase: to the vault for this session, like the password. */
  passphrase: string
  /** Jump host(s), `user@host:port[,…]`, as OpenSSH's ProxyJump. */
  proxyJump: string
}

/** One SSH host to look for backups on, as typed in the first step. */
export interface SourceHost extends SshLogin {
  imageStore: boolean
  dumpFiles: boolean
}

export function newLogin(host = ''): SshLogin {
  return { host, port: 22, user: 'root', password: '', identityFile: '', passphrase: '', proxyJump: '' }
}

/** `user@host:port`: the address the SSH module keys passwords and known hosts by. */
export function loginLabel(h: SshLogin): string {
  return `${h.user}@${h.host.trim()}:${h.port}`
}

/**
 * The contract's SSH target for a login. Its password and passphrase go to the vault for this
 * session only (keyed as the SSH module looks them up) and the fields are emptied.
 */
export async function sshTarget(h: SshLogin): Promise<SshHostRequest> {
  const identityFile = h.identityFile.trim()
  if (h.password) {
    await call('vault.set', { key: `ssh-password:${loginLabel(h)}`, secret: h.password, remember: false })
    h.password = ''
  }
  if (h.passphrase && identityFile) {
    await call('vault.set', { key: `ssh-passphrase:${identityFile}`, secret: h.passphrase, remember: false })
    h.passphrase = ''
  }
  return {
    host: h.host.trim(),
    port: h.port,
    user: h.user,
    agent: false,
    ...(identityFile ? { identityFile } : {}),
    ...(h.proxyJump.trim() ? { proxyJump: h.proxyJump.trim() } : {}),
  }
}

export const STEPS = ['sources', 'backup', 'fetch', 'restore'] as const
export type StepId = (typeof STEPS)[number]

/** What the wizard has gathered so far; kept while the user moves between steps and screens. */
class WizardState {
  step = $state<StepId>('sources')
  hosts = $state<SourceHost[]>([newSource()])
  /** The management-node host to restore onto (step 4). */
  target = $state<SshLogin>(newLogin())
  /** Set when the wizard was opened from a database backup of a connected node ("Recover standalone…"). */
  origin = $state<{ backupName: string; nodeHost: string } | null>(null)
  localDirs = $state('')
  dumpDirs = $state('')
  zstcli = $state('')
  scanOpId = $state<string | null>(null)
  /** Results by scan: a quick scan (a refused host) can report before `db.scan` answers with its id. */
  scans = $state<Record<string, HostScanResult[]>>({})
  get scanned(): HostScanResult[] | null {
    return this.scanOpId ? (this.scans[this.scanOpId] ?? null) : null
  }
  backup = $state<CatalogBackup | null>(null)
  fetchOpId = $state<string | null>(null)
  copy = $state<FetchedCopy | null>(null)

  /**
   * Pre-fills what the app knows about a database backup it lists: its image stores' hosts as the
   * places to search, the management node's host as the restore target. Typed values are kept.
   */
  prefill(backupName: string, storeHosts: readonly string[], nodeHost: string): void {
    const typed = this.hosts.filter((h) => h.host.trim() !== '')
    const added = storeHosts.filter((host) => !typed.some((h) => h.host.trim() === host)).map(newSource)
    this.hosts = [...typed, ...added]
    if (this.hosts.length === 0) this.hosts = [newSource()]
    if (!this.target.host) this.target.host = nodeHost
    this.origin = { backupName, nodeHost }
    this.step = 'sources'
  }
}

function newSource(host = ''): SourceHost {
  return { ...newLogin(host), imageStore: true, dumpFiles: true }
}

export const wizard = new WizardState()

/** Lines of a textarea as absolute paths (blank lines dropped). */
export function paths(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
}
