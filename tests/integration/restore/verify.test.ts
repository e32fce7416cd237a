import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inspectBackup } from '../../../src-main/recovery/restore/backup-file.js'
import type { DumpSummary } from '../../../src-main/recovery/restore/dump-scanner.js'
import { MysqlClient } from '../../../src-main/recovery/restore/mysql-client.js'
import { verifyAgainstDump } from '../../../src-main/recovery/restore/verify.js'
import { connectHost, KnownHosts } from '../../../src-main/ssh/index.js'
import type { SshHost } from '../../../src-main/ssh/ssh-host.js'
import { loadDump } from '../../fixtures/zstack-db/build.js'
import type { MariaDb } from '../../harness/mariadb.js'
import type { Sshd } from '../../harness/sshd.js'
import { startDamagedNode, tempDir } from './helpers.js'

// The verification's two round trips (tables present; one UNION ALL of counts per database with
// Flyway's versions) against a damaged and then a restored real MariaDB.
const password = `Verify-${process.pid}`
let db: MariaDb
let sshd: Sshd
let backup: string
let summary: DumpSummary
let host: SshHost
let mysql: MysqlClient
const databases = ['zstack', 'zstack_rest', 'zstack_ui']

beforeAll(async () => {
  ;({ db, sshd, backup } = await startDamagedNode(password))
  summary = (await inspectBackup(backup)).summary
  host = await connectHost(
    { host: '127.0.0.1', port: sshd.port, user: sshd.user, agent: false },
    {
      knownHosts: new KnownHosts(join(tempDir('zsdr-verify-'), 'known_hosts')),
      acceptNewHostKey: true,
      configFile: null,
      credentials: () => ({ password: sshd.password }),
    },
  )
  mysql = await MysqlClient.open(host, { host: '127.0.0.1', port: db.port, socket: null }, password)
}, 180_000)
afterAll(async () => {
  await mysql?.close()
  await host?.close()
  await Promise.all([db?.stop(), sshd?.stop()])
})

describe('verifyAgainstDump', () => {
  it('names every table whose rows differ or that is missing, with the counts found', async () => {
    const v = await verifyAgainstDump(mysql, summary, databases)
    expect(v.ok).toBe(false)
    // helpers.damage: HostEO truncated, person dropped, user_preference emptied, 5 VolumeEO rows deleted.
    const byName = Object.fromEntries(v.mismatches.map((m) => [`${m.database}.${m.table}`, m]))
    expect(byName['zstack.HostEO']).toMatchObject({
      expected: summary.databases.zstack?.tables.HostEO,
      actual: 0,
    })
    expect(byName['zstack.person']?.actual).toBeNull()
    expect(byName['zstack_ui.user_preference']?.actual).toBe(0)
    const volumes = byName['zstack.VolumeEO']
    expect(volumes?.actual).toBe((volumes?.expected ?? 0) - 5)
    expect(v.schemaVersion.ok).toBe(true)
  })

  it('passes once the dump is loaded again, counting every table of the backup', async () => {
    await loadDump(db, backup)
    const v = await verifyAgainstDump(mysql, summary, databases)
    const tables = databases.reduce((n, d) => n + Object.keys(summary.databases[d]?.tables ?? {}).length, 0)
    expect(v).toMatchObject({ ok: true, mismatches: [], tablesChecked: tables, rowsFound: summary.totalRows })
    expect(v.schemaVersion).toMatchObject({ ok: true, actual: summary.schemaVersion })
  })
})
