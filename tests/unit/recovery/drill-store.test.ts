import { describe, expect, it } from 'vitest'
import { openDatabase } from '../../../src-main/db/index.js'
import { DrillRuns } from '../../../src-main/recovery/drill/drill-store.js'
import type { DrillResult } from '../../../src-main/recovery/drill/run-drill.js'

function result(runId: string, outcome: DrillResult['outcome'], finishedAt: string): DrillResult {
  return {
    runId,
    outcome,
    host: 'root@node:22',
    startedAt: finishedAt,
    finishedAt,
    backup: { path: '/b.gz', sha256: 'a'.repeat(64), size: 10, uncompressedSize: 100 },
    restoreMs: outcome === 'passed' ? 1234 : null,
    verification: null,
    sanity:
      outcome === 'passed'
        ? { adminAccounts: 1, hosts: 2, vms: 3, primaryStorages: 1, backupStorages: 1 }
        : null,
    firstError:
      outcome === 'passed' ? null : { code: 'restore.mysql_load_failed', message: 'ERROR 1136 at line 7' },
    production: { measured: true, before: {}, after: {}, unchanged: true, note: '' },
    reportPaths: { json: '/r.json', text: '/r.txt' },
  }
}

describe('drill_runs (migration 7)', () => {
  it('keeps every drill of a backup; the latest per backup and the history by backup and run id', () => {
    const db = openDatabase(':memory:')
    db.prepare(
      "INSERT INTO recovery_hosts (id, label, host, spec) VALUES (1, 'root@node:22', 'node', 'root@node')",
    ).run()
    for (const id of [7, 8])
      db.prepare(
        `INSERT INTO recovery_backups (id, host_id, kind, location, name, first_seen_at, last_seen_at)
         VALUES (?, 1, 'dump-file', ?, 'b', '2026-01-01', '2026-01-01')`,
      ).run(id, `/d/${id}.gz`)
    const runs = new DrillRuns(db)
    runs.started('r1', 7, '/b.gz', 'root@node:22')
    runs.finished(result('r1', 'passed', '2026-11-01T00:00:00.000Z'))
    runs.started('r2', 7, '/b.gz', 'root@node:22')
    runs.finished(result('r2', 'failed', '2026-11-02T00:00:00.000Z'))
    runs.started('r3', 8, '/c.gz', 'root@node:22')
    runs.abandoned('r3', 'the app was closed')
    runs.started('r4', null, '/loose.gz', 'root@node:22')

    const latest = runs.latestPerBackup()
    expect(latest.map((r) => [r.backupId, r.runId, r.outcome]).sort()).toEqual([
      [7, 'r2', 'failed'],
      [8, 'r3', 'failed'],
    ])
    const of7 = runs.list({ limit: 10, backupId: 7 })
    expect(of7.map((r) => r.runId).sort()).toEqual(['r1', 'r2'])
    const [passed] = runs.list({ limit: 1, runId: 'r1' })
    expect(passed).toMatchObject({
      outcome: 'passed',
      restoreMs: 1234,
      productionUnchanged: true,
      firstError: null,
      sanity: { adminAccounts: 1, vms: 3 },
      backupSha256: 'a'.repeat(64),
    })
    expect(runs.list({ limit: 1, runId: 'r2' })[0]?.firstError).toEqual({
      code: 'restore.mysql_load_failed',
      message: 'ERROR 1136 at line 7',
    })
    expect(runs.list({ limit: 1, runId: 'r4' })[0]?.outcome).toBe('running')
  })
})
