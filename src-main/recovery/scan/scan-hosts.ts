import type { HostScanResult } from '../../api/contract/db-backups.js'
import type { SshHostRequest } from '../../api/contract/ssh.js'
import type { OperationControl } from '../../api/operations.js'
import { type AppError, isAppError, toEnvelope } from '../../errors/app-error.js'
import type { Logger } from '../../log/logger.js'
import type { SshConnector, SshSessionOptions } from '../../ssh/connector.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { splitSshUrl } from '../../vault/ssh-url.js'
import { type BackupCatalog, type HostSpec, LOCAL_HOST_LABEL, type ScanScope } from './catalog.js'
import { listDumpFiles, listLocalDumpFiles } from './dump-files.js'
import { listImageStoreBackups } from './image-store.js'
import { DEFAULT_DUMP_DIRS, type FoundBackup, type ImageStoreSettings } from './types.js'

export interface ScanPlan {
  hosts: Array<{ target: SshHostRequest; imageStore: boolean; dumpFiles: boolean }>
  localDirs: string[]
  imageStore: ImageStoreSettings
  dumpDirs: string[]
  session: SshSessionOptions
}

export interface ScanDeps {
  connector: SshConnector
  catalog: BackupCatalog
  log: Logger
}

export { DEFAULT_DUMP_DIRS }

/**
 * Looks at every host of the plan (in parallel; one failing host never stops the others) and at
 * the local folders, and records everything found in the catalog.
 */
export async function scanBackups(
  deps: ScanDeps,
  plan: ScanPlan,
  op: OperationControl,
): Promise<HostScanResult[]> {
  const total = plan.hosts.length + (plan.localDirs.length > 0 ? 1 : 0)
  let done = 0
  const step = <T>(r: T): T => {
    op.progress({ phase: 'scan', done: ++done, total, unit: 'items' })
    return r
  }
  op.progress({ phase: 'scan', done: 0, total, unit: 'items' })
  const remote = plan.hosts.map((h) => scanHost(deps, plan, h, op.signal).then(step))
  const local = plan.localDirs.length > 0 ? [scanLocal(deps, plan).then(step)] : []
  return Promise.all([...remote, ...local])
}

async function scanHost(
  deps: ScanDeps,
  plan: ScanPlan,
  h: ScanPlan['hosts'][number],
  signal: AbortSignal,
): Promise<HostScanResult> {
  // What goes into the catalog is the request without any password a pasted URL carried.
  const target = /^ssh:\/\//i.test(h.target.host)
    ? { ...h.target, host: splitSshUrl(h.target.host).redacted }
    : h.target
  const spec: HostSpec = { target, imageStore: plan.imageStore }
  let label = h.target.host
  try {
    label = await deps.connector.label(h.target, plan.session)
  } catch (e) {
    return failed(label, e)
  }
  let host: RemoteHost
  try {
    host = await deps.connector.connect(h.target, plan.session, signal)
  } catch (e) {
    const hostId = deps.catalog.upsertHost(label, spec, null)
    deps.catalog.recordHostError(hostId, isAppError(e) ? e.code : 'internal')
    return failed(label, e)
  }
  try {
    const hostId = deps.catalog.upsertHost(host.label, spec, host.hostKeyFingerprint)
    const problems: AppError[] = []
    const found: FoundBackup[] = []
    const looked: ScanScope[] = []
    if (h.imageStore) {
      try {
        found.push(...(await listImageStoreBackups(host, plan.imageStore, signal)))
        looked.push({ kind: 'image-store' })
      } catch (e) {
        // A host asked for both that simply is no image store is not a problem: it holds dumps.
        if (!(isAppError(e) && e.code === 'scan.zstcli_missing' && h.dumpFiles)) problems.push(asAppError(e))
      }
    }
    if (h.dumpFiles) {
      found.push(...(await listDumpFiles(host, plan.dumpDirs, signal)))
      looked.push({ kind: 'dump-file', dirs: plan.dumpDirs })
    }
    deps.catalog.recordScan(hostId, looked, found)
    const first = problems[0]
    if (first) deps.catalog.recordHostError(hostId, first.code)
    deps.log.info(
      { host: host.label, found: found.length, problems: problems.map((p) => p.code) },
      'scanned host',
    )
    return {
      label: host.label,
      hostKeyFingerprint: host.hostKeyFingerprint,
      found: found.length,
      problems: problems.map((p) => p.toEnvelope()),
    }
  } finally {
    await host.close()
  }
}

async function scanLocal(deps: ScanDeps, plan: ScanPlan): Promise<HostScanResult> {
  const found = await listLocalDumpFiles(plan.localDirs)
  const hostId = deps.catalog.upsertHost(
    LOCAL_HOST_LABEL,
    { target: null, imageStore: plan.imageStore },
    null,
  )
  deps.catalog.recordScan(hostId, [{ kind: 'dump-file', dirs: plan.localDirs }], found)
  return { label: LOCAL_HOST_LABEL, hostKeyFingerprint: null, found: found.length, problems: [] }
}

function failed(label: string, e: unknown): HostScanResult {
  return { label, hostKeyFingerprint: null, found: 0, problems: [toEnvelope(e)] }
}

function asAppError(e: unknown): AppError {
  if (isAppError(e)) return e
  throw e
}
