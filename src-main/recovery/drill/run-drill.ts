import { mkdirSync } from 'node:fs'
import type { DrillLogEntry, DrillOutcome, DrillSanity } from '../../api/contract/drill.js'
import type { ProgressUpdate } from '../../api/operations.js'
import { AppError } from '../../errors/app-error.js'
import { redact } from '../../errors/redact.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { type BackupInspection, inspectBackup } from '../restore/backup-file.js'
import { MysqlClient } from '../restore/mysql-client.js'
import {
  clientHasSandbox,
  MANAGEMENT_DATABASES,
  type RestoreSettings,
  resolveEndpoint,
  statementCheck,
} from '../restore/preflight.js'
import { ident } from '../restore/shell.js'
import { streamRestore } from '../restore/stream-restore.js'
import { type Verification, verifyAgainstDump } from '../restore/verify.js'
import { type DrillReport, writeDrillReport } from './drill-report.js'
import {
  findServerTools,
  freeBytes,
  type ScratchServer,
  type ServerTools,
  startScratchServer,
  sweepLeftovers,
} from './scratch-server.js'

export const DEFAULT_TEMP_DIR = '/tmp'
/** InnoDB keeps a table in about 1.5× its dump text (indexes, pages); the margin covers redo logs and ibdata. */
const SPACE_FACTOR = 1.5
export const DEFAULT_DISK_MARGIN = 256 * 1024 * 1024

export interface DrillSettings {
  backupFile: string
  backupId: number | null
  tempDir: string
  diskMargin: number
  /** The live server, read only (checksums before and after); null when no root password is known. */
  live: RestoreSettings['mysql'] | null
  /** Laptop folder for the evidence report. */
  laptopDir: string
}

export interface DrillRunOptions {
  runId: string
  settings: DrillSettings
  connect(): Promise<RemoteHost>
  log?(entry: DrillLogEntry): void
  progress?(update: ProgressUpdate): void
  signal?: AbortSignal
}

export interface DrillResult {
  runId: string
  outcome: DrillOutcome
  host: string
  startedAt: string
  finishedAt: string
  backup: { path: string; sha256: string | null; size: number | null; uncompressedSize: number | null }
  restoreMs: number | null
  verification: Verification | null
  sanity: DrillSanity | null
  firstError: { code: string; message: string } | null
  production: DrillReport['production']
  reportPaths: { json: string; text: string }
}

/**
 * A recovery drill: the backup restored into a throwaway server on the host (never the live one),
 * through the restore's own checks and streaming, then verified as a restore is, plus ZStack sanity
 * counts. The scratch server is stopped and deleted on every path; the live databases are only read.
 * Never throws for an expected failure: the outcome and the first error are in the result.
 */
export async function runDrill(options: DrillRunOptions): Promise<DrillResult> {
  const { settings, runId } = options
  const startedAt = new Date().toISOString()
  const lines: DrillLogEntry[] = []
  const log = (level: DrillLogEntry['level'], message: string) => {
    const entry = { opId: runId, at: new Date().toISOString(), level, message: redact(message) }
    lines.push(entry)
    options.log?.(entry)
  }
  mkdirSync(settings.laptopDir, { recursive: true, mode: 0o700 })
  const state: DrillState = {
    host: null,
    inspection: null,
    tools: null,
    scratch: null,
    restoreMs: null,
    verification: null,
    sanity: null,
    production: {
      measured: false,
      before: null,
      after: null,
      unchanged: null,
      note: 'Not measured: no MySQL root password for the live server was given.',
    },
    live: null,
    leftovers: [],
    cleaned: null,
  }
  let outcome: DrillOutcome = 'failed'
  let error: AppError | null = null
  try {
    outcome = await steps(options, state, log)
  } catch (e) {
    error = e instanceof AppError ? e : internal(e)
    outcome = state.scratch || state.restoreMs !== null ? 'failed' : refusedCode(error) ? 'refused' : 'failed'
    log('error', error.text.en)
  } finally {
    if (state.scratch) {
      state.cleaned = await state.scratch.stop().catch(() => false)
      log(
        state.cleaned ? 'info' : 'error',
        state.cleaned
          ? `Scratch server stopped; ${state.scratch.dir} deleted.`
          : `The scratch folder ${state.scratch.dir} could not be verified deleted; the next drill removes it.`,
      )
    }
    if (state.live) await measureProduction(state, log, 'after')
    await state.host?.close().catch(() => {})
  }
  const finishedAt = new Date().toISOString()
  const firstError = error ? { code: error.code, message: error.text.en } : null
  log(outcome === 'passed' ? 'info' : 'error', `Drill ${outcome.toUpperCase()}.`)
  const report: DrillReport = {
    kind: 'DRILL',
    runId,
    startedAt,
    finishedAt,
    outcome,
    host: state.host?.label ?? '',
    hostKeyFingerprint: state.host?.hostKeyFingerprint ?? null,
    server: state.tools ? { binary: state.tools.server, version: state.tools.version } : null,
    scratchDir: state.scratch?.dir ?? null,
    scratchRemoved: state.cleaned,
    leftoversRemoved: state.leftovers,
    backup: backupFacts(settings.backupFile, state.inspection),
    restoreMs: state.restoreMs,
    verification: state.verification,
    sanity: state.sanity,
    production: state.production,
    firstError,
    log: lines,
  }
  const reportPaths = await writeDrillReport(
    settings.laptopDir,
    `drill-${startedAt.replace(/[:.]/g, '-')}-${runId.slice(0, 8)}`,
    report,
  )
  return {
    runId,
    outcome,
    host: report.host,
    startedAt,
    finishedAt,
    backup: report.backup,
    restoreMs: state.restoreMs,
    verification: state.verification,
    sanity: state.sanity,
    firstError,
    production: state.production,
    reportPaths,
  }
}

interface DrillState {
  host: RemoteHost | null
  inspection: BackupInspection | null
  tools: ServerTools | null
  scratch: ScratchServer | null
  restoreMs: number | null
  verification: Verification | null
  sanity: DrillSanity | null
  production: DrillReport['production']
  /** Read-only login to the live server, for the checksums before and after. */
  live: MysqlClient | null
  leftovers: string[]
  cleaned: boolean | null
}

type Log = (level: DrillLogEntry['level'], message: string) => void

async function steps(options: DrillRunOptions, state: DrillState, log: Log): Promise<DrillOutcome> {
  const { settings, signal } = options
  const progress = options.progress ?? (() => {})
  log('info', `Checking the backup ${settings.backupFile}.`)
  // The backup check (two passes over the file here) runs while the host is being prepared over SSH.
  const checking = inspectBackup(settings.backupFile, {
    ...(signal ? { signal } : {}),
    onBytes: (done, total) => progress({ phase: 'check_backup', done, total, unit: 'bytes' }),
  }).then((inspection) => {
    state.inspection = inspection
    log(
      'info',
      `Backup intact: sha256 ${inspection.sha256}, ${inspection.summary.totalRows} rows, ${inspection.summary.uncompressedBytes} bytes uncompressed.`,
    )
    return inspection
  })
  const preparing = prepareHost(options, state, log)
  // Both settle before going on, so a connection made while the backup failed is still closed.
  const [checked, prepared] = await Promise.allSettled([checking, preparing])
  if (checked.status === 'rejected') throw checked.reason
  if (prepared.status === 'rejected') throw prepared.reason
  const inspection = checked.value
  const { host, tools } = prepared.value

  const needed = Math.ceil(inspection.summary.uncompressedBytes * SPACE_FACTOR) + settings.diskMargin
  const free = await freeBytes(host, settings.tempDir)
  if (free === null || free < needed) {
    throw new AppError(
      'drill.no_space',
      {
        en: `Not enough room in ${settings.tempDir} on ${host.label} for the scratch server: about ${mib(needed)} needed (backup ${mib(inspection.summary.uncompressedBytes)} uncompressed, plus margin), ${free === null ? 'free space unknown' : `${mib(free)} free`}. Nothing was started. Choose another folder (--temp-dir) or host.`,
        zh: `${host.label} 上的 ${settings.tempDir} 空间不足以运行临时服务器：约需 ${mib(needed)}（备份解压后 ${mib(inspection.summary.uncompressedBytes)}，另加余量），${free === null ? '可用空间未知' : `可用 ${mib(free)}`}。未启动任何服务。请选择其他目录（--temp-dir）或主机。`,
      },
      { needed, free },
    )
  }
  log('info', `Room in ${settings.tempDir}: ${mib(free)} free, about ${mib(needed)} needed.`)
  const liveDatabases = settings.live ? await openProduction(host, settings.live, state, log) : []
  contained(inspection, liveDatabases, log)
  signal?.throwIfAborted()

  state.scratch = await startScratchServer(host, tools, {
    tempRoot: settings.tempDir,
    ...(signal ? { signal } : {}),
  })
  log('info', `Scratch server up in ${state.scratch.dir} (socket only, no network port).`)

  const databases = MANAGEMENT_DATABASES.filter((d) => inspection.summary.databases[d])
  log('info', `Restoring ${databases.join(', ')} into the scratch server.`)
  const started = Date.now()
  const restored = await cancellable(
    signal,
    streamRestore(host, state.scratch.client, settings.backupFile, {
      databases,
      expected: inspection.summary,
      definerHost: 'localhost',
      clientOptions: (await clientHasSandbox(host)) ? '--sandbox' : '',
      onDrop: () => {},
      onBytes: (done, total) => progress({ phase: 'restore', done, total, unit: 'bytes' }),
      ...(signal ? { signal } : {}),
    }),
  )
  state.restoreMs = Date.now() - started
  log('info', `Restored ${restored.totalRows} rows in ${(state.restoreMs / 1000).toFixed(1)} s.`)

  state.verification = await verifyAgainstDump(state.scratch.client, restored, databases, signal)
  const v = state.verification
  log(
    v.ok ? 'info' : 'error',
    `${v.ok ? 'Verified' : 'Verification FAILED'}: ${v.tablesChecked} tables, ${v.rowsFound}/${v.rowsExpected} rows, schema_version ${v.schemaVersion.actual ?? '-'} (expected ${v.schemaVersion.expected ?? '-'}).`,
  )
  if (!v.ok) {
    const m = v.mismatches[0]
    throw new AppError('drill.verification_failed', {
      en: `The restored copy does not match the backup (${v.mismatches.length} differences${m ? `; first: ${m.database}.${m.table} expected ${m.expected} rows, found ${m.actual ?? 'no table'}` : ''}).`,
      zh: `恢复出的副本与备份不一致（${v.mismatches.length} 处不同${m ? `；第一处：${m.database}.${m.table} 应有 ${m.expected} 行，实际 ${m.actual ?? '无此表'}` : ''}）。`,
    })
  }
  state.sanity = await zstackSanity(state.scratch.client)
  const s = state.sanity
  log(
    s.adminAccounts > 0 ? 'info' : 'error',
    `ZStack: ${s.adminAccounts} admin account(s), ${s.hosts} hosts, ${s.vms} VMs, ${s.primaryStorages} primary and ${s.backupStorages} backup storages.`,
  )
  if (s.adminAccounts === 0) {
    throw new AppError('drill.no_admin_account', {
      en: 'The restored copy has no admin account (AccountVO of type SystemAdmin): nobody could log in to this cloud.',
      zh: '恢复出的副本中没有管理员账户（类型为 SystemAdmin 的 AccountVO）：无人能够登录此云。',
    })
  }
  return 'passed'
}

/** Connects, removes leftovers of earlier drills, finds the server binary. */
async function prepareHost(
  options: DrillRunOptions,
  state: DrillState,
  log: Log,
): Promise<{ host: RemoteHost; tools: ServerTools }> {
  const host = await options.connect()
  state.host = host
  log('info', `Connected to ${host.label} (${host.hostKeyFingerprint ?? 'this computer'}).`)
  state.leftovers = await sweepLeftovers(host, options.settings.tempDir)
  if (state.leftovers.length)
    log('warn', `Removed leftovers of earlier drills: ${state.leftovers.join(', ')}.`)
  state.tools = await findServerTools(host)
  log('info', `Server binary ${state.tools.server}: ${state.tools.version}.`)
  return { host, tools: state.tools }
}

/**
 * Settles as soon as the drill is cancelled, whatever `work` is waiting for (a file stream stopped by
 * the signal does not end the pipeline behind it); the scratch server is then stopped by the caller.
 */
function cancellable<T>(signal: AbortSignal | undefined, work: Promise<T>): Promise<T> {
  if (!signal) return work
  signal.throwIfAborted()
  work.catch(() => {})
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    ),
  ])
}

/** What a freshly initialised server holds besides the restored databases. */
const FRESH_SERVER_DATABASES = ['information_schema', 'mysql', 'performance_schema', 'sys']

/**
 * The restore's own containment check, before anything starts: a backup the restore would refuse, the
 * drill refuses too. Names in bodies are compared with the scratch server's databases and, when known,
 * the live server's, so the drill is never more lenient than a restore on this host.
 */
function contained(inspection: BackupInspection, liveDatabases: string[], log: Log): void {
  const [status, text] = statementCheck(inspection.summary, [...FRESH_SERVER_DATABASES, ...liveDatabases])
  if (status === 'fail')
    throw new AppError('drill.backup_refused', text, {
      lines: inspection.summary.refusals.map((r) => r.line),
    })
  log('info', text.en)
}

async function openProduction(
  host: RemoteHost,
  live: RestoreSettings['mysql'],
  state: DrillState,
  log: Log,
): Promise<string[]> {
  const { endpoint } = await resolveEndpoint(host, live)
  const client = await MysqlClient.open(host, endpoint, live.password)
  state.live = client
  state.production.measured = true
  state.production.note = ''
  await measureProduction(state, log, 'before')
  return (await client.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA;')).map(
    (r) => r[0] as string,
  )
}

/** CHECKSUM TABLE of every base table of the management databases on the live server (read only). */
async function measureProduction(state: DrillState, log: Log, when: 'before' | 'after'): Promise<void> {
  const p = state.production
  const client = state.live
  if (!client) return
  try {
    const names = MANAGEMENT_DATABASES.map((d) => `'${d}'`).join(',')
    const tables = await client.query(
      `SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN (${names}) AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1, 2;`,
    )
    const sums = tables.length
      ? await client.query(
          `CHECKSUM TABLE ${tables.map(([d, t]) => `${ident(d as string)}.${ident(t as string)}`).join(', ')};`,
        )
      : []
    p[when] = Object.fromEntries(sums.map(([name, sum]) => [name as string, sum ?? 'NULL']))
    log('info', `Production databases ${when} the drill: ${sums.length} tables checksummed.`)
  } catch (e) {
    p.note = `Production checksums ${when} the drill could not be read: ${e instanceof AppError ? e.text.en : String(e)}`
    log('warn', p.note)
  }
  if (when === 'after') {
    await client.close()
    state.live = null
    p.unchanged = p.before && p.after ? JSON.stringify(p.before) === JSON.stringify(p.after) : null
    p.note =
      p.unchanged === null
        ? p.note
        : p.unchanged
          ? 'The production databases are unchanged: every CHECKSUM TABLE is the same before and after the drill.'
          : 'The production databases CHANGED during the drill (something else wrote to them; the drill only reads them).'
    log(p.unchanged === false ? 'warn' : 'info', p.note)
  }
}

/** What ZStack itself needs to be usable: counted in the restored copy (the VO views are the EO tables without deleted rows). */
const SANITY: Record<keyof DrillSanity, [table: string, where: string]> = {
  adminAccounts: ['AccountVO', "type = 'SystemAdmin'"],
  hosts: ['HostEO', 'deleted IS NULL'],
  vms: ['VmInstanceEO', 'deleted IS NULL'],
  primaryStorages: ['PrimaryStorageEO', 'deleted IS NULL'],
  backupStorages: ['BackupStorageEO', 'deleted IS NULL'],
}

/** Two round trips: which of the tables exist, then every count at once (a missing table counts 0). */
async function zstackSanity(client: MysqlClient): Promise<DrillSanity> {
  const names = Object.values(SANITY).map(([t]) => `'${t}'`)
  const present = new Set(
    (
      await client.query(
        `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'zstack' AND TABLE_NAME IN (${names.join(',')});`,
      )
    ).map((r) => r[0]),
  )
  const keys = Object.keys(SANITY) as (keyof DrillSanity)[]
  const columns = keys.map((k) => {
    const [table, where] = SANITY[k]
    return present.has(table) ? `(SELECT COUNT(*) FROM zstack.${ident(table)} WHERE ${where})` : '0'
  })
  const row = (await client.query(`SELECT ${columns.join(', ')};`))[0] ?? []
  return Object.fromEntries(keys.map((k, i) => [k, Number(row[i] ?? 0)])) as unknown as DrillSanity
}

function backupFacts(path: string, inspection: BackupInspection | null): DrillResult['backup'] {
  return {
    path,
    sha256: inspection?.sha256 ?? null,
    size: inspection?.size ?? null,
    uncompressedSize: inspection?.summary.uncompressedBytes ?? null,
  }
}

/** Errors raised before the scratch server exists that mean "not attempted", not "the backup failed". */
function refusedCode(error: AppError): boolean {
  return /^drill\.(no_space|no_server_binary|backup_refused)$|^op\.cancelled$/.test(error.code)
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(0)} MiB`
}

function internal(e: unknown): AppError {
  const text = redact(e instanceof Error ? e.message : String(e)).slice(0, 500)
  return new AppError(
    'drill.internal',
    { en: `Unexpected failure: ${text}`, zh: `意外失败：${text}` },
    undefined,
    {
      cause: e,
    },
  )
}
