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
import { MysqlClient } from './mysql-client.js'
import { startNode, stopNode } from './node-control.js'
import { DEFAULT_SAFETY_DIR, type PreflightFacts, preflight, type RestoreSettings } from './preflight.js'
import { RecordingHost } from './recording-host.js'
import { type LogSink, RunLog, type StepRecord } from './run-log.js'
import { type SafetyDump, takeSafetyDump } from './safety-dump.js'
import { streamRestore } from './stream-restore.js'
import { type Verification, verifyAgainstDump } from './verify.js'

export interface RestoreRunOptions {
  runId: string
  settings: RestoreSettings
  /** Opens a connection to the management-node host; called again to reconnect for a rollback. */
  connect(): Promise<RemoteHost>
  /** Resolves true once the user typed the host name (or `--yes`), false to abort. */
  confirm(plan: RestorePlan): Promise<boolean>
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
    rollback: { attempted: false, verification: null, error: null },
    node: { wasRunning: null, stopped: false, restarted: null },
  }
  let outcome: RestoreOutcome = 'failed'
  let error: AppError | null = null

  try {
    outcome = await steps(options, log, state)
  } catch (e) {
    error = e instanceof AppError ? e : internalFailure(e)
    log.end('failed', { error: error.code })
    log.error(error.text.en)
    if (state.dropped.length > 0 && state.safety) {
      outcome = await rollback(options, log, state)
    } else {
      const refused = (state.plan && !state.plan.ok) || error.code === 'restore.not_confirmed'
      outcome = refused ? 'refused' : 'failed'
      if (state.dropped.length === 0 && state.safety)
        log.info('Nothing was dropped: the databases are unchanged.')
    }
  }
  await restartNode(options, log, state)
  await state.facts?.mysql?.close()
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
  /** Databases dropped so far: what a rollback must bring back. */
  dropped: string[]
  /** `ha`/`enable` values in the restored database once the VM HA step ran. */
  vmHaAfter: (string | null)[] | null
  rollback: EvidenceReport['rollback']
  node: EvidenceReport['node']
}

async function steps(options: RestoreRunOptions, log: RunLog, state: RunState): Promise<RestoreOutcome> {
  const { settings } = options
  const signal = options.signal
  const progress = options.progress ?? (() => {})

  log.begin('preflight', `Preflight: backup ${settings.backupFile}.`)
  const host = await options.connect().then(
    (h) => new RecordingHost(h, log),
    (e: unknown) => (e instanceof AppError ? e : internalFailure(e)),
  )
  if (!(host instanceof AppError)) state.host = host
  const { plan, facts } = await preflight(host, settings, {
    ...(signal ? { signal } : {}),
    onBackupBytes: (done, total) => progress({ phase: 'check_backup', done, total, unit: 'bytes' }),
  })
  state.plan = plan
  state.facts = facts
  for (const c of plan.checks)
    log.emit(c.status === 'fail' ? 'error' : c.status === 'ok' ? 'info' : 'warn', `${c.id}: ${c.text.en}`)
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
  log.end('ok')
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
  log.end('ok')
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
  if (facts.node.running) {
    log.begin('stop_node', 'Stopping the management node (zstack-ctl stop_node).')
    const stopped = await stopNode(liveHost, settings.zstackCtl ?? 'zstack-ctl')
    if (!stopped.ok) {
      throw new AppError('restore.stop_node_failed', {
        en: `zstack-ctl stop_node failed: ${stopped.output.slice(-300)}. Nothing was dropped.`,
        zh: `zstack-ctl stop_node 失败：${stopped.output.slice(-300)}。未删除任何数据库。`,
      })
    }
    state.node.stopped = true
    log.end('ok')
  }
  signal?.throwIfAborted()

  log.begin('restore', `Restoring ${plan.databases.join(', ')} from ${settings.backupFile}.`)
  state.restored = await streamRestore(liveHost, mysql, settings.backupFile, {
    databases: plan.databases,
    definerHost: facts.definerHost,
    onDrop: (database) => {
      state.dropped.push(database)
      log.warn(`Dropping and re-creating ${database}.`)
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

async function rollback(options: RestoreRunOptions, log: RunLog, state: RunState): Promise<RestoreOutcome> {
  const safety = state.safety as SafetyDump
  const facts = state.facts as PreflightFacts
  state.rollback.attempted = true
  log.begin('rollback', `Rolling back ${state.dropped.join(', ')} from the safety dump ${safety.laptopPath}.`)
  try {
    const { host, mysql } = await usableConnection(options, log, state)
    const summary = await streamRestore(host, mysql, safety.laptopPath, {
      databases: state.dropped,
      definerHost: facts.definerHost,
      onDrop: (database) => log.warn(`Rollback: re-creating ${database} from the safety dump.`),
      onBytes: (done, total) => options.progress?.({ phase: 'rollback', done, total, unit: 'bytes' }),
    })
    log.end('ok', { rows: summary.totalRows })
    log.begin('verify_rollback', 'Verifying the rolled-back databases against the safety dump.')
    state.rollback.verification = await verifyAgainstDump(mysql, safety.summary, state.dropped)
    logVerification(log, state.rollback.verification)
    if (!state.rollback.verification.ok)
      throw new Error('the rolled-back databases do not match the safety dump')
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
 * The connection may be the reason the restore failed (SSH dropped): probe it, and reconnect with a
 * few attempts before giving up; a new connection needs a new option file.
 */
async function usableConnection(
  options: RestoreRunOptions,
  log: RunLog,
  state: RunState,
): Promise<{ host: RemoteHost; mysql: MysqlClient }> {
  const facts = state.facts as PreflightFacts
  const probe = state.host ? await state.host.run('true').catch(() => null) : null
  if (probe?.code === 0 && facts.mysql) {
    const ok = await facts.mysql.query('SELECT 1;').then(
      () => true,
      () => false,
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

async function restartNode(options: RestoreRunOptions, log: RunLog, state: RunState): Promise<void> {
  if (!state.node.stopped || !state.host) return
  log.begin('start_node', 'Starting the management node again (zstack-ctl start_node).')
  const started = await startNode(state.host, options.settings.zstackCtl ?? 'zstack-ctl').catch(() => ({
    ok: false,
    output: 'connection lost',
  }))
  state.node.restarted = started.ok
  log.end(started.ok ? 'ok' : 'failed')
  if (!started.ok) log.error(`zstack-ctl start_node failed: ${started.output.slice(-300)}`)
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
