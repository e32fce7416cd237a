import { copyFileSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RestoreLogEntry } from '../../../src-main/api/contract/index.js'
import { mysqlRootPasswordKey } from '../../../src-main/vault/keys.js'
import { runZsdr } from '../../harness/cli.js'
import type { MariaDb } from '../../harness/mariadb.js'
import { testServices } from '../../harness/services.js'
import type { Sshd } from '../../harness/sshd.js'
import { checksums, damage, hostDir, startDamagedNode, tempDir } from './helpers.js'

/** `zsdr db restore` as a user runs it, and the same run through the API with the typed confirmation. */
describe('zsdr db restore and the restore.* API (loopback sshd, real MariaDB)', () => {
  const password = `Mysql-Root-${process.pid}-密码`
  let db: MariaDb
  let sshd: Sshd
  let backup: string
  let original: Record<string, string>
  let damaged: Record<string, string>
  const data = tempDir('zsdr-restore-cli-')
  const env = {
    ZSDR_HOME: join(data, 'home'),
    HOME: join(data, 'user'),
    DBUS_SESSION_BUS_ADDRESS: '',
    SSH_AUTH_SOCK: '',
  }
  const outputs: string[] = []

  beforeAll(async () => {
    ;({ db, sshd, backup, original, damaged } = await startDamagedNode(password))
  }, 180_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  const args = (...extra: string[]) => [
    'db',
    'restore',
    `${sshd.user}@127.0.0.1:${sshd.port}`,
    backup,
    '--ssh-config',
    'none',
    '--known-hosts',
    join(data, 'known_hosts'),
    '--accept-new-host-key',
    '--mysql-host',
    '127.0.0.1',
    '--mysql-port',
    String(db.port),
    '--safety-dir',
    hostDir('zsdr-restore-safety-'),
    ...extra,
  ]
  const zsdr = async (argv: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const r = await runZsdr(argv, {
      ...options,
      env: { ...env, ZSDR_SSH_PASSWORD: sshd.password, ...options.env },
    })
    outputs.push(r.stdout + r.stderr)
    return r
  }

  it('--dry-run prints the plan as JSON and changes nothing', async () => {
    const r = await zsdr(args('--dry-run', '--json', '--mysql-password-stdin'), { stdin: `${password}\n` })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const plan = JSON.parse(r.stdout)
    expect(plan.ok).toBe(true)
    expect(plan.target.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint)
    expect(plan.databases).toEqual(['zstack', 'zstack_rest', 'zstack_ui'])
    expect(plan.checks.map((c: { id: string }) => c.id)).toContain('mysql_login')
    expect(await checksums(db)).toEqual(damaged)
  }, 60_000)

  it('a backup id from `zsdr db scan` is fetched (verified) first, then planned', async () => {
    const dir = tempDir('zsdr-restore-scan-')
    copyFileSync(backup, join(dir, 'zstack-backup-db-2026-11-27_10-00-00.gz'))
    const scan = await zsdr(['db', 'scan', '--local', dir, '--json'])
    expect(scan.code).toBe(0)
    const id = JSON.parse(scan.stdout).backups[0].id as number
    const argv = args('--dry-run', '--json', '--mysql-password-stdin')
    argv[3] = String(id)
    const r = await zsdr(argv, { stdin: `${password}\n` })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain(`Fetching backup #${id}`)
    const plan = JSON.parse(r.stdout)
    expect(plan.ok).toBe(true)
    expect(plan.backup.path).toBe(join(dir, 'zstack-backup-db-2026-11-27_10-00-00.gz'))
    expect(await checksums(db)).toEqual(damaged)
  }, 60_000)

  it('a wrong password from the environment is refused at preflight (exit 1), nothing changed', async () => {
    const r = await zsdr(args('--dry-run'), { env: { ZSDR_MYSQL_ROOT_PASSWORD: 'not-the-root-pw' } })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('[FAIL   ] MySQL on')
    expect(r.stderr).toContain('Preflight failed')
    expect(r.stdout + r.stderr).not.toContain('not-the-root-pw')
    expect(await checksums(db)).toEqual(damaged)
  }, 60_000)

  it('without a terminal and without --yes it does not restore', async () => {
    const r = await zsdr(args('--mysql-password-stdin'), { stdin: `${password}\n` })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('run again with --yes')
    expect(r.stderr).toContain('Outcome: refused')
    expect(await checksums(db)).toEqual(damaged)
  }, 60_000)

  it('--yes restores; the live log goes to stderr, the outcome to stdout', async () => {
    const r = await zsdr(args('--yes', '--json', '--skip-ui'), {
      env: { ZSDR_MYSQL_ROOT_PASSWORD: password },
    })
    expect(r.code).toBe(0)
    const last = JSON.parse(r.stdout) as RestoreLogEntry
    expect(last.outcome).toBe('restored')
    expect(r.stderr).toContain('[verify] Verified:')
    const after = await checksums(db)
    // --skip-ui: zstack_ui keeps its damage, the two others are back to the original.
    for (const [table, sum] of Object.entries(after)) {
      expect(sum, table).toBe(table.startsWith('zstack_ui.') ? damaged[table] : original[table])
    }
    const report =
      readFileSync(last.reportPaths?.json as string, 'utf8') +
      readFileSync(last.reportPaths?.text as string, 'utf8')
    outputs.push(report)
    expect(report).toContain(sshd.hostKeyFingerprint)
    // --yes is on record: nobody typed the host name.
    expect(JSON.parse(readFileSync(last.reportPaths?.json as string, 'utf8')).confirmation).toBe('yes_flag')
    expect(report).toContain('Confirmed by  --yes (the host name was not typed)')
  }, 90_000)

  it('API: password from the vault; the run waits for the typed host name, a wrong name is refused, the right one goes on', async () => {
    await damage(db)
    const services = testServices()
    try {
      const label = `${sshd.user}@127.0.0.1:${sshd.port}`
      await services.vault.set(`ssh-password:${label}`, sshd.password, { remember: false })
      await services.vault.set(mysqlRootPasswordKey(label), password, { remember: false })
      const entries: RestoreLogEntry[] = []
      let finished: (outcome: string) => void = () => {}
      const outcome = new Promise<string>((r) => {
        finished = r
      })
      services.bus.subscribe((name, payload) => {
        if (name === 'restore.log') entries.push(payload as RestoreLogEntry)
        if (name === 'op.finished') finished((payload as { outcome: string }).outcome)
      })
      const call = async (name: string, req: unknown) => {
        const envelope = await services.router.dispatch(name, req, { transport: 'ipc' })
        if (!envelope.ok) throw new Error(JSON.stringify(envelope.error))
        return envelope.value as Record<string, unknown>
      }
      const { opId } = await call('restore.run', {
        target: { host: '127.0.0.1', port: sshd.port, user: sshd.user, agent: false },
        acceptNewHostKey: true,
        sshConfigFile: null,
        knownHostsFile: join(data, 'api_known_hosts'),
        backup: { file: backup },
        // No password in the request: the service finds it in the vault under the host's key.
        mysql: { host: '127.0.0.1', port: db.port },
        safetyDir: hostDir('zsdr-restore-safety-'),
      })
      const deadline = Date.now() + 30_000
      while (!entries.some((e) => e.awaitingConfirmation) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50))
      const plan = entries.find((e) => e.awaitingConfirmation)?.awaitingConfirmation
      expect(plan?.ok).toBe(true)
      expect(await call('restore.confirm', { opId, typedHostName: 'some-other-host' })).toEqual({
        accepted: false,
      })
      expect(await checksums(db)).not.toEqual(original)
      expect(await call('restore.confirm', { opId, typedHostName: plan?.confirmationText })).toEqual({
        accepted: true,
      })
      expect(await outcome).toBe('succeeded')
      expect(await checksums(db)).toEqual(original)
      const runs = (await call('restore.runs', {})) as unknown as { outcome: string; reportText: string }[]
      expect(runs[0]?.outcome).toBe('restored')
      outputs.push(
        JSON.stringify(entries),
        readFileSync(runs[0]?.reportText as string, 'utf8'),
        services.logLines.join(''),
      )
    } finally {
      await services.close()
      services.removeDir()
    }
  }, 90_000)

  it('no password in any CLI output, log line or report', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(6)
    for (const text of outputs) {
      expect(text).not.toContain(password)
      expect(text).not.toContain(sshd.password)
    }
  })
})
