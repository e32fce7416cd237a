import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RestoreLogEntry, RestoreOutcome, RestorePlan } from '../../api/contract/restore.js'
import { redact, redactValue } from '../../errors/redact.js'
import { driftLines, type VmHaReport } from './drift/plan-text.js'
import type { StepRecord } from './run-log.js'
import type { Verification } from './verify.js'

/** Everything a field engineer hands to the customer (or support) after a restore. */
export interface EvidenceReport {
  tool: { name: string; version: string }
  runId: string
  startedAt: string
  finishedAt: string
  outcome: RestoreOutcome
  error: { code: string; message: string } | null
  /** How the run was confirmed: the host name typed, or `--yes`; null when it never was. */
  confirmation: 'typed_host_name' | 'yes_flag' | null
  plan: RestorePlan | null
  safetyDump: { hostPath: string; laptopPath: string; sha256: string; size: number; rows: number } | null
  restore: {
    databases: string[]
    rowsLoaded: number | null
    /** DEFINER clauses rewritten to root@<database host>, as zstack-ctl does. */
    definersRewritten: number | null
    /** Routines and events that existed before, had no copy in the backup, and were re-created from the safety dump. */
    recreatedRoutines: string[]
    tables: Record<string, Record<string, number>> | null
  }
  verification: Verification | null
  /** VM HA in the restored database; null without a plan. */
  vmHa: VmHaReport | null
  rollback: { attempted: boolean; verification: Verification | null; error: string | null }
  node: {
    wasRunning: boolean | null
    stopped: boolean
    restarted: boolean | null
    uiStopped: boolean
    uiRestarted: boolean | null
    /** Why what was stopped was not started again (the rollback failed). */
    notStartedReason: string | null
  }
  /** What to do by hand when the outcome is not `restored`, `dry_run` or `refused`. */
  manualRecovery: string | null
  steps: StepRecord[]
  log: Pick<RestoreLogEntry, 'seq' | 'at' | 'level' | 'step' | 'message'>[]
}

/** Writes `<base>.json` and a readable `<base>.txt`; both pass `redact` as a last line of defence. */
export async function writeEvidence(
  dir: string,
  base: string,
  report: EvidenceReport,
): Promise<{ json: string; text: string }> {
  const json = join(dir, `${base}.json`)
  const text = join(dir, `${base}.txt`)
  const safe = redactValue(report)
  await writeFile(json, `${JSON.stringify(safe, null, 2)}\n`, { mode: 0o600 })
  await writeFile(text, redact(renderText(safe)), { mode: 0o600 })
  return { json, text }
}

export function renderText(r: EvidenceReport): string {
  const lines: string[] = []
  const p = r.plan
  lines.push(`${r.tool.name} ${r.tool.version}: management-database restore report`)
  lines.push(`Run ${r.runId}`)
  lines.push(`Started ${r.startedAt}, finished ${r.finishedAt}`)
  lines.push(`OUTCOME: ${r.outcome.toUpperCase()}${r.error ? ` (${r.error.code}: ${r.error.message})` : ''}`)
  lines.push(
    `Confirmed by  ${r.confirmation === 'yes_flag' ? '--yes (the host name was not typed)' : r.confirmation === 'typed_host_name' ? 'typing the host name' : 'not confirmed'}`,
  )
  if (r.restore.definersRewritten)
    lines.push(`DEFINER       ${r.restore.definersRewritten} clauses rewritten to root (as zstack-ctl does)`)
  for (const routine of r.restore.recreatedRoutines)
    lines.push(`Re-created    ${routine} from the safety dump (not in the backup)`)
  if (r.node.notStartedReason) lines.push(`NODE LEFT STOPPED: ${r.node.notStartedReason}`)
  lines.push('')
  if (p) {
    lines.push('Target')
    lines.push(`  host          ${p.target.label} (${p.target.hostName ?? 'name unknown'})`)
    lines.push(`  host key      ${p.target.hostKeyFingerprint ?? 'n/a (this computer)'}`)
    lines.push(
      `  mysql         ${p.mysql.socket ?? `${p.mysql.host}:${p.mysql.port}`} (from ${p.mysql.source})`,
    )
    lines.push(
      `  node          zstack-ctl ${p.node.zstackCtl ? 'present' : 'absent'}, running: ${p.node.running ?? 'unknown'}`,
    )
    if (p.backup) {
      lines.push('Backup')
      lines.push(`  file          ${p.backup.path}`)
      lines.push(`  sha256        ${p.backup.sha256}`)
      lines.push(`  size          ${p.backup.size} bytes (${p.backup.uncompressedSize} uncompressed)`)
      lines.push(`  schema        ${p.backup.schemaVersion ?? 'unknown'}`)
      for (const d of p.backup.databases)
        lines.push(`  ${d.name.padEnd(13)} ${d.tables} tables, ${d.rows} rows`)
    }
    lines.push('Preflight')
    for (const c of p.checks) lines.push(`  [${c.status.toUpperCase().padEnd(7)}] ${c.text.en}`)
    lines.push('What the restore undoes (drift between the live database and the backup)')
    lines.push(...driftLines(p.drift))
  }
  if (r.vmHa) {
    lines.push('VM HA')
    lines.push(
      `  plan: ${r.vmHa.action === 'disable' ? 'switch off' : 'keep (--keep-ha)'}; in the backup: ${r.vmHa.inBackup ?? 'no row'}; after the restore: ${r.vmHa.after?.join(', ') || '-'}`,
    )
    lines.push(`  ${r.vmHa.afterwards}`)
  }
  if (r.safetyDump) {
    lines.push('Safety dump')
    lines.push(`  on the host   ${r.safetyDump.hostPath}`)
    lines.push(`  on this computer ${r.safetyDump.laptopPath}`)
    lines.push(
      `  sha256        ${r.safetyDump.sha256} (${r.safetyDump.size} bytes, ${r.safetyDump.rows} rows)`,
    )
  }
  lines.push('Steps')
  for (const s of r.steps) {
    lines.push(
      `  ${s.id.padEnd(16)} ${s.status.padEnd(8)} ${s.ms === null ? '' : `${(s.ms / 1000).toFixed(1)} s`}`,
    )
    for (const c of s.commands) lines.push(`      $ ${c}`)
  }
  for (const [name, v] of [
    ['Verification', r.verification],
    ['Rollback verification', r.rollback.verification],
  ] as const) {
    if (!v) continue
    lines.push(name)
    lines.push(
      `  ${v.ok ? 'PASSED' : 'FAILED'}: ${v.tablesChecked} tables, ${v.rowsFound}/${v.rowsExpected} rows`,
    )
    lines.push(
      `  schema_version expected ${v.schemaVersion.expected ?? '-'}, found ${v.schemaVersion.actual ?? '-'}`,
    )
    for (const m of v.mismatches.slice(0, 50))
      lines.push(
        `  mismatch ${m.database}.${m.table}: expected ${m.expected}, found ${m.actual ?? 'missing'}`,
      )
  }
  if (r.restore.tables) {
    lines.push('Rows loaded per table')
    for (const [db, tables] of Object.entries(r.restore.tables))
      for (const [t, n] of Object.entries(tables)) lines.push(`  ${db}.${t} ${n}`)
  }
  if (r.manualRecovery) {
    lines.push('')
    lines.push('MANUAL RECOVERY')
    lines.push(r.manualRecovery)
  }
  lines.push('')
  lines.push('Log')
  for (const e of r.log) lines.push(`  ${e.at} ${e.level.toUpperCase().padEnd(5)} [${e.step}] ${e.message}`)
  return `${lines.join('\n')}\n`
}
