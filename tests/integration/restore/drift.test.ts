import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ResourceDrift, RestorePlan } from '../../../src-main/api/contract/index.js'
import { runRestore } from '../../../src-main/recovery/restore/engine.js'
import type { RestoreSettings } from '../../../src-main/recovery/restore/preflight.js'
import { dumpLikeZstackCtl, loadDump, zstackDumpFixture } from '../../fixtures/zstack-db/build.js'
import { runZsdr } from '../../harness/cli.js'
import { type MariaDb, startMariaDb } from '../../harness/mariadb.js'
import { type Sshd, startSshd } from '../../harness/sshd.js'
import { checksums, hostDir, sshdConnector, tempDir } from './helpers.js'

/** A VM name that tries every mysqldump escape, Chinese text and a newline; it is the same on both sides. */
const HOSTILE_NAME = 'it\'s "云主机"\\ 新\n行\t\x1a'
const sq = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

/** The cloud at backup time: the fixture's 20 generated rows per table, and these. */
const AT_BACKUP = `SET FOREIGN_KEY_CHECKS=0;
  INSERT INTO VmInstanceEO (uuid, name, state, type, hypervisorType) VALUES
    ('vmkeep00000000000000000000000000', ${sq(HOSTILE_NAME)}, 'Running', 'UserVm', 'KVM'),
    ('vmgone00000000000000000000000000', 'vm-gone-已删除', 'Stopped', 'UserVm', 'KVM'),
    ('vmweb000000000000000000000000000', 'web-01', 'Running', 'UserVm', 'KVM');
  INSERT INTO VolumeEO (uuid, name, installPath, primaryStorageUuid, state, status, type, format) VALUES
    ('volmoved000000000000000000000000', 'data-moved', '/zstack/ps1/vol-moved.qcow2', 'ps1', 'Enabled', 'Ready', 'Data', 'qcow2'),
    ('volgone0000000000000000000000000', 'data-gone', '/zstack/ps1/vol-gone.qcow2', 'ps1', 'Enabled', 'Ready', 'Data', 'qcow2');
  INSERT INTO GlobalConfigVO (name, description, category, defaultValue, value) VALUES
    ('enable', 'enable HA or not', 'ha', 'true', 'true');`

/** What happened to the cloud after the backup. */
const AFTER_BACKUP = `SET FOREIGN_KEY_CHECKS=0;
  INSERT INTO VmInstanceEO (uuid, name, state, type, hypervisorType) VALUES
    ('vmnew000000000000000000000000000', 'vm-after-新建', 'Running', 'UserVm', 'KVM');
  INSERT INTO VolumeEO (uuid, name, installPath, primaryStorageUuid, state, status, type, format) VALUES
    ('volnew00000000000000000000000000', 'data-after', '/zstack/ps1/vol-new.qcow2', 'ps1', 'Enabled', 'Ready', 'Data', 'qcow2');
  DELETE FROM VmInstanceEO WHERE uuid = 'vmgone00000000000000000000000000';
  UPDATE VolumeEO SET deleted = '2026-11-28 09:00:00' WHERE uuid = 'volgone0000000000000000000000000';
  UPDATE VmInstanceEO SET name = 'web-01-renamed' WHERE uuid = 'vmweb000000000000000000000000000';
  UPDATE VolumeEO SET installPath = '/zstack/ps2/vol-moved.qcow2', primaryStorageUuid = 'ps2'
    WHERE uuid = 'volmoved000000000000000000000000';`

function resource(plan: RestorePlan, kind: string): ResourceDrift {
  const found = plan.drift.resources.find((r) => r.kind === kind)
  if (!found) throw new Error(`no ${kind} drift in the plan`)
  return found
}

const check = (plan: RestorePlan, id: string) => plan.checks.find((c) => c.id === id)

async function haValue(db: MariaDb): Promise<string> {
  return (
    await db.sql("SELECT value FROM zstack.GlobalConfigVO WHERE category = 'ha' AND name = 'enable'")
  ).trim()
}

describe('restore drift: what a restore would undo (ZStack 3.0.0 schema, real MariaDB, loopback sshd)', () => {
  let db: MariaDb
  let sshd: Sshd
  let backup: string
  const laptopDir = tempDir('zsdr-drift-laptop-')

  beforeAll(async () => {
    const base = await zstackDumpFixture({ rowsPerTable: 20 })
    ;[db, sshd] = await Promise.all([startMariaDb(), startSshd()])
    await loadDump(db, base)
    await db.sql(AT_BACKUP, { database: 'zstack', sqlMode: '' })
    backup = join(tempDir('zsdr-drift-backup-'), 'zstack-backup-db-2026-11-27_10-00-00.gz')
    await dumpLikeZstackCtl(db, backup)
    // The live database lives on: a minute later its clock is past the dump's, as in the field.
    await db.sql(AFTER_BACKUP, { database: 'zstack', sqlMode: '' })
  }, 240_000)
  afterAll(async () => {
    await Promise.all([db?.stop(), sshd?.stop()])
  })

  const settings = (extra: Partial<RestoreSettings> = {}): RestoreSettings => ({
    backupFile: backup,
    mysql: { host: '127.0.0.1', port: db.port, password: db.rootPassword },
    skipUi: false,
    safetyDir: hostDir('zsdr-drift-safety-'),
    laptopDir,
    ...extra,
  })
  const run = (extra: Partial<RestoreSettings> = {}, dryRun = false) =>
    runRestore({
      runId: `${Date.now().toString(16)}${'0'.repeat(20)}`,
      settings: settings(extra),
      connect: sshdConnector(sshd),
      confirm: async () => true,
      dryRun,
    })

  it('the plan lists, by name and count, what was created, deleted and changed after the backup, and the backup age', async () => {
    const result = await run({}, true)
    const plan = result.plan as RestorePlan
    expect(plan.drift.status).toBe('known')
    expect(plan.drift.backupTakenAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(plan.drift.backupAgeSeconds).toBeGreaterThanOrEqual(0)

    const vms = resource(plan, 'vm')
    expect(vms.counts).toEqual({ created: 1, deleted: 1, changed: 1 })
    expect({ backup: vms.backupCount, live: vms.liveCount }).toEqual({ backup: 23, live: 23 })
    expect(vms.created.map((i) => i.name)).toEqual(['vm-after-新建'])
    expect(vms.deleted.map((i) => i.name)).toEqual(['vm-gone-已删除'])
    expect(vms.changed).toEqual([
      {
        uuid: 'vmweb000000000000000000000000000',
        name: 'web-01-renamed',
        changes: [{ field: 'name', backup: 'web-01', live: 'web-01-renamed' }],
      },
    ])

    const volumes = resource(plan, 'volume')
    expect(volumes.counts).toEqual({ created: 1, deleted: 1, changed: 1 })
    expect(volumes.created.map((i) => i.name)).toEqual(['data-after'])
    expect(volumes.deleted.map((i) => i.name)).toEqual(['data-gone'])
    expect(volumes.changed[0]?.changes).toEqual([
      { field: 'installPath', backup: '/zstack/ps1/vol-moved.qcow2', live: '/zstack/ps2/vol-moved.qcow2' },
      { field: 'primaryStorageUuid', backup: 'ps1', live: 'ps2' },
    ])
    expect(volumes.changedFields).toEqual({ installPath: 1, primaryStorageUuid: 1 })
    expect(plan.drift.installPathChanged).toBe(1)
    for (const kind of ['snapshot', 'image', 'host', 'primary_storage', 'backup_storage', 'l3_network'])
      expect(resource(plan, kind).counts).toEqual({ created: 0, deleted: 0, changed: 0 })
    expect(plan.drift.unreadable).toEqual([])

    expect(check(plan, 'drift')?.status).toBe('fail')
    expect(check(plan, 'drift')?.text.en).toContain('zstack-ctl 5.3.0 would refuse')
    expect(plan.vmHa).toEqual({ action: 'disable', inBackup: 'true' })
    expect(plan.ok).toBe(false)

    const text = readFileSync(result.reportPaths.text, 'utf8')
    expect(text).toContain('+ "vm-after-新建" vmnew000000000000000000000000000')
    expect(text).toContain('- "vm-gone-已删除"')
    expect(text).toContain('name: backup "web-01" → live "web-01-renamed"')
    expect(text).toContain(
      'installPath: backup "/zstack/ps1/vol-moved.qcow2" → live "/zstack/ps2/vol-moved.qcow2"',
    )
    expect(text).not.toContain('\x1a')
  }, 120_000)

  it('an install path that differs refuses the restore without acceptance: nothing changes', async () => {
    const before = await checksums(db)
    const result = await run()
    expect(result.outcome).toBe('refused')
    expect(result.error?.code).toBe('restore.preflight_failed')
    expect(result.steps.map((s) => s.id)).toEqual(['preflight', 'report'])
    expect(await checksums(db)).toEqual(before)
  }, 120_000)

  it('a live database that cannot be read makes the drift unknown, with the reason; it is not what fails', async () => {
    const result = await run({ mysql: { host: '127.0.0.1', port: 1, password: db.rootPassword } }, true)
    const plan = result.plan as RestorePlan
    expect(plan.drift.status).toBe('unknown')
    expect(plan.drift.reason?.en).toContain('could not be read')
    expect(check(plan, 'drift')?.status).toBe('unknown')
    expect(check(plan, 'mysql_login')?.status).toBe('fail')

    const noHost = await runRestore({
      runId: 'c'.repeat(32),
      settings: settings(),
      connect: sshdConnector(sshd, 1),
      confirm: async () => true,
      dryRun: true,
    })
    expect(noHost.plan?.drift.status).toBe('unknown')
    expect(noHost.plan?.drift.reason?.en).toContain('could not be reached')
    expect(noHost.plan?.drift.backupTakenAt).toMatch(/^\d{4}-/)
  }, 120_000)

  it('zsdr db restore --dry-run: the plan (text and --json) carries the drift; --accept-drift lets it pass', async () => {
    const data = tempDir('zsdr-drift-cli-')
    const zsdr = (...extra: string[]) =>
      runZsdr(
        [
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
          '--dry-run',
          ...extra,
        ],
        {
          env: {
            ZSDR_HOME: join(data, 'home'),
            HOME: join(data, 'user'),
            DBUS_SESSION_BUS_ADDRESS: '',
            SSH_AUTH_SOCK: '',
            ZSDR_SSH_PASSWORD: sshd.password,
            ZSDR_MYSQL_ROOT_PASSWORD: db.rootPassword,
          },
        },
      )
    const refused = await zsdr('--json')
    expect(refused.code).toBe(1)
    const plan = JSON.parse(refused.stdout) as RestorePlan
    expect(plan.drift.installPathChanged).toBe(1)
    expect(resource(plan, 'vm').deleted.map((i) => i.name)).toEqual(['vm-gone-已删除'])

    const accepted = await zsdr('--accept-drift', '--keep-ha')
    expect(accepted.code).toBe(0)
    expect(accepted.stdout).toContain('What the restore undoes')
    expect(accepted.stdout).toMatch(/VMs +23 +23 +1 +1 +1/)
    expect(accepted.stdout).toContain('- "data-gone" volgone')
    expect(accepted.stdout).toContain('ACCEPTED by the engineer')
    expect(accepted.stdout).toContain('VM HA is kept as the backup has it (ha.enable: true)')
  }, 120_000)

  it('accepted drift restores; the acceptance is in the report; VM HA is off in the restored database', async () => {
    const result = await run({ acceptDrift: true })
    expect(result.error).toBeNull()
    expect(result.outcome).toBe('restored')
    expect(result.steps.map((s) => s.id)).toContain('vm_ha')
    expect(await haValue(db)).toBe('false')
    const names = await db.sql('SELECT name FROM zstack.VmInstanceEO WHERE deleted IS NULL ORDER BY name')
    expect(names).toContain('web-01\n')
    expect(names).not.toContain('vm-after-新建')

    const report = JSON.parse(readFileSync(result.reportPaths.json, 'utf8'))
    expect(report.plan.drift.accepted).toBe(true)
    expect(report.plan.drift.installPathChanged).toBe(1)
    expect(report.plan.checks.find((c: { id: string }) => c.id === 'drift').status).toBe('warn')
    expect(report.vmHa).toMatchObject({ action: 'disable', inBackup: 'true', after: ['false'] })
    expect(report.vmHa.afterwards).toContain('UpdateGlobalConfig category=ha name=enable value=true')
    const text = readFileSync(result.reportPaths.text, 'utf8')
    expect(text).toContain('ACCEPTED by the engineer')
    expect(text).toContain('VM HA\n  plan: switch off; in the backup: true; after the restore: false')
  }, 180_000)

  it('--keep-ha leaves VM HA as the backup has it; with no drift left the plan needs no acceptance', async () => {
    const result = await run({ keepHa: true })
    expect(result.outcome).toBe('restored')
    expect(result.plan?.drift.installPathChanged).toBe(0)
    expect(check(result.plan as RestorePlan, 'drift')?.status).toBe('ok')
    expect(check(result.plan as RestorePlan, 'vm_ha')?.status).toBe('warn')
    expect(await haValue(db)).toBe('true')
    const report = JSON.parse(readFileSync(result.reportPaths.json, 'utf8'))
    expect(report.vmHa).toMatchObject({ action: 'keep', after: ['true'] })
  }, 180_000)

  it('a host without a zstack database: drift unknown, and the restore still goes ahead', async () => {
    await db.sql('DROP DATABASE zstack')
    const result = await run()
    expect(result.plan?.drift.status).toBe('unknown')
    expect(result.plan?.drift.reason?.en).toContain('no zstack database')
    expect(result.outcome).toBe('restored')
    expect(await haValue(db)).toBe('false')
  }, 180_000)
})
