import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { DrillLogEntry, DrillOutcome, DrillSanity } from '../../api/contract/drill.js'
import { redact, redactValue } from '../../errors/redact.js'
import { appInfo } from '../../util/app-info.js'
import type { Verification } from '../restore/verify.js'

/** The evidence of one drill, marked DRILL: what was proven, where, how long it took, and that production was not touched. */
export interface DrillReport {
  kind: 'DRILL'
  runId: string
  startedAt: string
  finishedAt: string
  outcome: DrillOutcome
  host: string
  hostKeyFingerprint: string | null
  server: { binary: string; version: string } | null
  scratchDir: string | null
  scratchRemoved: boolean | null
  leftoversRemoved: string[]
  backup: { path: string; sha256: string | null; size: number | null; uncompressedSize: number | null }
  restoreMs: number | null
  verification: Verification | null
  sanity: DrillSanity | null
  /** CHECKSUM TABLE of every production table before and after (only read). */
  production: {
    measured: boolean
    before: Record<string, string> | null
    after: Record<string, string> | null
    unchanged: boolean | null
    note: string
  }
  firstError: { code: string; message: string } | null
  log: DrillLogEntry[]
}

/** Writes `<base>.json` (0600) and a readable `<base>.txt` (0600), both redacted. */
export async function writeDrillReport(
  dir: string,
  base: string,
  report: DrillReport,
): Promise<{ json: string; text: string }> {
  const json = join(dir, `${base}.json`)
  const text = join(dir, `${base}.txt`)
  const safe = redactValue(report)
  await writeFile(json, `${JSON.stringify({ tool: appInfo, ...safe }, null, 2)}\n`, { mode: 0o600 })
  await writeFile(text, redact(renderDrillText(safe)), { mode: 0o600 })
  return { json, text }
}

export function renderDrillText(r: DrillReport): string {
  const v = r.verification
  const s = r.sanity
  const lines = [
    `${appInfo.name} ${appInfo.version}: DRILL (test restore into a throwaway server; production not restored)`,
    `Run ${r.runId}, started ${r.startedAt}, finished ${r.finishedAt}`,
    `OUTCOME: DRILL ${r.outcome.toUpperCase()}${r.firstError ? ` (${r.firstError.code}: ${r.firstError.message})` : ''}`,
    '',
    `Host            ${r.host || '(not reached)'} (host key ${r.hostKeyFingerprint ?? 'n/a'})`,
    `Server binary   ${r.server ? `${r.server.binary} (${r.server.version})` : '-'}`,
    `Scratch folder  ${r.scratchDir ?? '-'}${r.scratchRemoved === null ? '' : r.scratchRemoved ? ' (stopped and deleted)' : ' (NOT verified deleted)'}`,
    `Backup          ${r.backup.path}`,
    `                sha256 ${r.backup.sha256 ?? '-'}, ${r.backup.size ?? '?'} bytes (${r.backup.uncompressedSize ?? '?'} uncompressed)`,
    `Recovery time   ${r.restoreMs === null ? '-' : `${(r.restoreMs / 1000).toFixed(1)} s to restore on this host`}`,
  ]
  if (r.leftoversRemoved.length) lines.push(`Leftovers removed ${r.leftoversRemoved.join(', ')}`)
  if (v) {
    lines.push(
      `Verification    ${v.ok ? 'PASSED' : 'FAILED'}: ${v.tablesChecked} tables, ${v.rowsFound}/${v.rowsExpected} rows, schema_version ${v.schemaVersion.actual ?? '-'} (expected ${v.schemaVersion.expected ?? '-'})`,
    )
    for (const m of v.mismatches.slice(0, 50))
      lines.push(
        `  mismatch ${m.database}.${m.table}: expected ${m.expected}, found ${m.actual ?? 'missing'}`,
      )
  }
  if (s)
    lines.push(
      `ZStack sanity   ${s.adminAccounts} admin account(s), ${s.hosts} hosts, ${s.vms} VMs, ${s.primaryStorages} primary storages, ${s.backupStorages} backup storages`,
    )
  lines.push('Production (live server, only read)')
  lines.push(`  ${r.production.note}`)
  for (const [table, before] of Object.entries(r.production.before ?? {}))
    lines.push(`  ${table} ${before} → ${r.production.after?.[table] ?? '-'}`)
  lines.push('', 'Log')
  for (const e of r.log) lines.push(`  ${e.at} ${e.level.toUpperCase().padEnd(5)} ${e.message}`)
  return `${lines.join('\n')}\n`
}
