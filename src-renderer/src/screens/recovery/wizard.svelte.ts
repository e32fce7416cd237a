import type { CatalogBackup, FetchedCopy, HostScanResult } from '../../../../src-main/api/contract/index.js'

/** One SSH host to look for backups on, as typed in the first step. */
export interface SourceHost {
  host: string
  port: number
  user: string
  /** Sent to the vault for this session when not empty; never kept here after the scan starts. */
  password: string
  imageStore: boolean
  dumpFiles: boolean
}

export const STEPS = ['sources', 'backup', 'fetch', 'restore'] as const
export type StepId = (typeof STEPS)[number]

/** What the wizard has gathered so far; kept while the user moves between steps and screens. */
class WizardState {
  step = $state<StepId>('sources')
  hosts = $state<SourceHost[]>([
    { host: '', port: 22, user: 'root', password: '', imageStore: true, dumpFiles: true },
  ])
  localDirs = $state('')
  dumpDirs = $state('')
  zstcli = $state('')
  scanOpId = $state<string | null>(null)
  scanned = $state<HostScanResult[] | null>(null)
  backup = $state<CatalogBackup | null>(null)
  fetchOpId = $state<string | null>(null)
  copy = $state<FetchedCopy | null>(null)

  /** `user@host:port`: the address the SSH module keys passwords and known hosts by. */
  label(h: SourceHost): string {
    return `${h.user}@${h.host}:${h.port}`
  }
}

export const wizard = new WizardState()

/** Lines of a textarea as absolute paths (blank lines dropped). */
export function paths(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
}
