import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { RestoreOutcome, RestorePlan } from '../../api/contract/restore.js'
import type { ProgressUpdate } from '../../api/operations.js'
import { AppError, type ErrorEnvelope, toEnvelope } from '../../errors/app-error.js'
import { redact } from '../../errors/redact.js'
import type { RemoteHost } from '../../ssh/remote-host.js'
import { appInfo } from '../../util/app-info.js'
import { applyVmHa } from './drift/index.js'
import { vmHaReport } from './drift/plan-text.js'
import type { DumpSummary } from './dump-scanner.js'
import { type EvidenceReport, writeEvidence } from './evidence.js'
import { MysqlClient, removeOptionFolders } from './mysql-client.js'
import { type ZstackCtlCommand, zstackCtl } from './node-control.js'
import { DEFAULT_SAFETY_DIR, type PreflightFacts, preflight, type RestoreSettings } from './preflight.js'
import { RecordingHost } from './recording-host.js'
import { recreateMissingRoutines } from './routines.js'
import { type LogSink, RunLog, type StepRecord } from './run-log.js'
import { type SafetyDump, takeSafetyDump } from './safety-dump.js'
import { dropDatabase, streamRestore } from './stream-restore.js'
import { type Verification, verifyAgainstDump } from './verify.js'

export interface RestoreRunOptions {
  runId: string
  settings: RestoreSettings
  /** Opens a connection to the management-node host; called again to reconnect for a rollback. */
  connect(): Promise<RemoteHost>
  /** Resolves true once the user typed the host name (or `--yes`), false to abort. */
  confirm(plan: RestorePlan): Promise<boolean>
  /** The run was confirmed by `--yes`, not by a typed host name (the report says so). */
  yes?: boolean
  dryRun?: boolean
  sinks?: LogSink[]
  progress?(update: ProgressUpdate): void
  /** Cancels the run; it never cancels a rollback that is already needed. */
  signal?: AbortSignal
  /** How long to keep trying to reach the host again when the connection dropped mid-restore. */
  reconnect?: { attempts: number; delayMs: number }
}

export interface RestoreRunResult {
  runId: string
  outcome: RestoreOutcome
  plan: RestorePlan | null
  error: ErrorEnvelope | null
  reportPaths: { json: string; text: string }
  safetyDump: SafetyDump | null
  verification: Verification | null
  rollbackVerification: Verification | null
  steps: StepRecord[]
}

/**
 * One restore run, step by step: preflight → confirm → safety dump → stop node → restore → verify,
 * and on any failure after the first DROP: rollback from the safety dump → verify it; then restart
 * the node if it ran, and write the evidence report. Never throws for an expected failure: the
 * outcome and the error are in the result and the report.
 */
export async function runRestore(options: RestoreRunOptions): Promise<RestoreRunResult> {
  const { settings, runId } = options
  const log = new RunLog(runId, options.sinks ?? [])
  const startedAt = new Date().toISOString()
  mkdirSync(settings.laptopDir, { recursive: true })
  const state: RunState = {
    plan: null,
    facts: null,
    host: null,
    safety: null,
    restored: null,
    verification: null,
    dropped: [],
    vmHaAfter: null,
    loadSessions: [],
    optionFolders: [],
    recreated: [],
    rollback: { attempted: false, verification: null, error: null },
    node: {
      wasRunning: null,
      stopped: false,
      restarted: null,
      uiStopped: false,
      uiRestarted: null,
      notStartedReason: null,
    },
  }
  let outcome: RestoreOutcome = 'failed'
  let error: AppError | null = null

  try {
    outcome = await steps(options, log, state)
  } catch (e) {
    error = e instanceof AppError ? e : internalFailure(e)
    log.end('failed', { error: error.code })
    log.error(error.text.en)
    if (state.dropped.length > 0) {
      outcome = await rollback(options, log, state)
    } else {
      const refused = (state.plan && !state.plan.ok) || error.code === 'restore.not_confirmed'
      outcome = refused ? 'refused' : 'failed'
      if (state.dropped.length === 0 && state.safety)
        log.info('Nothing was dropped: the databases are unchanged.')
    }
  }
  await restartNode(options, log, state, outcome)
  await removePasswordFiles(log, state)
  await state.host?.close().catch(() => {})

  log.begin('report', 'Writing the evidence report.')
  const manualRecovery =
    outcome === 'rollback_failed' || (outcome === 'failed' && state.dropped.length > 0)
      ? manualSteps(state)
      : null
  if (manualRecovery) log.error(manualRecovery)
  const report: EvidenceReport = {
    tool: { name: appInfo.name, version: appInfo.version },
    runId,
    startedAt,
    finishedAt: new Date().toISOString(),
    outcome,
    error: error ? { code: error.code, message: error.text.en } : null,
    confirmation: state.confirmed ? (options.yes ? 'yes_flag' : 'typed_host_name') : null,
    plan: state.plan,
    safetyDump: state.safety
      ? {
          hostPath: state.safety.hostPath,
          laptopPath: state.safety.laptopPath,
          sha256: state.safety.sha256,
          size: state.safety.size,
          rows: state.safety.summary.totalRows,
        }
      : null,
    restore: {
      databases: state.plan?.databases ?? [],
      rowsLoaded: state.restored?.totalRows ?? null,
      definersRewritten: state.restored?.definersRewritten ?? null,
      recreatedRoutines: state.recreated,
      tables: state.restored
        ? Object.fromEntries(Object.entries(state.restored.databases).map(([d, s]) => [d, s.tables]))
        : null,
    },
    verification: state.verification,
    vmHa: state.plan ? vmHaReport(state.plan.vmHa, state.vmHaAfter) : null,
    rollback: state.rollback,
    node: state.node,
    manualRecovery,
    steps: log.steps,
    log: [],
  }
  log.end('ok')
  const reportPaths = join(
    settings.laptopDir,
    `restore-${startedAt.replace(/[:.]/g, '-')}-${runId.slice(0, 8)}`,
  )
  log.emit(outcome === 'restored' || outcome === 'dry_run' ? 'info' : 'error', `Outcome: ${outcome}.`, {
    outcome,
    reportPaths: { json: `${reportPaths}.json`, text: `${reportPaths}.txt` },
  })
  report.log = log.entries.map(({ seq, at, level, step, message }) => ({ seq, at, level, step, message }))
  const paths = await writeEvidence(
    settings.laptopDir,
    reportPaths.slice(settings.laptopDir.length + 1),
    report,
  )
  return {
    runId,
    outcome,
    plan: state.plan,
    error: error ? toEnvelope(error) : null,
    reportPaths: paths,
    safetyDump: state.safety,
    verification: state.verification,
    rollbackVerification: state.rollback.verification,
    steps: log.steps,
  }
}

interface RunState {
  plan: RestorePlan | null
  facts: PreflightFacts | null
  host: RemoteHost | null
  safety: SafetyDump | null
  restored: DumpSummary | null
  verification: Verification | null
  /** Databases dropped so far: what a rollback must bring back (or drop again, if they were new). */
  dropped: string[]
  /** `ha`/`enable` values in the restored database once the VM HA step ran. */
  vmHaAfter: (string | null)[] | null
  /** CONNECTION_ID() of each load session: KILLed before a rollback (a frozen link leaves them running). */
  loadSessions: number[]
  /** Every password option folder this run made on the host, removed at the end over the live link. */
  optionFolders: string[]
  /** Routines and events re-created from the safety dump after the restore. */
  recreated: string[]
  confirmed?: boolean
  rollback: EvidenceReport['rollback']
  node: EvidenceReport['node']
}

async function steps(options: RestoreRunOptions, log: RunLog, state: RunState): Promise<RestoreOutcome> {
  const { settings } = options
  const signal = options.signal
  const progress = options.progress ?? (() => {})

  log.begin('preflight', `Preflight: backup ${settings.backupFile}.`)
  // The backup is read while the connection is made.
  const connecting = options.connect().then(
    (h) => {
      state.host = new RecordingHost(h, log)
      return state.host
    },
    (e: unknown) => (e instanceof AppError ? e : internalFailure(e)),
  )
  const { plan, facts } = await preflight(connecting, settings, {
    ...(signal ? { signal } : {}),
    onBackupBytes: (done, total) => progress({ phase: 'check_backup', done, total, unit: 'bytes' }),
  })
  const host = await connecting
  state.plan = plan
  state.facts = facts
  if (facts.mysql) state.optionFolders.push(facts.mysql.folder)
  for (const c of plan.checks)
    log.emit(c.status === 'fail' ? 'error' : c.status === 'ok' ? 'info' : 'warn', `${c.id}: ${c.text.en}`)
  log.info(`Preflight parts (side by side): ${partTimes(facts.timings)}.`)
  if (!plan.ok) {
    throw new AppError(
      'restore.preflight_failed',
      {
        en: `Preflight failed: ${plan.checks
          .filter((c) => c.status === 'fail')
          .map((c) => c.text.en)
          .join(' ')} Nothing was changed.`,
        zh: `预检未通过：${plan.checks
          .filter((c) => c.status === 'fail')
          .map((c) => c.text.zh)
          .join(' ')} 未做任何更改。`,
      },
      { failed: plan.checks.filter((c) => c.status === 'fail').map((c) => c.id) },
    )
  }
  log.end('ok', { partsMs: facts.timings })
  if (options.dryRun) {
    log.info('Dry run: stopping after the plan. Nothing was changed.')
    return 'dry_run'
  }
  const mysql = facts.mysql as MysqlClient
  const liveHost = host as RecordingHost

  log.begin('confirm', `Waiting for the host name "${plan.confirmationText}" to be typed.`)
  // Ask first, then announce: a client answering as soon as it sees the plan must find the question open.
  const confirmation = options.confirm(plan)
  log.info('Plan ready.', { awaitingConfirmation: plan })
  if (!(await confirmation)) {
    throw new AppError('restore.not_confirmed', {
      en: 'The restore was not confirmed. Nothing was changed.',
      zh: '恢复未被确认。未做任何更改。',
    })
  }
  state.confirmed = true
  log.end('ok', { confirmedWith: options.yes ? '--yes' : 'typed host name' })
  if (options.yes) log.warn('Confirmed by --yes: the host name was not typed.')
  signal?.throwIfAborted()

  if (facts.existingDatabases.length === 0) {
    // A fresh or wiped server: there is nothing a rollback could bring back.
    log.begin('safety_dump', 'No management database exists on the host yet: nothing to keep.')
    log.end('skipped')
  } else {
    log.begin(
      'safety_dump',
      `Safety dump of ${facts.existingDatabases.join(', ')} (kept on the host and copied here).`,
    )
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')
    const safety = await takeSafetyDump(liveHost, mysql, {
      databases: facts.existingDatabases,
      hostDir: settings.safetyDir ?? DEFAULT_SAFETY_DIR,
      laptopPath: join(settings.laptopDir, `safety-dump-${stamp}-${options.runId.slice(0, 8)}.gz`),
      stamp,
      onBytes: (done) => progress({ phase: 'safety_dump', done, total: null, unit: 'bytes' }),
      ...(signal ? { signal } : {}),
    })
    state.safety = safety
    log.end('ok', { hostPath: safety.hostPath, laptopPath: safety.laptopPath, sha256: safety.sha256 })
    log.info(`Safety dump ${safety.size} bytes, sha256 ${safety.sha256}, ${safety.summary.totalRows} rows.`)
  }

  state.node.wasRunning = facts.node.running
  // As current zstack-ctl restore_mysql does: the UI is stopped while its database is replaced.
  const stopUi = facts.node.ui === true && plan.databases.includes('zstack_ui')
  if (facts.node.running || stopUi) {
    log.begin(
      'stop_node',
      [
        facts.node.running ? 'Stopping the management node (zstack-ctl stop_node).' : '',
        stopUi ? 'Stopping the UI (zstack-ctl stop_ui): zstack_ui is restored.' : '',
      ]
        .filter(Boolean)
        .join(' '),
    )
    if (facts.node.running) {
      await ctl(liveHost, settings, 'stop_node')
      state.node.stopped = true
    }
    if (stopUi) {
      await ctl(liveHost, settings, 'stop_ui')
      state.node.uiStopped = true
    }
    log.end('ok')
  }
  signal?.throwIfAborted()

  log.begin('restore', `Restoring ${plan.databases.join(', ')} from ${settings.backupFile}.`)
  state.restored = await streamRestore(liveHost, mysql, settings.backupFile, {
    databases: plan.databases,
    ...(facts.inspection ? { expected: facts.inspection.summary } : {}),
    definerHost: facts.definerHost,
    clientOptions: facts.clientOptions,
    onDrop: (database) => {
      state.dropped.push(database)
      log.warn(`Dropping and re-creating ${database}.`)
    },
    onSession: (database, id) => {
      state.loadSessions.push(id)
      log.info(`Loading ${database} in MySQL session ${id}.`)
    },
    onBytes: (done, total) => progress({ phase: 'restore', done, total, unit: 'bytes' }),
    ...(signal ? { signal } : {}),
  })
  log.end('ok', { rows: state.restored.totalRows })
  log.info(`Loaded ${state.restored.totalRows} rows.`)

  log.begin('verify', 'Verifying tables, row counts and schema version.')
  state.verification = await verifyAgainstDump(mysql, state.restored, plan.databases)
  logVerification(log, state.verification)
  if (!state.verification.ok) {
    throw new AppError(
      'restore.verification_failed',
      {
        en: `The restored databases do not match the backup (${state.verification.mismatches.length} tables differ).`,
        zh: `恢复后的数据库与备份不一致（${state.verification.mismatches.length} 张表不同）。`,
      },
      { mismatches: state.verification.mismatches.slice(0, 20) },
    )
  }
  log.end('ok')
  if (state.safety) {
    const routines = await recreateMissingRoutines(
      mysql,
      state.safety.summary,
      state.restored,
      plan.databases,
    )
    state.recreated = routines.recreated
    for (const r of routines.recreated)
      log.warn(
        `Re-created ${r} from the safety dump: it existed before the restore and the backup has no copy of it.`,
      )
    for (const f of routines.failed)
      log.error(
        `Could not re-create ${f.routine} from the safety dump (${f.error}): create it by hand from ${state.safety.hostPath}.`,
      )
  }
  if (state.restored.definersRewritten > 0)
    log.info(
      `${state.restored.definersRewritten} DEFINER clauses were rewritten to root, as zstack-ctl does.`,
    )

  const disableHa = plan.vmHa.action === 'disable'
  log.begin(
    'vm_ha',
    disableHa
      ? "Switching VM HA off in the restored database ('ha'/'enable' global config → false)."
      : 'Keeping VM HA as the backup has it (--keep-ha).',
  )
  state.vmHaAfter = await applyVmHa(mysql, disableHa)
  log.end('ok', { values: state.vmHaAfter })
  log.info(`VM HA ('ha'/'enable') in the restored database: ${state.vmHaAfter.join(', ') || 'no such row'}.`)
  return 'restored'
}

/** Each wait of the rollback for a metadata lock, and how many it may make: bounded, and logged. */
const ROLLBACK_LOCK_WAIT_S = 5
const ROLLBACK_LOCK_TRIES = 6

async function rollback(options: RestoreRunOptions, log: RunLog, state: RunState): Promise<RestoreOutcome> {
  const facts = state.facts as PreflightFacts
  const safety = state.safety
  // Databases that existed come back from the safety dump; those the restore created are dropped again.
  const fromDump = state.dropped.filter((d) => facts.existingDatabases.includes(d))
  const created = state.dropped.filter((d) => !facts.existingDatabases.includes(d))
  state.rollback.attempted = true
  log.begin(
    'rollback',
    [
      fromDump.length > 0
        ? `Rolling back ${fromDump.join(', ')} from the safety dump ${safety?.laptopPath}.`
        : '',
      created.length > 0 ? `Dropping ${created.join(', ')}: it did not exist before the restore.` : '',
    ]
      .filter(Boolean)
      .join(' '),
  )
  try {
    const { host, mysql } = await usableConnection(options, log, state)
    await killLoadSessions(mysql, log, state)
    const lockWait = {
      seconds: ROLLBACK_LOCK_WAIT_S,
      attempts: ROLLBACK_LOCK_TRIES,
      onWait: (database: string, attempt: number) =>
        log.warn(
          `Rollback: waited ${ROLLBACK_LOCK_WAIT_S} s for a lock on ${database} (try ${attempt} of ${ROLLBACK_LOCK_TRIES}); trying again.`,
        ),
    }
    for (const database of created) await dropDatabase(mysql, database, '', lockWait)
    if (fromDump.length > 0) {
      if (!safety) throw new Error('there is no safety dump to roll back from')
      const summary = await streamRestore(host, mysql, safety.laptopPath, {
        databases: fromDump,
        expected: safety.summary,
        definerHost: facts.definerHost,
        trust: 'own-safety-dump',
        clientOptions: facts.clientOptions,
        lockWait,
        onDrop: (database) => log.warn(`Rollback: re-creating ${database} from the safety dump.`),
        onBytes: (done, total) => options.progress?.({ phase: 'rollback', done, total, unit: 'bytes' }),
      })
      log.end('ok', { rows: summary.totalRows })
    } else log.end('ok')
    log.begin('verify_rollback', 'Verifying the rolled-back databases against the safety dump.')
    if (safety && fromDump.length > 0) {
      state.rollback.verification = await verifyAgainstDump(mysql, safety.summary, fromDump)
      logVerification(log, state.rollback.verification)
      if (!state.rollback.verification.ok)
        throw new Error('the rolled-back databases do not match the safety dump')
    }
    const left = created.length
      ? await mysql.query(
          `SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN (${created.map((d) => `'${d}'`).join(',')});`,
        )
      : []
    if (left.length > 0)
      throw new Error(`${left.map((r) => r[0]).join(', ')} still exists after the rollback`)
    log.end('ok')
    log.info('Rollback complete: the databases are as they were before the restore.')
    return 'rolled_back'
  } catch (e) {
    state.rollback.error = e instanceof AppError ? e.text.en : e instanceof Error ? e.message : String(e)
    log.end('failed')
    log.error(`Rollback failed: ${state.rollback.error}`)
    return 'rollback_failed'
  }
}

/**
 * A load session whose SSH link froze keeps running on the server, holding the metadata locks the
 * rollback's DROP needs: it is KILLed first (one that already ended gives "unknown thread", ignored).
 */
async function killLoadSessions(mysql: MysqlClient, log: RunLog, state: RunState): Promise<void> {
  for (const id of state.loadSessions.splice(0)) {
    const killed = await mysql.query(`KILL ${Number(id)};`).then(
      () => true,
      () => false,
    )
    if (killed) log.warn(`Stopped the abandoned load session ${id}: it could hold locks the rollback needs.`)
  }
}

/**
 * The connection may be the reason the restore failed (SSH dropped): probe it, and reconnect with a
 * few attempts before giving up; a new connection needs a new option file.
 */
async function usableConnection(
  options: RestoreRunOptions,
  log: RunLog,
  state: RunState,
): Promise<{ host: RemoteHost; mysql: MysqlClient }> {
  const facts = state.facts as PreflightFacts
  // A frozen link answers nothing: a probe that does not come back in time counts as lost.
  const probe = state.host ? await withTimeout(state.host.run('true'), PROBE_TIMEOUT_MS) : null
  if (probe?.code === 0 && facts.mysql) {
    const ok = await withTimeout(
      facts.mysql.query('SELECT 1;').then(() => true),
      PROBE_TIMEOUT_MS,
    )
    if (ok) return { host: state.host as RemoteHost, mysql: facts.mysql }
  }
  log.warn('The connection to the host was lost; reconnecting for the rollback.')
  await state.host?.close().catch(() => {})
  const { attempts, delayMs } = options.reconnect ?? { attempts: 10, delayMs: 3000 }
  let last: unknown = null
  for (let i = 1; i <= attempts; i++) {
    try {
      const host = new RecordingHost(await options.connect(), log)
      const mysql = await MysqlClient.open(host, facts.endpoint, options.settings.mysql.password)
      state.host = host
      facts.mysql = mysql
      state.optionFolders.push(mysql.folder)
      log.info(`Reconnected to ${host.label} (attempt ${i}).`)
      return { host, mysql }
    } catch (e) {
      last = e
      log.warn(`Reconnect attempt ${i}/${attempts} failed.`)
      await new Promise((r) => setTimeout(r, delayMs))
    }
  }
  throw last instanceof AppError
    ? last
    : new AppError('restore.reconnect_failed', {
        en: 'The host could not be reached again for the rollback.',
        zh: '无法重新连接主机以执行回滚。',
      })
}

/** zstack-ctl on the host; a failure before anything was dropped stops the run. */
async function ctl(host: RemoteHost, settings: RestoreSettings, command: ZstackCtlCommand): Promise<void> {
  const r = await zstackCtl(host, settings.zstackCtl ?? 'zstack-ctl', command)
  if (!r.ok) {
    throw new AppError('restore.stop_node_failed', {
      en: `zstack-ctl ${command} failed: ${r.output.slice(-300)}. Nothing was dropped.`,
      zh: `zstack-ctl ${command} 失败：${r.output.slice(-300)}。未删除任何数据库。`,
    })
  }
}

/**
 * Starts again what the run stopped, unless the databases may be incomplete (the rollback failed):
 * a node started on half a database would act on it. The report says why it was left stopped.
 */
async function restartNode(
  options: RestoreRunOptions,
  log: RunLog,
  state: RunState,
  outcome: RestoreOutcome,
): Promise<void> {
  if ((!state.node.stopped && !state.node.uiStopped) || !state.host) return
  const path = options.settings.zstackCtl ?? 'zstack-ctl'
  log.begin('start_node', 'Starting again what was stopped (zstack-ctl start_node / start_ui).')
  if (outcome === 'rollback_failed' || (outcome === 'failed' && state.dropped.length > 0)) {
    state.node.notStartedReason =
      'The databases may be incomplete (the rollback failed), so the management node and UI were left stopped. Start them (zstack-ctl start_node, start_ui) only after the databases are restored.'
    log.end('skipped')
    log.error(state.node.notStartedReason)
    return
  }
  const start = (command: ZstackCtlCommand) =>
    zstackCtl(state.host as RemoteHost, path, command).catch(() => ({ ok: false, output: 'connection lost' }))
  let ok = true
  if (state.node.stopped) {
    const started = await start('start_node')
    state.node.restarted = started.ok
    ok &&= started.ok
    if (!started.ok) log.error(`zstack-ctl start_node failed: ${started.output.slice(-300)}`)
  }
  if (state.node.uiStopped) {
    const started = await start('start_ui')
    state.node.uiRestarted = started.ok
    ok &&= started.ok
    if (!started.ok) log.error(`zstack-ctl start_ui failed: ${started.output.slice(-300)}`)
  }
  log.end(ok ? 'ok' : 'failed')
}

/**
 * The MySQL root password sits in option files on the host: every one this run made is removed over
 * the connection that works now (after a reconnect, the old one's too). What cannot be removed is
 * reported; the next run's first login sweeps folders whose SSH session is gone.
 */
async function removePasswordFiles(log: RunLog, state: RunState): Promise<void> {
  if (state.optionFolders.length === 0) return
  const removed = state.host ? await removeOptionFolders(state.host, state.optionFolders) : false
  if (!removed)
    log.error(
      `Could not remove the MySQL password file(s) ${state.optionFolders.join(', ')} on the host (no connection): delete them by hand; the next run removes them too.`,
    )
}

const PROBE_TIMEOUT_MS = 10_000

/** The promise's value, or null when it rejects or takes longer than `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.catch(() => null),
    new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/** `backup check 0.15 s, ssh connect 0.20 s, …` */
function partTimes(ms: Record<string, number>): string {
  return Object.entries(ms)
    .map(([part, t]) => `${part.replace(/_/g, ' ')} ${(t / 1000).toFixed(2)} s`)
    .join(', ')
}

function logVerification(log: RunLog, v: Verification): void {
  log.emit(
    v.ok ? 'info' : 'error',
    `${v.ok ? 'Verified' : 'Verification FAILED'}: ${v.tablesChecked} tables, ${v.rowsFound}/${v.rowsExpected} rows, ` +
      `schema_version ${v.schemaVersion.actual ?? '-'} (expected ${v.schemaVersion.expected ?? '-'}), ${v.mismatches.length} mismatches.`,
  )
}

function manualSteps(state: RunState): string {
  const s = state.safety
  const stopped = state.node.notStartedReason ? [state.node.notStartedReason] : []
  if (!s) return 'No management database existed before this run, so nothing was lost: run the restore again.'
  return [
    `The databases ${state.dropped.join(', ')} may be incomplete. The safety dump taken before the restore is:`,
    `  on the host: ${s.hostPath}`,
    `  on this computer: ${s.laptopPath}`,
    `  sha256 ${s.sha256}`,
    'To put it back by hand on the management-node host:',
    `  zstack-ctl restore_mysql -f ${s.hostPath} --mysql-root-password <password>`,
    'or, without zstack-ctl:',
    `  gunzip < ${s.hostPath} | mysql -u root -p`,
    ...stopped,
  ].join('\n')
}

function internalFailure(e: unknown): AppError {
  const text = redact(e instanceof Error ? e.message : String(e)).slice(0, 500)
  return new AppError(
    'restore.internal',
    { en: `Unexpected failure: ${text}`, zh: `意外失败：${text}` },
    undefined,
    {
      cause: e,
    },
  )
}
