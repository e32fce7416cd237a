import { chmodSync, copyFileSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRestore } from '../../../src-main/recovery/restore/engine.js'
import { loadDump, zstackDumpFixture } from '../../fixtures/zstack-db/build.js'
import type { MariaDb } from '../../harness/mariadb.js'
import { type Sshd, startTcpProxy } from '../../harness/sshd.js'
import {
  checksums,
  damage,
  hostDir,
  killLoadersWhen,
  nodeRun,
  observedHost,
  optionFoldersLeft,
  type RunOverrides,
  sshdConnector,
  startDamagedNode,
} from './helpers.js'

const STANDIN = new URL('../../fixtures/zstack-db/zstack-ctl-standin.sh', import.meta.url).pathname

/**
 * Rollbacks at the worst moments: a frozen link, a database the restore created, a rollback that
 * itself fails. Stored routines survive both a restore from a routine-less backup and a rollback; no
 * password file is left on the host after any of them.
 */
describe('restore rollback robustness (the loopback sshd as the management-node host)', () => {
  const password = `Root-Pw-${process.pid}-回滚`
  let db: MariaDb
  let sshd: Sshd
  let backup: string
  let before: Record<string, string>

  beforeAll(async () => {
    ;({ db, sshd, backup, damaged: before } = await startDamagedNode(password))
    // A routine only the live database has: zstack-ctl backups hold none.
    await db.sql('CREATE PROCEDURE zstack.zsdr_probe() SELECT 42')
  }, 180_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  function run(overrides: RunOverrides & { zstackCtl?: string; backupFile?: string } = {}) {
    const { zstackCtl, backupFile, ...rest } = overrides
    const { run: options, log } = nodeRun(
      { sshd, db, password, backup },
      {
        runId: 'b'.repeat(32),
        reconnect: { attempts: 3, delayMs: 200 },
        ...rest,
        settings: { ...(zstackCtl ? { zstackCtl } : {}), ...(backupFile ? { backupFile } : {}) },
      },
    )
    return { options, log }
  }

  async function routines(): Promise<string> {
    return db.sql("SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'zstack'")
  }

  it('a backup without routines: the live routine is re-created from the safety dump, and the report says so', async () => {
    const { options, log } = run()
    const result = await runRestore(options)
    expect(result.outcome).toBe('restored')
    expect(await routines()).toContain('zsdr_probe')
    expect(await db.sql('CALL zstack.zsdr_probe()')).toContain('42')
    const report = JSON.parse(readFileSync(result.reportPaths.json, 'utf8'))
    expect(report.restore.recreatedRoutines).toEqual(['PROCEDURE zstack.zsdr_probe'])
    expect(report.restore.definersRewritten).toBeGreaterThan(0)
    expect(report.confirmation).toBe('typed_host_name')
    expect(readFileSync(result.reportPaths.text, 'utf8')).toContain(
      'Re-created    PROCEDURE zstack.zsdr_probe',
    )
    expect(log.text()).toContain('safety dump')
    expect(optionFoldersLeft(result.reportPaths.json)).toEqual([])
    await damage(db)
    before = await checksums(db)
  }, 120_000)

  it('a frozen link mid-restore: the abandoned session is KILLed, the rollback completes, verified, in bounded time', async () => {
    // Wide tables: the load sessions spend most of their time inside long INSERTs.
    const bulky = await zstackDumpFixture({ rowsPerTable: 20, bulkBytes: 24 << 20 })
    const proxy = await startTcpProxy(sshd.port)
    const connect = sshdConnector(sshd, proxy.port, 1000)
    let frozen = false
    const { options, log } = run({
      backupFile: bulky,
      connect: async () =>
        observedHost(await connect(), (command) => {
          if (!frozen && command.includes("--one-database 'zstack'")) {
            frozen = true
            // Freeze while zstack's rows still stream to its sessions (about 1.5 s here): no close, no
            // reset, just silence. The sessions wait for the rest on the server.
            setTimeout(() => proxy.freezeAll(), 300)
          }
        }),
    })
    const started = Date.now()
    try {
      const result = await runRestore(options)
      const seconds = (Date.now() - started) / 1000
      expect(frozen).toBe(true)
      expect(result.outcome, log.text()).toBe('rolled_back')
      expect(result.rollbackVerification?.ok).toBe(true)
      expect(seconds).toBeLessThan(60)
      expect(await checksums(db)).toEqual(before)
      expect(await routines()).toContain('zsdr_probe')
      const text = log.text()
      expect(text).toContain('Reconnected')
      expect(text).toMatch(/Stopped the abandoned load session \d+/)
      expect(optionFoldersLeft(result.reportPaths.json)).toEqual([])
    } finally {
      await proxy.stop()
    }
  }, 120_000)

  it('a database the restore created (zstack_ui did not exist) is dropped again by the rollback', async () => {
    await db.sql('DROP DATABASE zstack_ui')
    const withoutUi = await checksums(db)
    const { options, log } = run({ connect: killLoadersWhen(sshd, 'zstack_ui').connect })
    const result = await runRestore(options)
    // The run's log with any failure: what failed, and how, where only the outcome would say little.
    expect(result.outcome, log.text()).toBe('rolled_back')
    expect(result.rollbackVerification?.ok).toBe(true)
    expect(
      await db.sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'zstack_ui'"),
    ).toBe('0\n')
    expect(await checksums(db)).toEqual(withoutUi)
    expect(await routines()).toContain('zsdr_probe')
    expect(log.text()).toContain('it did not exist before the restore')
    expect(optionFoldersLeft(result.reportPaths.json)).toEqual([])
    await loadDump(db, backup)
    await db.sql('CREATE PROCEDURE zstack.zsdr_probe() SELECT 42')
    await damage(db)
    before = await checksums(db)
  }, 120_000)

  it('rollback_failed: the node is left stopped, the report says so, and the host copy restores everything', async () => {
    const node = hostDir('zsdr-rollback-node-')
    const ctl = join(node, 'zstack-ctl')
    copyFileSync(STANDIN, ctl)
    writeFileSync(join(node, 'zstack-ctl.state'), 'Running\n')
    chmodSync(join(node, 'zstack-ctl.state'), 0o666) // the SSH test user writes it (umask would leave 644)
    let laptopDir = ''
    const { options, log } = run({
      zstackCtl: ctl,
      // The crash comes with a damaged laptop copy of the safety dump: the rollback cannot succeed.
      connect: killLoadersWhen(sshd, 'zstack_rest', () => {
        for (const f of readdirSync(laptopDir).filter((n) => n.startsWith('safety-dump-')))
          truncateSync(join(laptopDir, f), 100)
      }).connect,
    })
    laptopDir = options.settings.laptopDir
    const result = await runRestore(options)
    expect(result.outcome, log.text()).toBe('rollback_failed')
    const calls = readFileSync(join(node, 'zstack-ctl.state.calls'), 'utf8').split('\n').filter(Boolean)
    expect(calls).toContain('stop_node')
    expect(calls).not.toContain('start_node')
    expect(calls).not.toContain('start_ui')
    expect(readFileSync(join(node, 'zstack-ctl.state'), 'utf8').trim()).toBe('Stopped')
    const text = readFileSync(result.reportPaths.text, 'utf8')
    expect(text).toContain('NODE LEFT STOPPED')
    expect(text).toContain('MANUAL RECOVERY')
    expect(optionFoldersLeft(result.reportPaths.json)).toEqual([])
    await loadDump(db, result.safetyDump?.hostPath as string)
    expect(await checksums(db)).toEqual(before)
    expect(await routines()).toContain('zsdr_probe')
  }, 120_000)
})
