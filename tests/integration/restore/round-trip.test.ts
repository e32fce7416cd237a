import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runRestore } from '../../../src-main/recovery/restore/engine.js'
import { loadDump, zstackDumpFixture } from '../../fixtures/zstack-db/build.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { checksums, collectingSink, damage, hostDir, sshdConnector, tempDir } from './helpers.js'

const STANDIN = new URL('../../fixtures/zstack-db/zstack-ctl-standin.sh', import.meta.url).pathname

describe('restore round trip through the loopback sshd', () => {
  let db: MariaDb
  let sshd: Sshd
  let backup: string
  beforeAll(async () => {
    backup = await zstackDumpFixture({ rowsPerTable: 20 })
    ;[db, sshd] = await Promise.all([startMariaDb(), startSshd()])
  }, 180_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  it('dump → damage → restore: every CHECKSUM TABLE equals the original; a running node is stopped, then started', async () => {
    await loadDump(db, backup)
    const original = await checksums(db)
    expect(Object.keys(original).length).toBeGreaterThan(250)
    expect(Object.keys(original).some((t) => t.startsWith('zstack_ui.'))).toBe(true)
    await damage(db)
    expect(await checksums(db)).not.toEqual(original)

    const node = hostDir('zsdr-node-')
    const zstackCtl = join(node, 'zstack-ctl')
    copyFileSync(STANDIN, zstackCtl)
    writeFileSync(join(node, 'zstack-ctl.state'), 'Running\n', { mode: 0o666 })
    const log = collectingSink()
    const result = await runRestore({
      runId: 'a'.repeat(32),
      settings: {
        backupFile: backup,
        mysql: { host: '127.0.0.1', port: db.port, password: db.rootPassword },
        skipUi: false,
        safetyDir: hostDir('zsdr-restore-host-'),
        laptopDir: tempDir('zsdr-restore-laptop-'),
        zstackCtl,
      },
      connect: sshdConnector(sshd),
      confirm: async () => true,
      sinks: [log.sink],
    })
    expect(result.error).toBeNull()
    expect(result.outcome).toBe('restored')
    expect(await checksums(db)).toEqual(original)

    expect(result.verification?.ok).toBe(true)
    expect(result.verification?.schemaVersion).toEqual({ expected: '3.0.0', actual: '3.0.0', ok: true })
    expect(result.plan?.node).toMatchObject({ zstackCtl: true, running: true })
    expect(result.plan?.target).toMatchObject({
      label: `${sshd.user}@127.0.0.1:${sshd.port}`,
      hostKeyFingerprint: sshd.hostKeyFingerprint,
    })
    expect(result.steps.map((s) => s.id)).toEqual([
      'preflight',
      'confirm',
      'safety_dump',
      'stop_node',
      'restore',
      'verify',
      'vm_ha',
      'start_node',
      'report',
    ])
    const calls = readFileSync(join(node, 'zstack-ctl.state.calls'), 'utf8').split('\n').filter(Boolean)
    // The UI is stopped around the zstack_ui restore, as current zstack-ctl restore_mysql does.
    expect(calls.filter((c) => c !== 'status' && c !== '--help')).toEqual([
      'stop_node',
      'stop_ui',
      'start_node',
      'start_ui',
    ])
    expect(readFileSync(join(node, 'zstack-ctl.state'), 'utf8').trim()).toBe('Running')

    const report = JSON.parse(readFileSync(result.reportPaths.json, 'utf8'))
    expect(report.outcome).toBe('restored')
    expect(report.safetyDump.sha256).toMatch(/^[0-9a-f]{64}$/)
    for (const file of [report.safetyDump.laptopPath, result.reportPaths.json, result.reportPaths.text])
      expect(statSync(file).mode & 0o777, file).toBe(0o600)
    expect(report.restore.tables.zstack_ui.user_preference).toBe(20)
    expect(report.steps.find((s: { id: string }) => s.id === 'restore').commands.join('\n')).toContain(
      "--one-database 'zstack'",
    )
    expect(report.plan.target.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint)
    // The host checks are a few round trips whatever their number (15 commands one by one before #17):
    // the shell probes in one, then login, one query, and the live version beside the drift's two reads.
    const preflight = report.steps.find((s: { id: string }) => s.id === 'preflight')
    expect(preflight.commands).toHaveLength(6)
    expect(Object.keys(preflight.detail.partsMs).sort()).toEqual([
      'backup_check',
      'host_checks',
      'mysql',
      'ssh_connect',
    ])
    // Each step says in the live log how long it took.
    for (const step of result.steps.filter((s) => s.id !== 'report'))
      expect(log.text(), step.id).toMatch(new RegExp(`Step ${step.id}: ok after \\d+\\.\\d\\d s\\.`))
    const text = readFileSync(result.reportPaths.text, 'utf8')
    expect(text).toContain('OUTCOME: RESTORED')
    expect(text + JSON.stringify(report) + log.text()).not.toContain(db.rootPassword)
  }, 120_000)
})
