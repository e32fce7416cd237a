import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRestore } from '../../../src-main/recovery/restore/engine.js'
import { LocalHost } from '../../../src-main/ssh/local-host.js'
import { loadDump, zstackDumpFixture } from '../../fixtures/zstack-db/build.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'
import { checksums, damage, tempDir } from './helpers.js'

describe('restore round trip (LocalHost)', () => {
  let db: MariaDb
  let backup: string
  beforeAll(async () => {
    backup = await zstackDumpFixture({ rowsPerTable: 20 })
    db = await startMariaDb()
  }, 180_000)
  afterAll(async () => {
    await db?.stop()
  })

  it('dump → damage → restore → every CHECKSUM TABLE equals the original', async () => {
    await loadDump(db, backup)
    const original = await checksums(db)
    expect(Object.keys(original).length).toBeGreaterThan(250)
    await damage(db)
    expect(await checksums(db)).not.toEqual(original)
    const laptopDir = tempDir('zsdr-restore-laptop-')
    const result = await runRestore({
      runId: 'a'.repeat(32),
      settings: {
        backupFile: backup,
        mysql: { host: '127.0.0.1', port: db.port, password: db.rootPassword },
        skipUi: false,
        safetyDir: tempDir('zsdr-restore-host-'),
        laptopDir,
      },
      connect: async () => new LocalHost(),
      confirm: async () => true,
      sinks: [(e) => console.log(Date.now() % 100000, e.step, e.level, e.message)],
    })
    console.log(result.error, result.reportPaths)
    expect(result.outcome).toBe('restored')
    expect(await checksums(db)).toEqual(original)
  }, 120_000)
})
