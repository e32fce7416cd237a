import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { runRestore } from '../../../src-main/recovery/restore/engine.js'
import { loadDump } from '../../fixtures/zstack-db/build.js'
import type { MariaDb } from '../../harness/mariadb.js'
import { type Sshd, startTcpProxy } from '../../harness/sshd.js'
import {
  checksums,
  killLoadersWhen,
  nodeRun,
  observedHost,
  optionFoldersLeft,
  type RunOverrides,
  sshdConnector,
  startDamagedNode,
  tempDir,
} from './helpers.js'

/**
 * Every fault must leave nothing lost: the live databases keep the checksums they had before the run
 * (or get them back through the automatic rollback), and no password shows up anywhere.
 */
describe('restore faults (the loopback sshd as the management-node host)', () => {
  const password = `Root-Pw-${process.pid}-秘密`
  let db: MariaDb
  let sshd: Sshd
  let backup: string
  let before: Record<string, string>
  let original: Record<string, string>
  const seen: string[] = []

  beforeAll(async () => {
    ;({ db, sshd, backup, original, damaged: before } = await startDamagedNode(password))
  }, 180_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  const options = (overrides: RunOverrides = {}) => nodeRun({ sshd, db, password, backup }, overrides)

  /** Everything the run left for a human: live log and both report files. */
  function evidence(log: { text(): string }, paths: { json: string; text: string }): string {
    const all = log.text() + readFileSync(paths.json, 'utf8') + readFileSync(paths.text, 'utf8')
    seen.push(all)
    reports.push(paths.json)
    return all
  }
  const reports: string[] = []

  it('refuses a corrupted backup before dropping anything', async () => {
    const corrupt = join(tempDir('zsdr-corrupt-'), 'zstack-backup-db.gz')
    copyFileSync(backup, corrupt)
    const bytes = readFileSync(corrupt)
    bytes.fill(0x41, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64)
    writeFileSync(corrupt, bytes)
    const { run, log } = options({ settings: { backupFile: corrupt } })
    const result = await runRestore(run)
    expect(result.outcome).toBe('refused')
    expect(result.plan?.checks.find((c) => c.id === 'backup_integrity')?.status).toBe('fail')
    // Nothing is claimed about a backup that could not be read.
    expect(result.plan?.backup).toBeNull()
    expect(result.plan?.databases).toEqual([])
    for (const id of ['backup_statements', 'version', 'databases'] as const)
      expect(result.plan?.checks.find((c) => c.id === id)?.status).toBe('unknown')
    expect(result.safetyDump).toBeNull()
    expect(log.entries.some((e) => e.message.includes('Dropping'))).toBe(false)
    expect(await checksums(db)).toEqual(before)
    expect(evidence(log, result.reportPaths)).toContain('backup_integrity')
  })

  it('refuses a wrong MySQL root password at preflight', async () => {
    const { run, log } = options({
      settings: { mysql: { host: '127.0.0.1', port: db.port, password: 'wrong-password' } },
    })
    const result = await runRestore(run)
    expect(result.outcome).toBe('refused')
    expect(result.plan?.checks.find((c) => c.id === 'mysql_login')?.status).toBe('fail')
    expect(result.error?.code).toBe('restore.preflight_failed')
    expect(await checksums(db)).toEqual(before)
    expect(evidence(log, result.reportPaths)).not.toContain('wrong-password')
  })

  it('--dry-run shows the plan and changes nothing', async () => {
    let asked = false
    const { run, log, laptopDir } = options({
      dryRun: true,
      confirm: async () => {
        asked = true
        return true
      },
    })
    const result = await runRestore(run)
    expect(result.outcome).toBe('dry_run')
    expect(result.plan?.ok).toBe(true)
    expect(asked).toBe(false)
    expect(readdirSync(run.settings.safetyDir as string)).toEqual([])
    expect(readdirSync(laptopDir).filter((f) => f.endsWith('.gz'))).toEqual([])
    expect(await checksums(db)).toEqual(before)
    evidence(log, result.reportPaths)
  })

  /** Runs `body` with a real tmpfs of `size` mounted on a temp folder; skips where mounting needs root. */
  async function withTmpfs(
    ctx: TestContext,
    size: string,
    body: (dir: string) => Promise<void>,
  ): Promise<void> {
    const small = tempDir('zsdr-small-disk-')
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=777`, 'tmpfs', small], { stdio: 'pipe' })
    } catch (e) {
      ctx.skip(`cannot mount a small tmpfs here (needs root): ${(e as Error).message.split('\n')[0]}`)
      return
    }
    try {
      await body(small)
    } finally {
      execFileSync('umount', [small])
    }
  }

  it('refuses when the host has no room for the safety dump (a real 1 MiB tmpfs)', (ctx) =>
    withTmpfs(ctx, '1m', async (small) => {
      const { run, log } = options({ settings: { safetyDir: join(small, 'mysql-backup') } })
      const result = await runRestore(run)
      expect(result.outcome).toBe('refused')
      expect(result.plan?.checks.find((c) => c.id === 'disk_host')?.status).toBe('fail')
      expect(existsSync(join(small, 'mysql-backup'))).toBe(false)
      expect(await checksums(db)).toEqual(before)
      evidence(log, result.reportPaths)
    }))

  it(
    'a safety dump that fills the host disk is removed from the host and reported; nothing is dropped',
    (ctx) =>
      withTmpfs(ctx, '80m', async (small) => {
        const safetyDir = join(small, 'mysql-backup')
        const { run, log, laptopDir } = options({
          settings: { safetyDir },
          // The plan saw room; by the time the dump runs, another writer has taken nearly all of it.
          confirm: async () => {
            const free = statfsSync(small).bavail * statfsSync(small).bsize
            execFileSync('fallocate', ['-l', String(free - 64 * 1024), join(small, 'filler')])
            return true
          },
        })
        const result = await runRestore(run)
        expect(result.error?.code).toBe('restore.safety_dump_failed')
        expect(result.error?.message.en).toContain('The partial dump was removed')
        expect(readdirSync(safetyDir)).toEqual([])
        expect(readdirSync(laptopDir).filter((f) => f.endsWith('.gz'))).toEqual([])
        expect(log.entries.some((e) => e.message.includes('Dropping'))).toBe(false)
        expect(await checksums(db)).toEqual(before)
        evidence(log, result.reportPaths)
      }),
    60_000,
  )

  it('rolls back automatically when mysql is killed mid-restore', async () => {
    const { connect, killed } = killLoadersWhen(sshd, 'zstack_rest')
    const { run, log } = options({ connect })
    const result = await runRestore(run)
    expect(killed.length).toBeGreaterThan(0)
    expect(result.outcome).toBe('rolled_back')
    expect(result.error?.code).toBe('restore.mysql_load_failed')
    expect(result.rollbackVerification?.ok).toBe(true)
    expect(await checksums(db)).toEqual(before)
    const text = evidence(log, result.reportPaths)
    expect(text).toContain('Rollback complete')
    expect(existsSync(result.safetyDump?.hostPath as string)).toBe(true)
  }, 90_000)

  /** A run whose SSH connection goes through a relay that `onCut` breaks once the second database starts. */
  async function dropMidRestore(onCut: (proxy: Awaited<ReturnType<typeof startTcpProxy>>) => void) {
    const proxy = await startTcpProxy(sshd.port)
    const connect = sshdConnector(sshd, proxy.port)
    let cut = false
    const { run, log } = options({
      connect: async () =>
        observedHost(await connect(), (command) => {
          if (!cut && command.includes("--one-database 'zstack_rest'")) {
            cut = true
            setTimeout(() => onCut(proxy), 50)
          }
        }),
    })
    try {
      const result = await runRestore(run)
      expect(cut).toBe(true)
      return { result, log }
    } finally {
      await proxy.stop()
    }
  }

  it('SSH dropped mid-restore: reconnects and rolls back automatically', async () => {
    const { result, log } = await dropMidRestore((proxy) => proxy.cutAll())
    expect(result.error?.code).toMatch(/^(restore|ssh)\./)
    expect(result.outcome).toBe('rolled_back')
    expect(result.rollbackVerification?.ok).toBe(true)
    expect(await checksums(db)).toEqual(before)
    expect(evidence(log, result.reportPaths)).toContain('Reconnected')
  }, 90_000)

  it('SSH dropped for good: a clear report names the safety dump, which restores everything', async () => {
    const { result, log } = await dropMidRestore((proxy) => void proxy.stop())
    expect(result.outcome).toBe('rollback_failed')
    const safety = result.safetyDump
    if (!safety) throw new Error('no safety dump')
    const text = readFileSync(result.reportPaths.text, 'utf8')
    expect(text).toContain('MANUAL RECOVERY')
    expect(text).toContain(safety.hostPath)
    expect(text).toContain(safety.laptopPath)
    expect(log.text()).toContain(safety.laptopPath)
    evidence(log, result.reportPaths)
    expect(createHash('sha256').update(readFileSync(safety.laptopPath)).digest('hex')).toBe(safety.sha256)
    // Nothing lost: the laptop copy of the safety dump brings back the state before the run.
    await loadDump(db, safety.laptopPath)
    expect(await checksums(db)).toEqual(before)
  }, 90_000)

  it('restores onto a server with no management database at all (nothing to keep, no safety dump)', async () => {
    await db.sql('DROP DATABASE zstack; DROP DATABASE zstack_rest; DROP DATABASE zstack_ui;')
    const { run, log } = options()
    const result = await runRestore(run)
    expect(result.outcome).toBe('restored')
    expect(result.safetyDump).toBeNull()
    expect(result.steps.find((s) => s.id === 'safety_dump')?.status).toBe('skipped')
    expect(await checksums(db)).toEqual(original)
    evidence(log, result.reportPaths)
  }, 90_000)

  it('no MySQL password file is left on the host after any of these faults', () => {
    // A run that lost the host for good cannot remove its file; the next run's login sweeps it.
    const withLogin = reports.filter((r) => readFileSync(r, 'utf8').includes('--defaults-extra-file='))
    expect(withLogin.length).toBeGreaterThanOrEqual(5)
    for (const report of withLogin) expect(optionFoldersLeft(report)).toEqual([])
  })

  it('no password in any log line or report of these runs', () => {
    expect(seen.length).toBeGreaterThanOrEqual(4)
    for (const text of seen) {
      expect(text).not.toContain(password)
      expect(text).not.toContain('wrong-password')
    }
  })
})
