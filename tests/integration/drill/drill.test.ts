import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DrillLogEntry } from '../../../src-main/api/contract/drill.js'
import { type DrillSettings, runDrill } from '../../../src-main/recovery/drill/run-drill.js'
import {
  DRILL_MARKER,
  findServerTools,
  startScratchServer,
} from '../../../src-main/recovery/drill/scratch-server.js'
import { preflight } from '../../../src-main/recovery/restore/preflight.js'
import { dumpLikeZstackCtl, loadDump, zstackDumpFixture } from '../../fixtures/zstack-db/build.js'
import { MALICIOUS_KINDS, maliciousBackup, variant } from '../../fixtures/zstack-db/malicious.js'
import { runZsdr } from '../../harness/cli.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'
import { type Sshd, startSshd, startTcpProxy, TEST_USER } from '../../harness/sshd.js'
import { checksums, pidsWithArgs, sshdConnector, tempDir } from '../restore/helpers.js'

/** ZStack creates its admin account at first boot, not in SQL: the "production" gets one, as a real node has. */
const ADMIN = `INSERT INTO zstack.AccountVO (uuid, name, password, type, createDate)
  VALUES ('36c27e8ff05c4780bf6d2fa65700f22e', 'admin', 'x', 'SystemAdmin', NOW())`

describe('recovery drill through the loopback sshd (real MariaDB binaries)', () => {
  let db: MariaDb
  let sshd: Sshd
  let good: string
  let tempRoot: string
  const laptopDir = tempDir('zsdr-drill-laptop-')

  beforeAll(async () => {
    const fixture = await zstackDumpFixture({ rowsPerTable: 20 })
    ;[db, sshd] = await Promise.all([startMariaDb(), startSshd()])
    await loadDump(db, fixture)
    await db.sql(ADMIN)
    good = join(tempDir('zsdr-drill-backup-'), 'zstack-backup-db-good.gz')
    await dumpLikeZstackCtl(db, good)
    // The host's temp folder for scratch servers: private to this test, writable by the SSH user.
    tempRoot = tempDir('zsdr-drill-host-')
    chmodSync(tempRoot, 0o1777)
  }, 300_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  const settings = (over: Partial<DrillSettings> = {}): DrillSettings => ({
    backupFile: good,
    backupId: null,
    tempDir: tempRoot,
    diskMargin: 16 * 1048576,
    live: { host: '127.0.0.1', port: db.port, password: db.rootPassword },
    laptopDir,
    ...over,
  })
  const scratchLeft = () => readdirSync(tempRoot).filter((n) => n.startsWith(`${DRILL_MARKER}.`))

  it('link cut mid-drill: the watchdog stops the scratch server and deletes its folder', async () => {
    const proxy = await startTcpProxy(sshd.port)
    let dir = ''
    const result = await runDrill({
      runId: 'c'.repeat(32),
      settings: settings({ live: null }),
      connect: sshdConnector(sshd, proxy.port),
      log: (e: DrillLogEntry) => {
        const m = /^Scratch server up in (\S+) /.exec(e.message)
        if (m) {
          dir = m[1] as string
          proxy.cutAll()
        }
      },
    })
    await proxy.stop()
    expect(dir).toMatch(new RegExp(`^${tempRoot}/${DRILL_MARKER}\\.`))
    expect(result.outcome).toBe('failed')
    expect(result.firstError).not.toBeNull()
    const deadline = Date.now() + 90_000
    while ((existsSync(dir) || pidsWithArgs([dir]).length > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500))
    expect(pidsWithArgs([dir])).toEqual([])
    expect(existsSync(dir)).toBe(false)
  }, 300_000)

  it('good backup: passes, production CHECKSUM TABLE unchanged, recovery time measured, nothing left; a leftover of an earlier drill is removed', async () => {
    // A leftover whose SSH session is gone (as after a killed host): the next drill must remove it.
    const leftover = join(tempRoot, `${DRILL_MARKER}.Left0v`)
    execFileSync('runuser', [
      '-u',
      TEST_USER,
      '--',
      'sh',
      '-c',
      `mkdir -m 700 '${leftover}' && echo 999999999 > '${leftover}/session'`,
    ])
    const before = await checksums(db)
    const result = await runDrill({
      runId: 'a'.repeat(32),
      settings: settings(),
      connect: sshdConnector(sshd),
    })
    expect(result.firstError).toBeNull()
    expect(result.outcome).toBe('passed')
    expect(result.verification?.ok).toBe(true)
    expect(result.verification?.schemaVersion).toEqual({ expected: '3.0.0', actual: '3.0.0', ok: true })
    expect(result.sanity).toMatchObject({
      adminAccounts: 1,
      hosts: expect.any(Number),
      vms: expect.any(Number),
    })
    expect(result.restoreMs).toBeGreaterThan(0)
    expect(await checksums(db)).toEqual(before)
    expect(result.production.unchanged).toBe(true)
    expect(Object.keys(result.production.before ?? {}).length).toBeGreaterThan(250)
    expect(scratchLeft()).toEqual([])
    expect(pidsWithArgs([`${tempRoot}/${DRILL_MARKER}.`])).toEqual([])
    const report = JSON.parse(readFileSync(result.reportPaths.json, 'utf8'))
    expect(report.kind).toBe('DRILL')
    expect(report.leftoversRemoved).toEqual([leftover])
    expect(readFileSync(result.reportPaths.text, 'utf8')).toMatch(
      /OUTCOME: DRILL PASSED[\s\S]*production databases are unchanged/,
    )
    expect(statSync(result.reportPaths.json).mode & 0o777).toBe(0o600)
  }, 300_000)

  it('a backup with a broken table fails with the first error and its line; nothing left', async () => {
    const text = gunzipSync(readFileSync(good)).toString('latin1')
    const at = text.indexOf('INSERT INTO `HostEO`')
    expect(at).toBeGreaterThan(0)
    const broken = join(tempDir('zsdr-drill-broken-'), 'zstack-backup-db-broken.gz')
    writeFileSync(
      broken,
      gzipSync(
        Buffer.from(`${text.slice(0, at)}INSERT INTO \`HostEO\` VALUES (1);\n${text.slice(at)}`, 'latin1'),
      ),
    )
    const result = await runDrill({
      runId: 'b'.repeat(32),
      settings: settings({ backupFile: broken, live: null }),
      connect: sshdConnector(sshd),
    })
    expect(result.outcome).toBe('failed')
    expect(result.firstError?.message).toMatch(/ERROR 1136 .*at line \d+: Column count/)
    expect(scratchLeft()).toEqual([])
  }, 300_000)

  it('not enough disk: refused before any server starts (a 32 MiB tmpfs as the temp folder)', async () => {
    const small = tempDir('zsdr-drill-tmpfs-')
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m,mode=1777', 'tmpfs', small])
    try {
      const result = await runDrill({
        runId: 'd'.repeat(32),
        settings: settings({ tempDir: small, diskMargin: 64 * 1048576, live: null }),
        connect: sshdConnector(sshd),
      })
      expect(result.outcome).toBe('refused')
      expect(result.firstError?.code).toBe('drill.no_space')
      expect(result.firstError?.message).toMatch(/Not enough room .* MiB free\. Nothing was started/)
      expect(readdirSync(small)).toEqual([])
    } finally {
      execFileSync('umount', [small])
    }
  }, 120_000)

  it('zsdr db drill --json: passes, prints the recorded drill_runs row (production unchanged, recovery time)', async () => {
    const data = tempDir('zsdr-drill-cli-')
    const before = await checksums(db)
    const r = await runZsdr(
      [
        'db',
        'drill',
        `${sshd.user}@127.0.0.1:${sshd.port}`,
        good,
        '--ssh-config',
        'none',
        '--known-hosts',
        join(data, 'known_hosts'),
        '--accept-new-host-key',
        '--temp-dir',
        tempRoot,
        '--disk-margin',
        '16',
        '--mysql-host',
        '127.0.0.1',
        '--mysql-port',
        String(db.port),
        '--mysql-password-stdin',
        '--json',
      ],
      {
        stdin: `${db.rootPassword}\n`,
        env: {
          ZSDR_HOME: join(data, 'home'),
          HOME: join(data, 'user'),
          ZSDR_SSH_PASSWORD: sshd.password,
          DBUS_SESSION_BUS_ADDRESS: '',
        },
      },
    )
    expect(r.stderr).not.toContain(db.rootPassword)
    expect(r.code, r.stderr).toBe(0)
    const run = JSON.parse(r.stdout)
    expect(run).toMatchObject({
      outcome: 'passed',
      productionUnchanged: true,
      firstError: null,
      backupPath: good,
    })
    expect(run.restoreMs).toBeGreaterThan(0)
    expect(run.sanity.adminAccounts).toBe(1)
    expect(r.stderr).toMatch(/Scratch server up in/)
    expect(await checksums(db)).toEqual(before)
    expect(scratchLeft()).toEqual([])
  }, 300_000)

  it('watchdog: with the holder and the SSH session process both killed (-9), the scratch server still dies and its folder goes', async () => {
    const host = await sshdConnector(sshd)()
    try {
      const scratch = await startScratchServer(host, await findServerTools(host), { tempRoot })
      const server = Number(readFileSync(join(scratch.dir, 'server.pid'), 'utf8'))
      const session = Number(readFileSync(join(scratch.dir, 'session'), 'utf8'))
      expect(pidsWithArgs([scratch.dir])).toContain(server)
      // The holder is the shell sshd started (its parent is the session); the watchdog is its fork.
      const parent = (pid: number) =>
        Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])
      const shells = pidsWithArgs([scratch.dir, 'cat >/dev/null'])
      const holders = shells.filter((p) => parent(p) === session)
      expect(holders.length).toBe(1)
      expect(shells.length).toBe(2)
      process.kill(holders[0] as number, 'SIGKILL')
      process.kill(session, 'SIGKILL')
      const deadline = Date.now() + 90_000
      while ((existsSync(scratch.dir) || existsSync(`/proc/${server}`)) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 500))
      expect(existsSync(`/proc/${server}`)).toBe(false)
      expect(existsSync(scratch.dir)).toBe(false)
    } finally {
      await host.close().catch(() => {})
    }
  }, 180_000)

  it('malicious backups are refused exactly as by the restore preflight (same text, at their line), before any server starts', async () => {
    const dir = tempDir('zsdr-drill-malicious-')
    chmodSync(dir, 0o1777)
    const marker = join(dir, 'ran')
    const host = await sshdConnector(sshd)()
    try {
      for (const [id, form] of [
        ['shell-escape', 'plain'],
        ['create-user', 'versioned'],
        ['trigger-other-database', 'odd-case'],
        ['use-mysql', 'odd-whitespace'],
      ] as const) {
        const kind = MALICIOUS_KINDS.find((k) => k.id === id)
        if (!kind) throw new Error(`the corpus lost its ${id} case`)
        const { gz, line } = maliciousBackup(good, variant(kind, form, { file: marker, sql: marker }))
        const file = join(dir, `${id}-${form}.gz`)
        writeFileSync(file, gz)
        const { plan, facts } = await preflight(host, {
          backupFile: file,
          mysql: { host: '127.0.0.1', port: db.port, password: db.rootPassword },
          skipUi: false,
          laptopDir: tempDir('zsdr-drill-preflight-'),
        })
        await facts.mysql?.close()
        const restoreSays = plan.checks.find((c) => c.id === 'backup_statements')
        expect(restoreSays?.status, id).toBe('fail')
        const result = await runDrill({
          runId: 'e'.repeat(32),
          settings: settings({ backupFile: file }),
          connect: sshdConnector(sshd),
        })
        expect(result.outcome, id).toBe('refused')
        expect(result.firstError?.code).toBe('drill.backup_refused')
        expect(result.firstError?.message).toBe(restoreSays?.text.en)
        expect(result.firstError?.message).toContain(`line ${line}:`)
        expect(existsSync(marker)).toBe(false)
        expect(scratchLeft()).toEqual([])
      }
    } finally {
      await host.close()
    }
  }, 300_000)

  it('cancel (what Ctrl-C does) mid-restore: the drill returns and its scratch server is stopped and deleted', async () => {
    const controller = new AbortController()
    let dir = ''
    const result = await runDrill({
      runId: 'f'.repeat(32),
      settings: settings({ live: null }),
      connect: sshdConnector(sshd),
      signal: controller.signal,
      log: (e: DrillLogEntry) => {
        dir = /^Scratch server up in (\S+) /.exec(e.message)?.[1] ?? dir
      },
      // Cancelled once the restore is under way, as a user pressing Ctrl-C would.
      progress: (p) => {
        if (p.phase === 'restore' && p.done > 0 && !controller.signal.aborted)
          controller.abort(new Error('cancelled by the test'))
      },
    })
    expect(dir).not.toBe('')
    expect(result.outcome).toBe('failed')
    expect(result.firstError?.message).toMatch(/cancelled by the test/)
    expect(existsSync(dir)).toBe(false)
    expect(pidsWithArgs([dir])).toEqual([])
  }, 120_000)
})
