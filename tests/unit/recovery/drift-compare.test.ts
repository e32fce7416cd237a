import { describe, expect, it } from 'vitest'
import type { BackupRows } from '../../../src-main/recovery/restore/drift/backup-rows.js'
import { compareDrift, DRIFT_LIST_LIMIT, vmHaPlan } from '../../../src-main/recovery/restore/drift/compare.js'
import type { LiveRows } from '../../../src-main/recovery/restore/drift/live-rows.js'
import { driftCheck, formatAge, vmHaCheck } from '../../../src-main/recovery/restore/drift/plan-checks.js'
import { driftLines, vmHaReport } from '../../../src-main/recovery/restore/drift/plan-text.js'
import { DRIFT_RESOURCES } from '../../../src-main/recovery/restore/drift/resources.js'

type Row = Record<string, string | null>

function backupOf(tables: Record<string, Row[]>, takenAt: string | null = '2026-11-27 10:00:00'): BackupRows {
  const map = new Map<string, BackupRows['tables'] extends Map<string, infer T> ? T : never>()
  for (const r of DRIFT_RESOURCES) map.set(r.table, { ok: true, rows: tables[r.table] ?? [] })
  map.set('GlobalConfigVO', { ok: true, rows: tables.GlobalConfigVO ?? [] })
  return { tables: map, takenAt }
}

function liveOf(rows: Partial<Record<string, Row[]>>, now: string | null = '2026-11-30 12:30:00'): LiveRows {
  return { rows: new Map(DRIFT_RESOURCES.map((r) => [r.kind, rows[r.kind] ?? []])), missing: [], now }
}

const vol = (uuid: string, name: string, installPath: string): Row => ({
  uuid,
  name,
  installPath,
  primaryStorageUuid: 'ps1',
  state: 'Enabled',
})

describe('compareDrift', () => {
  it('created, deleted and changed per resource, with the field changes and the backup age', () => {
    const drift = compareDrift(
      backupOf({ VolumeEO: [vol('a', 'kept', '/p/a'), vol('b', 'moved', '/p/b'), vol('c', 'gone', '/p/c')] }),
      liveOf({ volume: [vol('a', 'kept', '/p/a'), vol('b', 'moved', '/q/b'), vol('d', 'new', '/p/d')] }),
      false,
    )
    const volumes = drift.resources.find((r) => r.kind === 'volume')
    expect(volumes?.counts).toEqual({ created: 1, deleted: 1, changed: 1 })
    expect(volumes?.created).toEqual([{ uuid: 'd', name: 'new' }])
    expect(volumes?.deleted).toEqual([{ uuid: 'c', name: 'gone' }])
    expect(volumes?.changed).toEqual([
      { uuid: 'b', name: 'moved', changes: [{ field: 'installPath', backup: '/p/b', live: '/q/b' }] },
    ])
    expect(drift.installPathChanged).toBe(1)
    expect(drift.backupAgeSeconds).toBe(3 * 86400 + 2.5 * 3600)
    expect(driftCheck(drift)[0]).toBe('fail')
    expect(driftCheck({ ...drift, accepted: true })[0]).toBe('warn')
  })

  it('counts are complete while the lists stop at the limit, and say so', () => {
    const many = Array.from({ length: DRIFT_LIST_LIMIT + 5 }, (_, i) => vol(`u${i}`, `v${i}`, `/p/${i}`))
    const drift = compareDrift(backupOf({}), liveOf({ volume: many }), false)
    const volumes = drift.resources.find((r) => r.kind === 'volume')
    expect(volumes?.counts.created).toBe(DRIFT_LIST_LIMIT + 5)
    expect(volumes?.created).toHaveLength(DRIFT_LIST_LIMIT)
    expect(volumes?.truncated).toBe(true)
    expect(driftLines(drift).join('\n')).toContain(`(first ${DRIFT_LIST_LIMIT} of ${DRIFT_LIST_LIMIT + 5})`)
  })

  it('no drift is OK; a kind unreadable in the backup is named, the others are still compared', () => {
    const same = [vol('a', 'x', '/p/a')]
    expect(driftCheck(compareDrift(backupOf({ VolumeEO: same }), liveOf({ volume: same }), false))[0]).toBe(
      'ok',
    )
    const backup = backupOf({ VolumeEO: same })
    backup.tables.set('HostEO', { ok: false, reason: 'not in the backup' })
    const drift = compareDrift(backup, liveOf({ volume: same }), false)
    expect(drift.unreadable).toEqual([{ kind: 'host', reason: 'backup HostEO: not in the backup' }])
    expect(drift.resources.map((r) => r.kind)).not.toContain('host')
    expect(driftCheck(drift)).toEqual([
      'warn',
      expect.objectContaining({ en: expect.stringContaining('Not compared: host') }),
    ])
  })

  it('unknown, never failed, when either side cannot be read', () => {
    const reason = { en: 'the host could not be reached.', zh: '无法连接主机。' }
    const drift = compareDrift(backupOf({}), reason, false)
    expect(drift).toMatchObject({ status: 'unknown', reason, backupTakenAt: '2026-11-27 10:00:00' })
    expect(driftCheck(drift)[0]).toBe('unknown')
    expect(compareDrift(null, liveOf({}), false).status).toBe('unknown')
    expect(driftLines(drift).join('\n')).toContain('UNKNOWN: the host could not be reached.')
  })

  it('text from the databases reaches the plan text quoted, without control, bidi or zero-width characters', () => {
    const evil = 'vm\u001b[31m\u009b\u202e\u200bx\nnext'
    const drift = compareDrift(
      backupOf({}),
      liveOf({ vm: [{ uuid: 'u1', name: evil, state: 'Running' }] }),
      false,
    )
    const text = driftLines(drift).join('\n')
    expect(text).toContain('+ "vm\\u001b[31m\\u009b\\u202e\\u200bx\\nnext" u1')
    const unsafe = [...text].filter((ch) => {
      const c = ch.codePointAt(0) as number
      return (c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f) || c === 0x200b || c === 0x202e
    })
    expect(unsafe).toEqual([])
  })
})

describe('VM HA', () => {
  const withHa = (value: string) =>
    backupOf({
      GlobalConfigVO: [
        { category: 'ha', name: 'enable', value },
        { category: 'kvm', name: 'enable', value: 'x' },
      ],
    })

  it('switched off by default, kept by choice; the plan line and the report say which and what next', () => {
    expect(vmHaPlan(withHa('true'), false)).toEqual({ action: 'disable', inBackup: 'true' })
    expect(vmHaCheck(vmHaPlan(withHa('true'), false))).toEqual([
      'ok',
      expect.objectContaining({ en: expect.stringContaining('true → false') }),
    ])
    expect(vmHaCheck(vmHaPlan(withHa('true'), true))[0]).toBe('warn')
    expect(vmHaCheck(vmHaPlan(backupOf({}), false))[0]).toBe('warn')
    expect(vmHaReport({ action: 'disable', inBackup: 'true' }, ['false']).afterwards).toContain(
      'UpdateGlobalConfig category=ha name=enable value=true',
    )
    expect(vmHaReport({ action: 'keep', inBackup: 'true' }, ['true']).afterwards).toContain('kept')
    expect(vmHaReport({ action: 'disable', inBackup: 'true' }, null).afterwards).toContain('did not reach')
  })
})

describe('formatAge', () => {
  it.each([
    [40, '40 s'],
    [125, '2 min'],
    [3 * 3600 + 60 * 7, '3 h 7 min'],
    [3 * 86400 + 5 * 3600, '3 d 5 h'],
    [-90, '-1 min'],
  ])('%i s → %s', (seconds, text) => expect(formatAge(seconds)).toBe(text))
})
