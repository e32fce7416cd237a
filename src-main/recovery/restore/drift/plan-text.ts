import type { RestoreDrift, VmHaPlan } from '../../../api/contract/restore-drift.js'
import { formatAge } from './plan-checks.js'

/** VM HA in the evidence report: what was planned, what the restored database holds, what to do next. */
export interface VmHaReport extends VmHaPlan {
  /** `ha`/`enable` values in the restored database; null when the step did not run. */
  after: (string | null)[] | null
  afterwards: string
}

export function vmHaReport(plan: VmHaPlan, after: (string | null)[] | null): VmHaReport {
  const afterwards =
    after === null
      ? 'The restore did not reach the VM HA step: the database holds whatever the outcome above says.'
      : plan.action === 'disable'
        ? after.length === 0
          ? "The restored database has no 'ha'/'enable' global config: the node uses its default (HA on) at first boot; watch it."
          : 'VM HA is off in the restored database. Once the node is back and the VMs are checked, turn it on again: ' +
            '`zstack-cli UpdateGlobalConfig category=ha name=enable value=true` (or Settings → Global Settings → HA in the UI).'
        : `VM HA was kept as the backup had it (${after.join(', ') || 'no row'}): at its first boot the node may restart or fence VMs from the backup's stale view.`
  return { ...plan, after, afterwards }
}

const KIND_LABEL: Record<string, string> = {
  vm: 'VMs',
  volume: 'volumes',
  snapshot: 'snapshots',
  image: 'images',
  host: 'hosts',
  primary_storage: 'primary storages',
  backup_storage: 'backup storages',
  l3_network: 'L3 networks',
}

/** Text from the backup or the live database, quoted: no control, bidi or zero-width character reaches a terminal. */
function quoted(text: string | null): string {
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g,
    (c) => `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  )
}

/** The drift as plain English lines (CLI plan and evidence text): counts first, then the lists by name. */
export function driftLines(drift: RestoreDrift, indent = '  '): string[] {
  const lines: string[] = []
  const age = drift.backupAgeSeconds === null ? 'age unknown' : `${formatAge(drift.backupAgeSeconds)} old`
  lines.push(`${indent}backup taken ${drift.backupTakenAt ?? 'at an unknown time'} (${age})`)
  if (drift.status === 'unknown') {
    lines.push(`${indent}UNKNOWN: ${drift.reason?.en ?? ''}`)
    return lines
  }
  lines.push(`${indent}${'resource'.padEnd(17)} backup   live  created  deleted  changed`)
  for (const r of drift.resources)
    lines.push(
      `${indent}${(KIND_LABEL[r.kind] ?? r.kind).padEnd(17)}${String(r.backupCount).padStart(7)}${String(r.liveCount).padStart(7)}` +
        `${String(r.counts.created).padStart(9)}${String(r.counts.deleted).padStart(9)}${String(r.counts.changed).padStart(9)}`,
    )
  for (const u of drift.unreadable)
    lines.push(`${indent}not compared: ${KIND_LABEL[u.kind] ?? u.kind}: ${u.reason}`)
  const name = (n: string | null, uuid: string) =>
    `${n === null ? '(no name)' : quoted(n)} ${quoted(uuid).slice(1, -1)}`
  for (const r of drift.resources) {
    const label = KIND_LABEL[r.kind] ?? r.kind
    const more = (shown: number, total: number) => (total > shown ? ` (first ${shown} of ${total})` : '')
    if (r.counts.created > 0) {
      lines.push(
        `${indent}${label} created after the backup: forgotten by the restore, data stays on storage${more(r.created.length, r.counts.created)}`,
      )
      for (const i of r.created) lines.push(`${indent}  + ${name(i.name, i.uuid)}`)
    }
    if (r.counts.deleted > 0) {
      lines.push(
        `${indent}${label} deleted after the backup: they come back${more(r.deleted.length, r.counts.deleted)}`,
      )
      for (const i of r.deleted) lines.push(`${indent}  - ${name(i.name, i.uuid)}`)
    }
    if (r.counts.changed > 0) {
      lines.push(
        `${indent}${label} changed after the backup: the restore undoes it${more(r.changed.length, r.counts.changed)}`,
      )
      for (const i of r.changed) {
        lines.push(`${indent}  ~ ${name(i.name, i.uuid)}`)
        for (const c of i.changes ?? [])
          lines.push(`${indent}      ${c.field}: backup ${quoted(c.backup)} → live ${quoted(c.live)}`)
      }
    }
  }
  if (drift.installPathChanged > 0)
    lines.push(
      `${indent}${drift.installPathChanged} volume install paths differ: zstack-ctl 5.3.0 would refuse; ${drift.accepted ? 'ACCEPTED by the engineer' : 'not accepted (--accept-drift)'}`,
    )
  return lines
}
